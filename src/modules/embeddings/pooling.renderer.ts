import { Usage } from '../api/usage';
import { Choice } from '../generation/generation';
import { Renderer } from '../http/http-responder';

/** vLLM's UsageInfo of a pooling response: prompt tokens only. */
export function poolingUsage(promptTokens: number): Usage {
  return { prompt_tokens: promptTokens, total_tokens: promptTokens, completion_tokens: 0, prompt_tokens_details: null };
}

/**
 * A renderer for a pooling route: never streamed, its JSON body built once every prompt was
 * prefilled (the choices carry each prompt's outcome, in prompt order).
 */
export function poolingRenderer(body: (choices: readonly Choice[]) => object): Renderer {
  return {
    tokenChunks: () => [],
    finishChunks: () => [],
    usageChunk: () => ({}),
    body: (choices) => body([...choices].sort((a, b) => a.index - b.index)),
  };
}

/** Logistic function: a cross-encoder's relevance logit as a score in (0, 1). */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Probabilities of logits (softmax), stable for large values. */
export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((s, e) => s + e, 0);
  return exps.map((e) => e / sum);
}
