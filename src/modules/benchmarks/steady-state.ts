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
 * decode. Rate points: c from Little's law (c = rate x E2E), solved by fixed-point iteration. The
 * API server's time comes first; under async scheduling a request arriving during a step also
 * waits for the step planned meanwhile.
 */
export function predictSteadyState(model: StepTimeModel, w: Workload, limits: EngineLimitsLike): LatencyPrediction {
  const I = w.inputTokens;
  const O = Math.max(1, w.outputTokens);
  const avgContext = I + O / 2;
  const budget = limits.maxNumBatchedTokens;
  const decodeStep = (c: number): number => model.stepTimeMs({ prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: c, decodeContextTokens: c * avgContext });

  const frontendMs = model.host?.frontendMs(I) ?? 0;
  if (w.load.type === 'batch') {
    // vllm bench latency: the whole batch prefills together, then decodes in lockstep (offline: no API server).
    const B = w.load.batch_size;
    const ttftMs = prefillMs(model, B * I, 0, 0, budget);
    const itlMs = decodeStep(B);
    return { ttftMs, itlMs, e2eMs: ttftMs + (O - 1) * itlMs, concurrency: B };
  }

  /**
   * c sequences in flight, new requests arriving `perMs` (a rate, or c per cycle in a closed loop).
   * A newcomer also queues behind the prefills that arrived just before it: their work is a
   * server of utilisation rho = arrivals x work, waited for as in M/D/1 (rho x work / 2(1 - rho)),
   * never more than the c - 1 others' prefills.
   */
  const atConcurrency = (c: number, perMs: number): LatencyPrediction => {
    const others = Math.max(0, c - 1);
    const mixedMs = prefillMs(model, I, others, avgContext, budget);
    const plainMs = decodeStep(c);
    const othersOnlyMs = others > 0 ? decodeStep(others) : 0;
    // A new request waits on average half a step for the step in flight to end (and one more step under async scheduling).
    const waitMs = others > 0 ? plainMs * (model.host?.asyncScheduling ? 1.5 : 0.5) : 0;
    const workMs = Math.max(plainMs, mixedMs - othersOnlyMs);
    const rho = Math.min(0.95, perMs * workMs);
    const queueMs = others > 0 ? Math.min(others * workMs, (rho * workMs) / (2 * (1 - rho))) : 0;
    const ttftMs = frontendMs + mixedMs + waitMs + queueMs;
    const prefillShare = Math.min(1, others / Math.max(1, O - 1));
    const itlMs = plainMs + prefillShare * Math.max(0, mixedMs - othersOnlyMs);
    return { ttftMs, itlMs, e2eMs: ttftMs + (O - 1) * itlMs, concurrency: c };
  };

  if (w.load.type === 'concurrency') {
    // A closed loop: each of the c clients sends again when its request ends, c requests per E2E.
    const c = Math.min(w.load.concurrency, limits.maxNumSeqs);
    let e2e = atConcurrency(c, 0).e2eMs;
    for (let i = 0; i < 30; i++) {
      const next = atConcurrency(c, c / e2e).e2eMs;
      if (Math.abs(next - e2e) < 1e-3) break;
      e2e = 0.5 * e2e + 0.5 * next;
    }
    return atConcurrency(c, c / e2e);
  }
  if (w.load.type === 'rate') {
    const rate = w.load.rate_qps;
    if (rate === null) return atConcurrency(limits.maxNumSeqs, 0);
    let c = 1;
    for (let i = 0; i < 100; i++) {
      const next = Math.min(limits.maxNumSeqs, Math.max(1, (rate * atConcurrency(c, rate / 1000).e2eMs) / 1000));
      if (Math.abs(next - c) < 1e-4) break;
      c = 0.5 * c + 0.5 * next;
    }
    return atConcurrency(c, rate / 1000);
  }
  throw new Error(`No latency prediction for load type "${w.load.type}"`);
}
