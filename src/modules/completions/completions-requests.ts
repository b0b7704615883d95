import { Inject, Injectable } from '@nestjs/common';
import { Random } from '../../common/random';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { nowSeconds } from '../api/ids';
import { LogprobSampler } from '../api/logprobs';
import {
  cacheHitThresholdOf,
  checkLogprobs,
  checkPromptTokens,
  checkSampling,
  checkSequences,
  effectiveMaxTokens,
  EMPTY_PROMPT_MESSAGE,
  NO_PROMPT_MESSAGE,
  replyLimits,
} from '../api/request-checks';
import { HttpInferenceCall, streamingOf } from '../http/http-responder';
import { Choice } from '../generation/generation';
import { outputFormatOf } from '../http/response-format';
import { ServedModels } from '../models/served-models';
import { optional } from '../api/optional';
import { kvTransferAskOf, PrefillHandoff } from '../api/kv-transfer';
import { encodePromptYielding, Tokenizer } from '../tokenizer/tokenizer.types';
import { CompletionPrompt, completionRenderer } from './completions.renderer';
import { CompletionRequestDto } from './dto/completion-request.dto';

/** vLLM's default max_tokens for /v1/completions. */
const DEFAULT_MAX_TOKENS = 16;

/** How many prompts a completions `prompt` holds (text, token ids, or a list of either). */
function promptCount(prompt: CompletionRequestDto['prompt']): number {
  if (typeof prompt === 'string' || prompt.length === 0 || typeof prompt[0] === 'number') return 1;
  return prompt.length;
}

/**
 * POST /v1/completions translated for the pipeline: vLLM's checks with its messages, each prompt
 * encoded (or taken as token ids), the reply each choice is planned from, and the renderer of
 * vLLM's text_completion shapes.
 */
@Injectable()
export class CompletionsRequests {
  constructor(
    private readonly models: ServedModels,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly handoff: PrefillHandoff,
  ) {}

  async translate(dto: CompletionRequestDto, requestId: string): Promise<HttpInferenceCall> {
    const { served, tokenizer } = this.models.route(dto.model);
    served.require('Completions');
    if (dto.prompt === '') throw ApiError.badRequest(EMPTY_PROMPT_MESSAGE, 'prompt');
    if (Array.isArray(dto.prompt) && dto.prompt.length === 0) throw ApiError.badRequest(NO_PROMPT_MESSAGE);
    const { model, lora } = served.target(dto.model);
    checkSampling(dto, this.settings);
    checkSequences(promptCount(dto.prompt), dto.n ?? 1, this.settings);
    checkLogprobs(dto.logprobs, 'logprobs', this.settings);
    const format = outputFormatOf(dto.response_format);
    const prompts = await this.prompts(tokenizer, dto.prompt);
    const maxTokens = prompts.map((p) => effectiveMaxTokens(dto.max_tokens, DEFAULT_MAX_TOKENS, p.tokenIds.length, served.maxModelLen));
    for (const p of prompts) checkPromptTokens(p.tokenIds, tokenizer.vocabSize);
    const seed = dto.seed ?? this.settings.seed;
    const id = `cmpl-${requestId}`;
    // P/D: the prefill side computes the prompt and one token, then hands its KV to the decoder.
    const ask = kvTransferAskOf(dto.kv_transfer_params);
    const prefillOnly = ask.remoteDecode ? { maxTokens: 1, ignoreEos: true, minTokens: 0, stop: [], stopTokenIds: [] } : {};
    const kvTransferParams = ask.remoteDecode ? (choices: readonly Choice[]) => this.handoff.params(id, choices[0]?.outcome?.blockIds ?? []) : undefined;
    const renderer = completionRenderer({
      kvTransferParams,
      id,
      created: nowSeconds(),
      model,
      prompts,
      echo: dto.echo === true,
      returnTokenIds: dto.return_token_ids === true,
      logprobs: dto.logprobs == null ? null : new LogprobSampler(tokenizer, Random.derive(seed, `${id}:logprobs`)),
      topLogprobs: dto.logprobs ?? 0,
    });
    // Object.assign and literals, not spreads: V8 builds `{ ...a, b }` slowly, and this runs per request.
    return Object.assign({ renderer }, streamingOf(dto), {
      work: {
        model,
        ...(lora ? { lora } : {}),
        ...(ask.remotePrefill ? { remotePrefill: true } : {}),
        ...(ask.remoteDecode ? { reportBlocks: true } : {}),
        ...optional('cacheHitThreshold', cacheHitThresholdOf(dto.cache_hit_threshold, this.settings)),
        n: dto.n ?? 1,
        maxTokensParam: dto.max_tokens ?? DEFAULT_MAX_TOKENS,
        tokenizer,
        prompts: prompts.map((p, i) => ({
          tokenIds: p.tokenIds,
          reply: (choiceIndex: number) =>
            Object.assign(
              {
                kind: 'completion' as const,
                prompt: p.text,
                choiceIndex,
                seed: seed === undefined ? undefined : seed + i,
                maxTokens: maxTokens[i],
                roomTokens: served.maxModelLen - p.tokenIds.length,
              },
              replyLimits(dto),
              prefillOnly,
              { format },
            ),
        })),
      },
    });
  }

  /**
   * Text prompts are encoded in slices with the event loop turning between them: a 128k-token
   * prompt takes 0.1-2.5 s to encode (docs/tokenizer.md), and every stream would stall meanwhile.
   */
  private async prompts(tokenizer: Tokenizer, prompt: CompletionRequestDto['prompt']): Promise<CompletionPrompt[]> {
    const one = async (p: string | number[]): Promise<CompletionPrompt> =>
      typeof p === 'string' ? { text: p, tokenIds: await encodePromptYielding(tokenizer, p) } : { text: tokenizer.decode(p), tokenIds: [...p] };
    if (typeof prompt === 'string') return [await one(prompt)];
    if (prompt.every((p) => typeof p === 'number')) return [await one(prompt as number[])];
    const out: CompletionPrompt[] = [];
    let sliceStart = performance.now();
    for (const p of prompt as Array<string | number[]>) {
      out.push(await one(p));
      // Many short prompts encode without ever yielding inside: turn the loop between them.
      if (performance.now() - sliceStart > 2) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    return out;
  }
}
