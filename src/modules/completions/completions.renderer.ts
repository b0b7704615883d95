import { LogprobSampler } from '../api/logprobs';
import { Usage } from '../api/usage';
import { TokenEvent } from '../engine/engine.types';
import { Choice, stopReasonOf } from '../generation/generation';
import { Renderer } from '../http/http-responder';

/** A completions prompt: its text (for echo) and its token ids. */
export interface CompletionPrompt {
  text: string;
  tokenIds: number[];
}

/** What a text completion's chunks and body are made of, besides the choices. */
export interface CompletionRenderContext {
  /** P/D prefill side: the kv_transfer_params the body hands the decoder. */
  kvTransferParams?: (choices: readonly Choice[]) => object;
  id: string;
  created: number;
  model: string;
  prompts: readonly CompletionPrompt[];
  echo: boolean;
  /** return_token_ids */
  returnTokenIds: boolean;
  /** Set when logprobs were asked for, with how many alternatives. */
  logprobs: LogprobSampler | null;
  topLogprobs: number;
}

/** vLLM's text_completion body and stream for one request. */
export function completionRenderer(ctx: CompletionRenderContext): Renderer {
  const { id, created, model, prompts, logprobs, returnTokenIds } = ctx;
  // An echoed prompt comes as ids only, not as text, with return_token_ids.
  const echo = ctx.echo && !returnTokenIds;
  // return_token_ids (vLLM): the prompt's ids on each choice's first chunk and in the body, the
  // output ids on every chunk and choice; an echoed prompt then comes as ids only, not as text.
  // vLLM writes every field of its completion models, unset ones as null (model_dump, and
  // model_dump_json(exclude_unset=False) for chunks): these ids and a chunk's usage included.
  // (Objects are written as literals with every key, not spreads: V8 builds `{ ...a, b }` slowly.)
  const promptIdsOf = (choice: Choice, first: boolean) => (returnTokenIds && first ? prompts[choice.promptIndex].tokenIds : null);
  const tokenIdsOf = (choice: Choice, from: number, to: number) => (returnTokenIds ? choice.plan.tokenIds.slice(from, to) : null);
  const textOf = (choice: Choice, from: number, to: number): string => choice.plan.pieces.slice(from, to).join('');
  const sampleLogprobs = (choice: Choice, from: number, to: number, offset: number) =>
    logprobs?.completion(choice.plan.tokenIds.slice(from, to), choice.plan.pieces.slice(from, to), ctx.topLogprobs, offset) ?? null;
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
  const object = 'text_completion';

  return {
    observe: (choice, event) => void bodyLogprobs(choice, event.generated, echo ? prompts[choice.promptIndex].text.length : 0),
    tokenChunks: (choice: Choice, event: TokenEvent, last: boolean, usage: Usage | undefined) => {
      const from = event.generated - event.tokenIds.length;
      const prefix = echo && from === 0 ? prompts[choice.promptIndex].text : '';
      const finish = last ? choice.plan.finishReason : null;
      return [
        {
          id,
          object,
          created,
          model,
          choices: [
            {
              index: choice.index,
              text: prefix + textOf(choice, from, event.generated),
              logprobs: sampleLogprobs(choice, from, event.generated, prefix.length),
              finish_reason: finish,
              stop_reason: last ? stopReasonOf(choice) : null,
              prompt_token_ids: promptIdsOf(choice, from === 0),
              token_ids: tokenIdsOf(choice, from, event.generated),
            },
          ],
          usage: usage ?? null,
        },
      ];
    },
    finishChunks: (choice, outcome, usage) => [
      {
        id,
        object,
        created,
        model,
        choices: [
          {
            index: choice.index,
            text: echo && choice.generated === 0 ? prompts[choice.promptIndex].text : '',
            logprobs: null,
            finish_reason: outcome.finishReason,
            stop_reason: stopReasonOf(choice),
            prompt_token_ids: promptIdsOf(choice, choice.generated === 0),
            token_ids: tokenIdsOf(choice, 0, 0),
          },
        ],
        usage: usage ?? null,
      },
    ],
    usageChunk: (usage) => ({ id, object, created, model, choices: [], usage }),
    body: (choices, usage) => ({
      id,
      object,
      created,
      model,
      choices: choices.map((c) => {
        const prefix = echo ? prompts[c.promptIndex].text : '';
        return {
          index: c.index,
          text: prefix + textOf(c, 0, c.generated),
          logprobs: bodyLogprobs(c, c.generated, prefix.length),
          finish_reason: c.outcome?.finishReason ?? c.plan.finishReason,
          stop_reason: stopReasonOf(c),
          token_ids: tokenIdsOf(c, 0, c.generated),
          prompt_logprobs: null,
          prompt_token_ids: promptIdsOf(c, true),
        };
      }),
      service_tier: null,
      system_fingerprint: null,
      usage,
      kv_transfer_params: ctx.kvTransferParams?.(choices) ?? null,
    }),
  };
}
