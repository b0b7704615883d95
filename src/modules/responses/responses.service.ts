import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { RuntimeConfig } from '../../config/runtime-config';
import { RESPONSE_MODES, ResponseMode, Settings } from '../../config/settings';
import { TOKENIZER, Tokenizer } from '../tokenizer/tokenizer.types';
import { PatternValidationError } from './pattern-errors';
import { PatternStore } from './pattern-store';
import { ReplyComposer } from './reply-composer';
import { planReply, planReplyAsync, ReplySource } from './reply-planner';
import { GenerationPlan, PatternsDocument, ReplyRequest } from './responses.types';

/**
 * What the simulated model says: picks a reply (patterns, echo or random mode) and turns it into
 * the tokens of one choice, honouring max_tokens, min_tokens, ignore_eos and stop strings.
 *
 * Mode: `--response-mode` / RESPONSE_MODE when set to something other than the default, else the
 * file's `mode`, else `patterns`. At run time `setMode` (PATCH /admin/config) changes it, and so
 * does an edit of the file's `mode`. The mode is mirrored in RuntimeConfig so
 * `GET /admin/config` shows the one in effect.
 */
@Injectable()
export class ResponsesService implements OnModuleDestroy {
  private current: ResponseMode;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly composer: ReplyComposer;

  constructor(
    @Inject(TOKENIZER) private readonly tokenizer: Tokenizer,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly store: PatternStore,
    @Optional() @Inject(RuntimeConfig) private readonly runtime?: RuntimeConfig,
  ) {
    this.composer = new ReplyComposer(
      (text) => tokenizer.count(text),
      () => {
        const structured = store.document.structured_output;
        const range = (r?: [number, number]) => (r ? { minimum: r[0], maximum: r[1] } : undefined);
        return { seed: settings.seed, integerRange: range(structured?.integer_range), numberRange: range(structured?.number_range) };
      },
    );
    this.current =
      settings.response_mode !== 'patterns' ? settings.response_mode : (store.document.mode ?? 'patterns');
    this.mirrorMode();
    if (runtime) {
      this.unsubscribe.push(
        runtime.onChange((values, changed) => {
          if (changed.includes('response_mode')) this.current = values.response_mode;
        }),
      );
    }
    this.unsubscribe.push(
      store.onChange((doc: PatternsDocument, previous: PatternsDocument | null) => {
        if (doc.mode !== undefined && doc.mode !== previous?.mode) this.setMode(doc.mode);
      }),
    );
  }

  get mode(): ResponseMode {
    return this.current;
  }

  /** Changes the reply mode for requests from now on (requests in flight keep their plan). */
  setMode(mode: ResponseMode): void {
    if (!(RESPONSE_MODES as readonly string[]).includes(mode)) {
      throw new PatternValidationError([`mode: must be one of ${RESPONSE_MODES.join(', ')}`], 'invalid mode');
    }
    this.current = mode;
    this.mirrorMode();
  }

  /** The tokens one choice will produce (`tokenizer`: the served model's, when the server serves several). */
  plan(req: ReplyRequest, tokenizer: Tokenizer = this.tokenizer): GenerationPlan {
    return planReply(tokenizer, this.source(req), req);
  }

  /** plan(), letting the event loop turn while a long reply is tokenized. */
  async planAsync(req: ReplyRequest, tokenizer: Tokenizer = this.tokenizer): Promise<GenerationPlan> {
    return planReplyAsync(tokenizer, this.source(req), req);
  }

  /** The reply for a request, and what follows it if more tokens are needed (see ReplyComposer). */
  source(req: ReplyRequest): ReplySource {
    return this.composer.compose(req, this.current, this.store.matcher);
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private mirrorMode(): void {
    if (this.runtime && this.runtime.values.response_mode !== this.current) {
      this.runtime.update({ response_mode: this.current });
    }
  }
}
