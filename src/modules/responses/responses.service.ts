import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { hashString, Random } from '../../common/random';
import { SETTINGS } from '../../config/config.module';
import { RuntimeConfig } from '../../config/runtime-config';
import { RESPONSE_MODES, ResponseMode, Settings } from '../../config/settings';
import { TOKENIZER, Tokenizer } from '../tokenizer/tokenizer.types';
import { PatternValidationError } from './pattern-errors';
import { PatternStore } from './pattern-store';
import { formatJson, sampleJsonText } from './json-schema-sample';
import { drawReplyLength, randomSentence, randomText } from './random-text';
import { planReply, ReplySource } from './reply-planner';
import { GenerationPlan, PatternDefinition, PatternsDocument, ReplyRequest } from './responses.types';
import { chooseTool } from './tool-choice';

/**
 * What follows a JSON reply when more tokens are wanted (ignore_eos, min_tokens): whitespace, which
 * keeps the JSON parseable, as a JSON-constrained model can only add whitespace after the value.
 */
const JSON_CONTINUATION = '\n';

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

  constructor(
    @Inject(TOKENIZER) private readonly tokenizer: Tokenizer,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly store: PatternStore,
    @Optional() @Inject(RuntimeConfig) private readonly runtime?: RuntimeConfig,
  ) {
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

  /** The tokens one choice will produce. */
  plan(req: ReplyRequest): GenerationPlan {
    return planReply(this.tokenizer, this.source(req), req);
  }

  /**
   * The reply for a request, and what follows it if more tokens are needed. With a seed (the
   * request's, else the server's) the choice depends only on seed, prompt and choice index;
   * choices of one request start at one seeded reply and take the next ones in turn, so
   * n > 1 gives different replies while there are enough.
   *
   * With tools offered, the reply may instead be a tool call (`chooseTool`): its text is the
   * arguments, sampled from the tool's parameter schema. With `response_format`, the reply is JSON:
   * `{"response": <the reply>}` for `json_object`, a sample of the schema for `json_schema`.
   */
  source(req: ReplyRequest): ReplySource {
    const seed = req.seed ?? this.settings.seed;
    const label = `${req.kind}:${hashString(req.prompt)}:${req.prompt.length}`;
    const matcher = this.store.matcher;
    const pattern = this.current === 'patterns' ? matcher.match(req) : null;
    const reply = this.reply(req, seed, label, pattern ?? null, matcher.document.fallback.responses);
    if (!req.tools && !req.format) return reply;

    const rng = Random.derive(seed, `json:${label}:${req.choiceIndex}`);
    const tool = chooseTool(req.tools, { prompt: req.prompt, patternToolCall: pattern?.tool_call }, rng);
    const json = (text: string, toolCall?: { name: string }, runsToLimit = false): ReplySource => ({
      text,
      continuation: () => JSON_CONTINUATION,
      pattern: reply.pattern,
      ...(toolCall ? { toolCall } : {}),
      ...(runsToLimit ? { runsToLimit } : {}),
    });
    const budget = { maxTokens: req.maxTokens, roomTokens: req.roomTokens ?? req.maxTokens };
    if (tool) {
      const index = req.tools!.tools.indexOf(tool);
      const sample = sampleJsonText(tool.parameters ?? { type: 'object', properties: {} }, rng, { ...budget, origin: `tools[${index}].function.parameters` });
      return json(sample.text, { name: tool.name }, sample.truncated);
    }
    if (req.format?.type === 'json_object') return json(formatJson({ response: reply.text }));
    if (req.format?.type === 'json_schema') {
      const sample = sampleJsonText(req.format.schema, rng, { ...budget, origin: 'response_format.json_schema.schema' });
      return json(sample.text, undefined, sample.truncated);
    }
    return reply;
  }

  /** The text reply of the current mode. */
  private reply(req: ReplyRequest, seed: number | undefined, label: string, pattern: PatternDefinition | null, fallback: string[]): ReplySource {
    switch (this.current) {
      case 'echo': {
        const filler = Random.derive(seed, `echo:${label}:${req.choiceIndex}`);
        return {
          text: req.prompt,
          continuation: () => (req.prompt.trim() !== '' ? req.prompt : randomSentence(filler)),
          pattern: null,
        };
      }
      case 'random': {
        const rng = Random.derive(seed, `random:${label}:${req.choiceIndex}`);
        const count = (text: string) => this.tokenizer.count(text);
        return {
          text: randomText(rng, drawReplyLength(rng), count),
          continuation: () => randomText(rng, drawReplyLength(rng), count),
          pattern: null,
        };
      }
      default: {
        const replies = pattern?.responses ?? fallback;
        const first = Random.derive(seed, `choice:${pattern?.name ?? ''}:${label}`).int(replies.length);
        const index = (first + req.choiceIndex) % replies.length;
        return {
          text: replies[index],
          continuation: (k) => replies[(index + k) % replies.length],
          pattern: pattern?.name ?? null,
        };
      }
    }
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
