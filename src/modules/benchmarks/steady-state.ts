import { BenchmarkLoad } from './measurements';
import { StepTimeModel } from './profile.types';

export interface Workload {
  inputTokens: number;
  outputTokens: number;
  load: BenchmarkLoad;
}

export interface EngineLimitsLike {
  maxNumBatchedTokens: number;
  maxNumSeqs: number;
}

export interface LatencyPrediction {
  ttftMs: number;
  itlMs: number;
  e2eMs: number;
  /** Sequences in flight assumed by the approximation. */
  concurrency: number;
}

/** Time to prefill a prompt in chunks of the step budget, each chunk sharing its step with `decodes` decodes. */
export function prefillMs(model: StepTimeModel, prompt: number, decodes: number, decodeContext: number, budget: number): number {
  let done = 0;
  let total = 0;
  while (done < prompt) {
    const chunk = Math.min(prompt - done, Math.max(1, budget - decodes));
    total += model.stepTimeMs({ prefillTokens: chunk, prefillContextTokens: done, decodeSeqs: decodes, decodeContextTokens: decodes * decodeContext });
    done += chunk;
  }
  return total;
}

/**
 * Steady-state approximation of a benchmark point, used by the offline fit (the engine replay in
 * bench/fidelity.ts is the real check): c sequences decode with the average context; a new
 * prompt's prefill shares a step with the c-1 others, which each see c-1 such steps during their
 * decode. Rate points: c from Little's law (c = rate x E2E), solved by fixed-point iteration.
 */
export function predictSteadyState(model: StepTimeModel, w: Workload, limits: EngineLimitsLike): LatencyPrediction {
  const I = w.inputTokens;
  const O = Math.max(1, w.outputTokens);
  const avgContext = I + O / 2;
  const budget = limits.maxNumBatchedTokens;
  const decodeStep = (c: number): number => model.stepTimeMs({ prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: c, decodeContextTokens: c * avgContext });

  if (w.load.type === 'batch') {
    // vllm bench latency: the whole batch prefills together, then decodes in lockstep.
    const B = w.load.batch_size;
    const ttftMs = prefillMs(model, B * I, 0, 0, budget);
    const itlMs = decodeStep(B);
    return { ttftMs, itlMs, e2eMs: ttftMs + (O - 1) * itlMs, concurrency: B };
  }

  const atConcurrency = (c: number): LatencyPrediction => {
    const others = Math.max(0, c - 1);
    const mixedMs = prefillMs(model, I, others, avgContext, budget);
    const plainMs = decodeStep(c);
    const othersOnlyMs = others > 0 ? decodeStep(others) : 0;
    // A new request waits on average half a step for the step in flight to end.
    const ttftMs = mixedMs + (others > 0 ? plainMs / 2 : 0);
    const prefillShare = Math.min(1, others / Math.max(1, O - 1));
    const itlMs = plainMs + prefillShare * Math.max(0, mixedMs - othersOnlyMs);
    return { ttftMs, itlMs, e2eMs: ttftMs + (O - 1) * itlMs, concurrency: c };
  };

  if (w.load.type === 'concurrency') return atConcurrency(Math.min(w.load.concurrency, limits.maxNumSeqs));
  if (w.load.type === 'rate') {
    const rate = w.load.rate_qps;
    if (rate === null) return atConcurrency(limits.maxNumSeqs);
    let c = 1;
    for (let i = 0; i < 100; i++) {
      const next = Math.min(limits.maxNumSeqs, Math.max(1, (rate * atConcurrency(c).e2eMs) / 1000));
      if (Math.abs(next - c) < 1e-4) break;
      c = 0.5 * c + 0.5 * next;
    }
    return atConcurrency(c);
  }
  throw new Error(`No latency prediction for load type "${w.load.type}"`);
}
