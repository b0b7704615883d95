import { Inject, Injectable } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { Random } from '../../common/random';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { TokenEvent } from '../engine/engine.types';
import { Choice, stopReasonOf } from '../generation/generation.service';
import { ServedModel } from '../models/served-model';
import { nowSeconds } from '../api/ids';
import { LogprobSampler } from '../api/logprobs';
import { ApiError } from '../api/api-error';
import { checkLogprobs, checkSampling, checkSequences, effectiveMaxTokens, replyLimits } from '../api/request-checks';
import { OpenAIDoor } from '../openai/openai-door';
import { Renderer } from '../openai/responder';
import { Usage, withoutUnsetDetails } from '../api/usage';
import { ChatTurn, encodeChatYielding, TOKENIZER, Tokenizer } from '../tokenizer/tokenizer.types';
import { conversationOf, toolCallRendering, toolOfferOf, toolsPromptText } from './chat-tools';
import { outputFormatOf } from '../openai/response-format';
import { ChatCompletionRequestDto } from './dto/chat-request.dto';

/** Spread where an optional field group is off. */
const NO_FIELDS = Object.freeze({});

@Injectable()
export class ChatService {
  constructor(
    private readonly door: OpenAIDoor,
    private readonly served: ServedModel,
    @Inject(TOKENIZER) private readonly tokenizer: Tokenizer,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async create(dto: ChatCompletionRequestDto, reply: FastifyReply, requestId: string): Promise<object | string | void> {
    const model = this.served.resolve(dto.model);
    const requestedMax = dto.max_completion_tokens ?? dto.max_tokens;
    if (dto.max_completion_tokens != null && dto.max_completion_tokens < 1) {
      throw ApiError.badRequest(`max_tokens must be at least 1, got ${dto.max_completion_tokens}.`, 'max_completion_tokens');
    }
    checkSampling({ ...dto, max_tokens: requestedMax }, this.settings);
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
    const promptTokenIds = await encodeChatYielding(this.tokenizer, toolsText === null ? turns : [{ role: 'system', content: toolsText }, ...turns]);
    const maxTokens = effectiveMaxTokens(requestedMax, null, promptTokenIds.length, this.served.maxModelLen);
    const lastUser = [...turns].reverse().find((t) => t.role === 'user') ?? turns[turns.length - 1];
    const n = dto.n ?? 1;
    const seed = dto.seed ?? this.settings.seed;
    const id = `chatcmpl-${requestId}`;
    const created = nowSeconds();
    const sampler = dto.logprobs === true ? new LogprobSampler(this.tokenizer, Random.derive(seed, `${id}:logprobs`)) : null;
    // A body's logprobs are sampled step by step as its tokens come (see Renderer.observe), not all
    // at its end: thousands of tokens with top_logprobs would hold the event loop for long.
    const sampled = new Map<number, object[]>();
    const keepSampled = dto.stream !== true;
    const logprobsOf = (choice: Choice, from: number, to: number) => {
      if (!sampler) return null;
      if (!keepSampled) return { content: sampler.chat(choice.plan.tokenIds.slice(from, to), dto.top_logprobs ?? 0) };
      let done = sampled.get(choice.index);
      if (!done) sampled.set(choice.index, (done = []));
      for (const entry of done.length < to ? sampler.chat(choice.plan.tokenIds.slice(done.length, to), dto.top_logprobs ?? 0) : []) done.push(entry);
      return { content: done.slice(from, to) };
    };
    const base = { id, object: 'chat.completion.chunk', created, model };
    // return_token_ids (vLLM): the prompt's ids on each choice's first chunk and in the body, the
    // output ids on every token chunk and choice. vLLM passes them (None when not asked for) to the
    // chunks it dumps with exclude_unset, so they are there as null; the role chunk's choice has none.
    const returnTokenIds = dto.return_token_ids === true;
    const promptIds = { prompt_token_ids: returnTokenIds ? promptTokenIds : null };
    const tokenIdsOf = (choice: Choice, from: number, to: number) => ({ token_ids: returnTokenIds ? choice.plan.tokenIds.slice(from, to) : null });
    const chunk = (index: number, delta: object, logprobs: object | null, finish: string | null, stopReason: string | number | null, usage?: Usage, ids: object = NO_FIELDS) => ({
      ...base,
      choices: [{ index, delta, logprobs, finish_reason: finish, ...(finish !== null ? { stop_reason: stopReason } : {}), ...ids }],
      // Chat dumps its chunks with exclude_unset: a per-chunk usage has no details field.
      ...(usage ? { usage: withoutUnsetDetails(usage) } : {}),
    });
    const roleChunk = (index: number, usage: Usage | undefined) => ({ ...chunk(index, { role: 'assistant', content: '' }, null, null, null, usage), ...promptIds });

    const calls = toolCallRendering(tools);
    const finishOf = (choice: Choice, reason: string) => calls.finishReason(choice, reason);
    const message = (c: Choice) => {
      const { content, tool_calls } = calls.message(c);
      return { role: 'assistant', content, refusal: null, annotations: null, audio: null, function_call: null, tool_calls, reasoning_content: null };
    };

    const renderer: Renderer = {
      observe: (choice, event) => void logprobsOf(choice, 0, event.generated),
      tokenChunks: (choice: Choice, event: TokenEvent, last: boolean, usage: Usage | undefined) => {
        const from = event.generated - event.tokenIds.length;
        const out: object[] = [];
        // The role chunk goes out with the first token: clients measure TTFT on it.
        if (from === 0) out.push(roleChunk(choice.index, usage));
        const finish = last ? finishOf(choice, choice.plan.finishReason) : null;
        out.push(chunk(choice.index, calls.delta(choice, from, event.generated), logprobsOf(choice, from, event.generated), finish, stopReasonOf(choice), usage, tokenIdsOf(choice, from, event.generated)));
        return out;
      },
      finishChunks: (choice, outcome, usage) => [
        roleChunk(choice.index, usage),
        chunk(choice.index, { content: '' }, null, outcome.finishReason, stopReasonOf(choice), usage, tokenIdsOf(choice, 0, 0)),
      ],
      usageChunk: (usage) => ({ ...base, choices: [], usage }),
      body: (choices, usage) => ({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: choices.map((c) => ({
          index: c.index,
          message: message(c),
          logprobs: logprobsOf(c, 0, c.generated),
          finish_reason: finishOf(c, c.outcome?.finishReason ?? c.plan.finishReason),
          stop_reason: stopReasonOf(c),
          // The response is vLLM's model_dump: unrequested ids are null, not absent.
          token_ids: returnTokenIds ? c.plan.tokenIds.slice(0, c.generated) : null,
        })),
        service_tier: null,
        system_fingerprint: null,
        usage,
        prompt_logprobs: null,
        prompt_token_ids: returnTokenIds ? promptTokenIds : null,
        kv_transfer_params: null,
      }),
    };

    return this.door.serve({
      reply,
      requestId,
      route: '/v1/chat/completions',
      model,
      dto,
      n,
      maxTokensParam: maxTokens,
      renderer,
      prompts: [
        {
          tokenIds: promptTokenIds,
          reply: (choiceIndex: number) => ({
            kind: 'chat' as const,
            prompt: lastUser?.content ?? '',
            messages: conversation,
            ...(dto.parallel_tool_calls != null ? { parallelToolCalls: dto.parallel_tool_calls } : {}),
            choiceIndex,
            seed,
            maxTokens,
            roomTokens: this.served.maxModelLen - promptTokenIds.length,
            ...replyLimits(dto),
            ...(tools ? { tools } : {}),
            ...(format ? { format } : {}),
          }),
        },
      ],
    });
  }
}
