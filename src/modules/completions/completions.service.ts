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
import {
  checkLogprobs,
  checkPromptTokens,
  checkSampling,
  checkSequences,
  effectiveMaxTokens,
  EMPTY_PROMPT_MESSAGE,
  NO_PROMPT_MESSAGE,
  replyLimits,
} from '../api/request-checks';
import { ApiError } from '../api/api-error';
import { outputFormatOf } from '../openai/response-format';
import { OpenAIDoor } from '../openai/openai-door';
import { Renderer } from '../openai/responder';
import { Usage } from '../api/usage';
import { encodePromptYielding, TOKENIZER, Tokenizer } from '../tokenizer/tokenizer.types';
import { CompletionRequestDto } from './dto/completion-request.dto';

/** How many prompts a completions `prompt` holds (text, token ids, or a list of either). */
function promptCount(prompt: CompletionRequestDto['prompt']): number {
  if (typeof prompt === 'string' || prompt.length === 0 || typeof prompt[0] === 'number') return 1;
  return prompt.length;
}

/** vLLM's default max_tokens for /v1/completions. */
const DEFAULT_MAX_TOKENS = 16;
/** Spread where an optional field group is off. */
interface Prompt {
  text: string;
  tokenIds: number[];
}

@Injectable()
export class CompletionsService {
  constructor(
    private readonly door: OpenAIDoor,
    private readonly served: ServedModel,
    @Inject(TOKENIZER) private readonly tokenizer: Tokenizer,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async create(dto: CompletionRequestDto, reply: FastifyReply, requestId: string): Promise<object | string | void> {
    if (dto.prompt === '') throw ApiError.badRequest(EMPTY_PROMPT_MESSAGE, 'prompt');
    if (Array.isArray(dto.prompt) && dto.prompt.length === 0) throw ApiError.badRequest(NO_PROMPT_MESSAGE);
    const model = this.served.resolve(dto.model);
    checkSampling(dto, this.settings);
    checkSequences(promptCount(dto.prompt), dto.n ?? 1, this.settings);
    checkLogprobs(dto.logprobs, 'logprobs', this.settings);
    const format = outputFormatOf(dto.response_format);
    const prompts = await this.prompts(dto.prompt);
    const maxTokens = prompts.map((p) => effectiveMaxTokens(dto.max_tokens, DEFAULT_MAX_TOKENS, p.tokenIds.length, this.served.maxModelLen));
    for (const p of prompts) checkPromptTokens(p.tokenIds, this.tokenizer.vocabSize);
    const n = dto.n ?? 1;
    const seed = dto.seed ?? this.settings.seed;
    const id = `cmpl-${requestId}`;
    const created = nowSeconds();
    const logprobs = dto.logprobs == null ? null : new LogprobSampler(this.tokenizer, Random.derive(seed, `${id}:logprobs`));
    // return_token_ids (vLLM): the prompt's ids on each choice's first chunk and in the body, the
    // output ids on every chunk and choice; an echoed prompt then comes as ids only, not as text.
    const returnTokenIds = dto.return_token_ids === true;
    const echo = dto.echo === true && !returnTokenIds;
    // vLLM writes every field of its completion models, unset ones as null (model_dump, and
    // model_dump_json(exclude_unset=False) for chunks): these ids and a chunk's usage included.
    const promptIdsOf = (choice: Choice, first: boolean) => ({ prompt_token_ids: returnTokenIds && first ? prompts[choice.promptIndex].tokenIds : null });
    const tokenIdsOf = (choice: Choice, from: number, to: number) => ({ token_ids: returnTokenIds ? choice.plan.tokenIds.slice(from, to) : null });
    const textOf = (choice: Choice, from: number, to: number): string => choice.plan.pieces.slice(from, to).join('');
    const sampleLogprobs = (choice: Choice, from: number, to: number, offset: number) =>
      logprobs?.completion(choice.plan.tokenIds.slice(from, to), choice.plan.pieces.slice(from, to), dto.logprobs ?? 0, offset) ?? null;
    // A body's logprobs are sampled step by step as its tokens come (see Renderer.observe), not all
    // at its end: thousands of tokens with alternatives would hold the event loop for long.
    const sampled = new Map<number, { to: number; offset: number; lp: NonNullable<ReturnType<typeof sampleLogprobs>> }>();
    const bodyLogprobs = (choice: Choice, to: number, prefixLength: number) => {
      if (!logprobs) return null;
      let done = sampled.get(choice.index);
      if (!done) sampled.set(choice.index, (done = { to: 0, offset: prefixLength, lp: { text_offset: [], token_logprobs: [], tokens: [], top_logprobs: [] } }));
      if (done.to < to) {
        const more = sampleLogprobs(choice, done.to, to, done.offset)!;
        for (const key of ['text_offset', 'token_logprobs', 'tokens', 'top_logprobs'] as const) for (const v of more[key]) (done.lp[key] as unknown[]).push(v);
        done.offset += textOf(choice, done.to, to).length;
        done.to = to;
      }
      return done.lp;
    };
    const base = { id, object: 'text_completion', created, model };

    const renderer: Renderer = {
      observe: (choice, event) => void bodyLogprobs(choice, event.generated, echo ? prompts[choice.promptIndex].text.length : 0),
      tokenChunks: (choice: Choice, event: TokenEvent, last: boolean, usage: Usage | undefined) => {
        const from = event.generated - event.tokenIds.length;
        const prefix = echo && from === 0 ? prompts[choice.promptIndex].text : '';
        const finish = last ? choice.plan.finishReason : null;
        return [
          {
            ...base,
            choices: [
              {
                index: choice.index,
                text: prefix + textOf(choice, from, event.generated),
                logprobs: sampleLogprobs(choice, from, event.generated, prefix.length),
                finish_reason: finish,
                stop_reason: last ? stopReasonOf(choice) : null,
                ...promptIdsOf(choice, from === 0),
                ...tokenIdsOf(choice, from, event.generated),
              },
            ],
            usage: usage ?? null,
          },
        ];
      },
      finishChunks: (choice, outcome, usage) => [
        {
          ...base,
          choices: [
            {
              index: choice.index,
              text: echo && choice.generated === 0 ? prompts[choice.promptIndex].text : '',
              logprobs: null,
              finish_reason: outcome.finishReason,
              stop_reason: stopReasonOf(choice),
              ...promptIdsOf(choice, choice.generated === 0),
              ...tokenIdsOf(choice, 0, 0),
            },
          ],
          usage: usage ?? null,
        },
      ],
      usageChunk: (usage) => ({ ...base, choices: [], usage }),
      body: (choices, usage) => ({
        ...base,
        choices: choices.map((c) => {
          const prefix = echo ? prompts[c.promptIndex].text : '';
          return {
            index: c.index,
            text: prefix + textOf(c, 0, c.generated),
            logprobs: bodyLogprobs(c, c.generated, prefix.length),
            finish_reason: c.outcome?.finishReason ?? c.plan.finishReason,
            stop_reason: stopReasonOf(c),
            ...tokenIdsOf(c, 0, c.generated),
            prompt_logprobs: null,
            ...promptIdsOf(c, true),
          };
        }),
        service_tier: null,
        system_fingerprint: null,
        usage,
        kv_transfer_params: null,
      }),
    };

    return this.door.serve({
      reply,
      requestId,
      route: '/v1/completions',
      model,
      dto,
      n,
      maxTokensParam: dto.max_tokens ?? DEFAULT_MAX_TOKENS,
      renderer,
      prompts: prompts.map((p, i) => ({
        tokenIds: p.tokenIds,
        reply: (choiceIndex: number) => ({
          kind: 'completion' as const,
          prompt: p.text,
          choiceIndex,
          seed: seed === undefined ? undefined : seed + i,
          maxTokens: maxTokens[i],
          roomTokens: this.served.maxModelLen - p.tokenIds.length,
          ...replyLimits(dto),
          format,
        }),
      })),
    });
  }

  /**
   * Text prompts are encoded in slices with the event loop turning between them: a 128k-token
   * prompt takes 0.1-2.5 s to encode (docs/tokenizer.md), and every stream would stall meanwhile.
   */
  private async prompts(prompt: CompletionRequestDto['prompt']): Promise<Prompt[]> {
    const one = async (p: string | number[]): Promise<Prompt> =>
      typeof p === 'string' ? { text: p, tokenIds: await encodePromptYielding(this.tokenizer, p) } : { text: this.tokenizer.decode(p), tokenIds: [...p] };
    if (typeof prompt === 'string') return [await one(prompt)];
    if (prompt.every((p) => typeof p === 'number')) return [await one(prompt as number[])];
    const out: Prompt[] = [];
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
