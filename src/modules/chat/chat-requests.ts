import { Inject, Injectable } from '@nestjs/common';
import { Random } from '../../common/random';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { nowSeconds } from '../api/ids';
import { LogprobSampler } from '../api/logprobs';
import { cacheHitThresholdOf, checkLogprobs, checkSampling, checkSequences, effectiveMaxTokens, replyLimits } from '../api/request-checks';
import { HttpInferenceCall, streamingOf } from '../http/http-responder';
import { Choice } from '../generation/generation';
import { outputFormatOf } from '../http/response-format';
import { ServedModels } from '../models/served-models';
import { optional } from '../api/optional';
import { kvTransferAskOf, PrefillHandoff } from '../api/kv-transfer';
import { ReplyRequest } from '../responses/responses.types';
import { ChatTurn, encodeChatYielding } from '../tokenizer/tokenizer.types';
import { chatRenderer } from './chat.renderer';
import { conversationOf, toolCallRendering, toolOfferOf } from './chat-tools';
import { toolsPromptText } from '../tokenizer/tools-prompt';
import { reasoningMarkers } from '../responses/reasoning-parsers';
import { ChatCompletionRequestDto } from './dto/chat-request.dto';

/**
 * POST /v1/chat/completions translated for the pipeline: vLLM's checks with its messages, the
 * conversation rendered with the chat template and encoded, the reply each choice is planned from,
 * and the renderer of vLLM's chat shapes.
 */
@Injectable()
export class ChatRequests {
  constructor(
    private readonly models: ServedModels,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly handoff: PrefillHandoff,
  ) {}

  async translate(dto: ChatCompletionRequestDto, requestId: string): Promise<HttpInferenceCall> {
    const { served, tokenizer, settings: modelSettings } = this.models.route(dto.model);
    served.require('Chat Completions');
    const { model, lora } = served.target(dto.model);
    const requestedMax = dto.max_completion_tokens ?? dto.max_tokens;
    if (dto.max_completion_tokens != null && dto.max_completion_tokens < 1) {
      throw ApiError.badRequest(`max_tokens must be at least 1, got ${dto.max_completion_tokens}.`, 'max_completion_tokens');
    }
    // The DTO itself when max_tokens is what is checked (a copy has every one of its fields to copy).
    checkSampling(requestedMax === dto.max_tokens ? dto : Object.assign({}, dto, { max_tokens: requestedMax }), this.settings);
    checkSequences(1, dto.n ?? 1, this.settings);
    checkLogprobs(dto.top_logprobs, 'top_logprobs', this.settings);
    if (dto.top_logprobs != null && dto.top_logprobs > 0 && dto.logprobs !== true) {
      throw ApiError.badRequest('when using `top_logprobs`, `logprobs` must be set to true.', 'top_logprobs');
    }
    const tools = toolOfferOf(dto);
    const format = outputFormatOf(dto.response_format);
    const conversation = conversationOf(dto.messages);
    const turns: ChatTurn[] = conversation.map((m) => ({ role: m.role, content: m.content }));
    // The chat template writes the offered tools into the prompt; rules still see only the messages.
    const toolsText = toolsPromptText(tools);
    const promptTokenIds = await encodeChatYielding(tokenizer, toolsText === null ? turns : [{ role: 'system', content: toolsText }, ...turns]);
    const maxTokens = effectiveMaxTokens(requestedMax, null, promptTokenIds.length, served.maxModelLen);
    const lastUser = [...turns].reverse().find((t) => t.role === 'user') ?? turns[turns.length - 1];
    const seed = dto.seed ?? this.settings.seed;
    const reasoning = reasoningMarkers(modelSettings.reasoning_parser, dto.chat_template_kwargs);
    const id = `chatcmpl-${requestId}`;
    // P/D: the prefill side computes the prompt and one token, then hands its KV to the decoder.
    const ask = kvTransferAskOf(dto.kv_transfer_params);
    const prefillOnly = ask.remoteDecode ? { maxTokens: 1, ignoreEos: true, minTokens: 0, stop: [], stopTokenIds: [] } : {};
    const kvTransferParams = ask.remoteDecode ? (choices: readonly Choice[]) => this.handoff.params(id, choices[0]?.outcome?.blockIds ?? []) : undefined;
    const renderer = chatRenderer({
      kvTransferParams,
      id,
      created: nowSeconds(),
      model,
      promptTokenIds,
      stream: dto.stream === true,
      returnTokenIds: dto.return_token_ids === true,
      sampler: dto.logprobs === true ? new LogprobSampler(tokenizer, Random.derive(seed, `${id}:logprobs`)) : null,
      topLogprobs: dto.top_logprobs ?? 0,
      calls: toolCallRendering(tools),
    });
    return Object.assign({ renderer }, streamingOf(dto), {
      work: {
        model,
        ...(lora ? { lora } : {}),
        ...(ask.remotePrefill ? { remotePrefill: true } : {}),
        ...(ask.remoteDecode ? { reportBlocks: true } : {}),
        ...optional('cacheHitThreshold', cacheHitThresholdOf(dto.cache_hit_threshold, this.settings)),
        n: dto.n ?? 1,
        maxTokensParam: maxTokens,
        tokenizer,
        prompts: [
          {
            tokenIds: promptTokenIds,
            reply: (choiceIndex: number) => {
              // Built field by field: V8 builds `{ ...a, b }` slowly, and this runs for every choice.
              const base = { kind: 'chat' as const, prompt: lastUser?.content ?? '', messages: conversation, choiceIndex, seed, maxTokens, roomTokens: served.maxModelLen - promptTokenIds.length };
              const reply: ReplyRequest = Object.assign(base, replyLimits(dto), prefillOnly);
              if (dto.parallel_tool_calls != null) reply.parallelToolCalls = dto.parallel_tool_calls;
              if (tools) reply.tools = tools;
              if (format) reply.format = format;
              if (reasoning) reply.reasoning = reasoning;
              return reply;
            },
          },
        ],
      },
    });
  }
}
