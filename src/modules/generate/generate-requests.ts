import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { kvTransferAskOf, PrefillHandoff } from '../api/kv-transfer';
import { cacheHitThresholdOf, checkPromptTokens, checkSampling, checkSequences, effectiveMaxTokens, EMPTY_PROMPT_MESSAGE, replyLimits } from '../api/request-checks';
import { Choice } from '../generation/generation';
import { HttpInferenceCall } from '../http/http-responder';
import { ServedModels } from '../models/served-models';
import { optional } from '../api/optional';
import { GenerateRequestDto } from './dto/generate-request.dto';
import { generateRenderer } from './generate.renderer';

/** vLLM's SamplingParams default max_tokens. */
const DEFAULT_MAX_TOKENS = 16;

/**
 * POST /inference/v1/generate translated for the pipeline: the prompt is the token ids as given
 * (the reply is planned from their decoded text), sampling_params checked as vLLM checks them,
 * kv_transfer_params read at the root or, as some vLLM clients send them, in sampling_params.extra_args.
 */
@Injectable()
export class GenerateRequests {
  constructor(
    private readonly models: ServedModels,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly handoff: PrefillHandoff,
  ) {}

  translate(dto: GenerateRequestDto): HttpInferenceCall {
    if (dto.token_ids.length === 0) throw ApiError.badRequest(EMPTY_PROMPT_MESSAGE, 'token_ids');
    const sp = dto.sampling_params;
    const { served, tokenizer } = this.models.route(dto.model);
    served.require('Completions');
    const { model, lora } = served.target(dto.model);
    checkSampling({ ...sp, stream: dto.stream, stream_options: dto.stream_options }, this.settings);
    checkSequences(1, sp.n ?? 1, this.settings);
    checkPromptTokens(dto.token_ids, tokenizer.vocabSize, 'token_ids');
    const maxTokens = effectiveMaxTokens(sp.max_tokens, DEFAULT_MAX_TOKENS, dto.token_ids.length, served.maxModelLen);
    const requestId = dto.request_id ?? randomUUID();
    const ask = kvTransferAskOf(dto.kv_transfer_params ?? sp.extra_args?.kv_transfer_params);
    const prefillOnly = ask.remoteDecode ? { maxTokens: 1, ignoreEos: true, minTokens: 0, stop: [], stopTokenIds: [] } : {};
    const text = tokenizer.decode(dto.token_ids);
    const seed = sp.seed ?? this.settings.seed;
    return {
      renderer: generateRenderer({
        requestId,
        kvTransferParams: ask.remoteDecode ? (choices: readonly Choice[]) => this.handoff.params(requestId, choices[0]?.outcome?.blockIds ?? []) : undefined,
      }),
      stream: dto.stream === true,
      includeUsage: dto.stream_options?.include_usage === true,
      continuousUsage: dto.stream_options?.continuous_usage_stats === true,
      work: {
        model,
        ...(lora ? { lora } : {}),
        ...(ask.remotePrefill ? { remotePrefill: true } : {}),
        ...(ask.remoteDecode ? { reportBlocks: true } : {}),
        ...optional('cacheHitThreshold', cacheHitThresholdOf(undefined, this.settings)),
        n: sp.n ?? 1,
        maxTokensParam: sp.max_tokens ?? DEFAULT_MAX_TOKENS,
        tokenizer,
        prompts: [
          {
            tokenIds: dto.token_ids,
            reply: (choiceIndex: number) => ({
              kind: 'completion' as const,
              prompt: text,
              choiceIndex,
              seed,
              maxTokens,
              roomTokens: served.maxModelLen - dto.token_ids.length,
              ...replyLimits(sp),
              ...prefillOnly,
            }),
          },
        ],
      },
    };
  }
}
