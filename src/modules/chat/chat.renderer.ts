import { Usage, withoutUnsetDetails } from '../api/usage';
import { LogprobSampler } from '../api/logprobs';
import { TokenEvent } from '../engine/engine.types';
import { Choice, stopReasonOf } from '../generation/generation';
import { Renderer } from '../http/http-responder';
import { ToolCallRendering } from './chat-tools';

/** A chunk's choice that carries no token_ids field at all (not even null). */
const NO_FIELDS = Object.freeze({});

/** What a chat completion's chunks and body are made of, besides the choices. */
export interface ChatRenderContext {
  /** P/D prefill side: the kv_transfer_params the body hands the decoder. */
  kvTransferParams?: (choices: readonly Choice[]) => object;
  id: string;
  created: number;
  model: string;
  promptTokenIds: readonly number[];
  stream: boolean;
  /** return_token_ids */
  returnTokenIds: boolean;
  /** Set when logprobs were asked for. */
  sampler: LogprobSampler | null;
  topLogprobs: number;
  calls: ToolCallRendering;
}

/** vLLM's chat.completion body and chat.completion.chunk stream for one request. */
export function chatRenderer(ctx: ChatRenderContext): Renderer {
  const { id, created, model, sampler, calls } = ctx;
  // A body's logprobs are sampled step by step as its tokens come (see Renderer.observe), not all
  // at its end: thousands of tokens with top_logprobs would hold the event loop for long.
  const sampled = new Map<number, object[]>();
  const logprobsOf = (choice: Choice, from: number, to: number) => {
    if (!sampler) return null;
    if (ctx.stream) return { content: sampler.chat(choice.plan.tokenIds.slice(from, to), ctx.topLogprobs) };
    let done = sampled.get(choice.index);
    if (!done) sampled.set(choice.index, (done = []));
    for (const entry of done.length < to ? sampler.chat(choice.plan.tokenIds.slice(done.length, to), ctx.topLogprobs) : []) done.push(entry);
    return { content: done.slice(from, to) };
  };
  const object = 'chat.completion.chunk';
  // return_token_ids (vLLM): the prompt's ids on each choice's first chunk and in the body, the
  // output ids on every token chunk and choice. vLLM passes them (None when not asked for) to the
  // chunks it dumps with exclude_unset, so they are there as null; the role chunk's choice has none.
  const promptIds = ctx.returnTokenIds ? ctx.promptTokenIds : null;
  const tokenIdsOf = (choice: Choice, from: number, to: number) => (ctx.returnTokenIds ? choice.plan.tokenIds.slice(from, to) : null);
  // Chunks are built key by key, not with spreads: one per token, and V8 builds `{ ...a, b }` slowly.
  // `ids`: the choice's token_ids, or NO_FIELDS for a choice without the field.
  const chunk = (index: number, delta: object, logprobs: object | null, finish: string | null, stopReason: string | number | null, usage?: Usage, ids: readonly number[] | null | typeof NO_FIELDS = NO_FIELDS) => {
    const choice: Record<string, unknown> = { index, delta, logprobs, finish_reason: finish };
    if (finish !== null) choice.stop_reason = stopReason;
    if (ids !== NO_FIELDS) choice.token_ids = ids;
    const out: Record<string, unknown> = { id, object, created, model, choices: [choice] };
    // Chat dumps its chunks with exclude_unset: a per-chunk usage has no details field.
    if (usage) out.usage = withoutUnsetDetails(usage);
    return out;
  };
  const roleChunk = (index: number, usage: Usage | undefined) => {
    const out = chunk(index, { role: 'assistant', content: '' }, null, null, null, usage);
    out.prompt_token_ids = promptIds;
    return out;
  };
  const finishOf = (choice: Choice, reason: string) => calls.finishReason(choice, reason);
  // A reasoning model's thinking goes in `reasoning` (vLLM's field) and `reasoning_content` (its older name, still sent).
  const thinking = (c: Choice, from: number, to: number): string | null => {
    const r = c.plan.reasoning;
    return r ? c.plan.pieces.slice(Math.max(from, r.bodyStart), Math.min(to, r.bodyEnd)).join('') : null;
  };
  const message = (c: Choice) => {
    const { content, tool_calls } = calls.message(c);
    const reasoning = thinking(c, 0, c.generated);
    // With a reasoning parser, an answer cut before it began has no content (vLLM's None).
    const text = reasoning !== null && content === '' ? null : content;
    return {
      role: 'assistant',
      content: text,
      refusal: null,
      annotations: null,
      audio: null,
      function_call: null,
      tool_calls,
      ...(reasoning !== null ? { reasoning } : {}),
      reasoning_content: reasoning,
    };
  };
  /** The delta of tokens from..to: the thinking they carry, then the answer's (content or tool calls); null when they carry neither (a marker). */
  const deltaOf = (c: Choice, from: number, to: number): object | null => {
    const answerFrom = Math.max(from, c.plan.reasoning?.end ?? 0);
    const reasoning = thinking(c, from, to);
    const answer = answerFrom < to ? calls.delta(c, answerFrom, to) : null;
    if (!reasoning && !answer) return null;
    return { ...(reasoning ? { reasoning, reasoning_content: reasoning } : {}), ...(answer ?? {}) };
  };

  return {
    observe: (choice, event) => void logprobsOf(choice, 0, event.generated),
    tokenChunks: (choice: Choice, event: TokenEvent, last: boolean, usage: Usage | undefined) => {
      const from = event.generated - event.tokenIds.length;
      const out: object[] = [];
      // The role chunk goes out with the first token: clients measure TTFT on it.
      if (from === 0) out.push(roleChunk(choice.index, usage));
      const finish = last ? finishOf(choice, choice.plan.finishReason) : null;
      const delta = deltaOf(choice, from, event.generated);
      // A reasoning parser sends nothing for its markers' tokens; the last chunk still carries the finish.
      if (delta === null && !last) return out;
      out.push(chunk(choice.index, delta ?? { content: '' }, logprobsOf(choice, from, event.generated), finish, stopReasonOf(choice), usage, tokenIdsOf(choice, from, event.generated)));
      return out;
    },
    finishChunks: (choice, outcome, usage) => [
      roleChunk(choice.index, usage),
      chunk(choice.index, { content: '' }, null, outcome.finishReason, stopReasonOf(choice), usage, tokenIdsOf(choice, 0, 0)),
    ],
    usageChunk: (usage) => ({ id, object, created, model, choices: [], usage }),
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
        token_ids: ctx.returnTokenIds ? c.plan.tokenIds.slice(0, c.generated) : null,
      })),
      service_tier: null,
      system_fingerprint: null,
      usage,
      prompt_logprobs: null,
      prompt_token_ids: ctx.returnTokenIds ? ctx.promptTokenIds : null,
      kv_transfer_params: ctx.kvTransferParams?.(choices) ?? null,
    }),
  };
}
