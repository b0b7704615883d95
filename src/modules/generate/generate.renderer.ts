import { Usage } from '../api/usage';
import { TokenEvent } from '../engine/engine.types';
import { Choice } from '../generation/generation';
import { Renderer } from '../http/http-responder';

export interface GenerateRenderContext {
  requestId: string;
  /** P/D prefill side: the kv_transfer_params the body hands the decoder. */
  kvTransferParams?: (choices: readonly Choice[]) => object;
}

/** vLLM's GenerateResponse and GenerateStreamResponse: token ids out, no text. */
export function generateRenderer(ctx: GenerateRenderContext): Renderer {
  const choice = (index: number, finish: string | null, tokenIds: readonly number[]) => ({ index, logprobs: null, finish_reason: finish, token_ids: [...tokenIds] });
  const chunk = (choices: object[], usage?: Usage) => ({ request_id: ctx.requestId, choices, ...(usage ? { usage } : {}) });
  return {
    tokenChunks: (c: Choice, event: TokenEvent, last: boolean, usage: Usage | undefined) => [chunk([choice(c.index, last ? c.plan.finishReason : null, event.tokenIds)], usage)],
    finishChunks: (c, outcome, usage) => [chunk([choice(c.index, outcome.finishReason, [])], usage)],
    usageChunk: (usage) => chunk([], usage as Usage),
    body: (choices) => ({
      request_id: ctx.requestId,
      choices: choices.map((c) => choice(c.index, c.outcome?.finishReason ?? c.plan.finishReason, c.plan.tokenIds.slice(0, c.generated))),
      prompt_logprobs: null,
      kv_transfer_params: ctx.kvTransferParams?.(choices) ?? null,
    }),
  };
}
