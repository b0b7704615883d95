import { Inject, Injectable } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { Random } from '../../common/random';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { TokenEvent } from '../engine/engine.types';
import { Choice } from '../generation/generation.service';
import { ServedModel } from '../models/served-model';
import { nowSeconds } from '../openai/ids';
import { LogprobSampler } from '../openai/logprobs';
import { OpenAIError } from '../openai/openai-error';
import { checkLogprobs, checkSampling, effectiveMaxTokens, replyLimits } from '../openai/request-checks';
import { OpenAIDoor } from '../openai/openai-door';
import { Renderer } from '../openai/responder';
import { Usage } from '../openai/usage';
import { ChatTurn, TOKENIZER, Tokenizer } from '../tokenizer/tokenizer.types';
import { ChatCompletionRequestDto, messageText } from './dto/chat-request.dto';

@Injectable()
export class ChatService {
  constructor(
    private readonly door: OpenAIDoor,
    private readonly served: ServedModel,
    @Inject(TOKENIZER) private readonly tokenizer: Tokenizer,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async create(dto: ChatCompletionRequestDto, reply: FastifyReply, requestId: string): Promise<object | void> {
    const model = this.served.resolve(dto.model);
    const requestedMax = dto.max_completion_tokens ?? dto.max_tokens;
    if (dto.max_completion_tokens != null && dto.max_completion_tokens < 1) {
      throw OpenAIError.badRequest(`max_tokens must be at least 1, got ${dto.max_completion_tokens}.`, 'max_completion_tokens');
    }
    checkSampling({ ...dto, max_tokens: requestedMax });
    checkLogprobs(dto.top_logprobs, 'top_logprobs');
    if (dto.top_logprobs != null && dto.top_logprobs > 0 && dto.logprobs !== true) {
      throw OpenAIError.badRequest('when using `top_logprobs`, `logprobs` must be set to true.', 'top_logprobs');
    }
    const turns: ChatTurn[] = dto.messages.map((m) => ({ role: m.role, content: messageText(m) }));
    const promptTokenIds = this.tokenizer.encodeChat(turns);
    const maxTokens = effectiveMaxTokens(requestedMax, null, promptTokenIds.length, this.served.maxModelLen);
    const lastUser = [...turns].reverse().find((t) => t.role === 'user') ?? turns[turns.length - 1];
    const n = dto.n ?? 1;
    const seed = dto.seed ?? this.settings.seed;
    const id = `chatcmpl-${requestId}`;
    const created = nowSeconds();
    const sampler = dto.logprobs === true ? new LogprobSampler(this.tokenizer, Random.derive(seed, `${id}:logprobs`)) : null;
    const logprobsOf = (choice: Choice, from: number, to: number) =>
      sampler ? { content: sampler.chat(choice.plan.tokenIds.slice(from, to), dto.top_logprobs ?? 0) } : null;
    const base = { id, object: 'chat.completion.chunk', created, model };
    const chunk = (index: number, delta: object, logprobs: object | null, finish: string | null, stopReason: string | null, usage?: Usage) => ({
      ...base,
      choices: [{ index, delta, logprobs, finish_reason: finish, ...(finish !== null ? { stop_reason: stopReason } : {}) }],
      ...(usage ? { usage } : {}),
    });

    const renderer: Renderer = {
      tokenChunks: (choice: Choice, event: TokenEvent, last: boolean, usage: Usage | undefined) => {
        const from = event.generated - event.tokenIds.length;
        const out: object[] = [];
        // The role chunk goes out with the first token: clients measure TTFT on it.
        if (from === 0) out.push(chunk(choice.index, { role: 'assistant', content: '' }, null, null, null, usage));
        const content = choice.plan.pieces.slice(from, event.generated).join('');
        out.push(chunk(choice.index, { content }, logprobsOf(choice, from, event.generated), last ? choice.plan.finishReason : null, choice.plan.stopReason, usage));
        return out;
      },
      finishChunks: (choice, outcome, usage) => [
        chunk(choice.index, { role: 'assistant', content: '' }, null, null, null, usage),
        chunk(choice.index, { content: '' }, null, outcome.finishReason, choice.plan.stopReason, usage),
      ],
      usageChunk: (usage) => ({ ...base, choices: [], usage }),
      body: (choices, usage) => ({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: choices.map((c) => ({
          index: c.index,
          message: {
            role: 'assistant',
            content: c.plan.pieces.slice(0, c.generated).join(''),
            refusal: null,
            annotations: null,
            audio: null,
            function_call: null,
            tool_calls: [],
            reasoning_content: null,
          },
          logprobs: logprobsOf(c, 0, c.generated),
          finish_reason: c.outcome?.finishReason ?? c.plan.finishReason,
          stop_reason: c.plan.stopReason,
        })),
        service_tier: null,
        system_fingerprint: null,
        usage,
        prompt_logprobs: null,
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
            messages: turns,
            choiceIndex,
            seed,
            maxTokens,
            ...replyLimits(dto),
          }),
        },
      ],
    });
  }
}
