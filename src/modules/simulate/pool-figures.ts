import { EngineRole } from './cluster';
import { LatencySummary, summarizeLatencies } from './latency-summary';
import { ClusterRecorder } from './recorder';
import { ReplayResult } from './replay';
import { detectSaturation } from './saturation';

/** One pool of a prefill/decode cluster, from its own side: when requests reached it and what it did with them. */
export interface PoolFigures {
  pool: 'prefill' | 'decode';
  replicas: number;
  /** Requests that reached the pool, and of those how many it finished. */
  requests: number;
  completed: number;
  /** Over the whole simulated time: legs finished, prompt tokens computed (not cache hits, not pulled), output tokens produced. */
  achieved: { requests_per_s: number; prompt_tokens_per_s: number; output_tokens_per_s: number };
  /**
   * From reaching the pool to its first token, as the pool's own servers measure it: on the prefill
   * side its queue and the prefill; on the decode side the KV transfer, its queue and the first step.
   */
  ttft_ms: LatencySummary;
  /** From reaching the pool to admission into a running batch (the decode side: after its KV arrived). */
  queue_ms: LatencySummary;
  /** Decode side: each request's KV pull over the link (null on the prefill side). */
  transfer_ms: LatencySummary | null;
  transferred_tokens: number;
  transferred_bytes: number;
  /** Decode side: every gap between two tokens (null on the prefill side). */
  itl_ms: LatencySummary | null;
  /** From reaching the pool to leaving it. */
  e2e_ms: LatencySummary;
  mean_running: number;
  mean_waiting: number;
  max_waiting: number;
  /** 0..1, mean over the pool's engines and time. */
  mean_kv_usage: number;
  /** Prompt tokens of its finished legs, and how many its own prefix cache held (the decode side: what it did not pull). */
  prefix_cache: { prompt_tokens: number; cached_tokens: number; hit_rate: number };
  preemptions: number;
  saturated: boolean;
  saturation_reason: string | null;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const r2 = (v: number): number => Math.round(v * 100) / 100;
const r1 = (v: number): number => Math.round(v * 10) / 10;
const per = (n: number, ms: number): number => (ms > 0 ? (n * 1000) / ms : 0);

/**
 * The prefill pool and the decode pool of a disaggregated run, from the records' legs and the
 * engines' own tallies. Saturation per pool: its backlog trend over the arrival window, and the trend
 * of its own TTFT for the requests that reached it.
 */
export function buildPoolFigures(result: ReplayResult, recorder: ClusterRecorder, roles: readonly EngineRole[], arrivalEnd: number, endMs: number): PoolFigures[] {
  const records = result.records;
  const gaps = result.itls.view();
  const owners = result.itlOwners.view();
  return (['prefill', 'decode'] as const).map((pool) => {
    const engines = roles.flatMap((role, k) => (role === pool ? [k] : []));
    const ttft: number[] = [];
    const queue: number[] = [];
    const e2e: number[] = [];
    const transfer: number[] = [];
    const arrivals: { due: number; ttftMs: number }[] = [];
    const isDecode = pool === 'decode';
    let requests = 0;
    let completed = 0;
    let computed = 0;
    let prompt = 0;
    let cached = 0;
    let tokens = 0;
    let bytes = 0;
    const mine = new Uint8Array(records.length);
    records.forEach((r, i) => {
      const legs = r.legs;
      if (!isDecode) {
        if (Number.isNaN(r.sent) || r.refused !== undefined) return;
        requests++;
        // Still prefilling where a run stopped: its TTFT so far is a lower bound.
        if (!legs) {
          arrivals.push({ due: r.sent, ttftMs: endMs - r.sent });
          return;
        }
        const o = legs.prefill;
        completed++;
        const first = o.firstTokenTime ?? o.finishedTime;
        ttft.push(first - r.sent);
        if (o.scheduledTime !== undefined) queue.push(o.scheduledTime - r.sent);
        e2e.push(o.finishedTime - r.sent);
        arrivals.push({ due: r.sent, ttftMs: first - r.sent });
        prompt += o.promptTokens;
        cached += o.cachedTokens;
        computed += o.promptTokens - Math.min(o.cachedTokens, o.promptTokens - 1);
        return;
      }
      if (!legs) return;
      const arrived = legs.prefill.finishedTime;
      requests++;
      mine[i] = 1;
      arrivals.push({ due: arrived, ttftMs: (r.firstToken ?? endMs) - arrived });
      const o = r.decode;
      if (!o) return;
      completed++;
      if (r.firstToken !== undefined) ttft.push(r.firstToken - arrived);
      if (o.scheduledTime !== undefined) queue.push(o.scheduledTime - arrived);
      e2e.push(o.finishedTime - arrived);
      const t = legs.transfer;
      if (t) {
        transfer.push(t.endTime - t.startTime);
        tokens += t.tokens;
        bytes += t.bytes;
      }
      prompt += o.promptTokens;
      cached += o.promptTokens - (o.transferredTokens ?? 0);
      computed += 1;
    });
    const itls: number[] = [];
    if (isDecode) for (let k = 0; k < gaps.length; k++) if (mine[owners[k]]) itls.push(gaps[k]);
    const tally = recorder.replicasTally(engines);
    const backlog = (from: number, to: number): number => engines.reduce((s, k) => s + recorder.meanBacklog(from, to, k), 0);
    const verdict = detectSaturation({ start: 0, end: arrivalEnd, backlog, arrivals });
    return {
      pool,
      replicas: engines.length,
      requests,
      completed,
      achieved: { requests_per_s: r3(per(completed, endMs)), prompt_tokens_per_s: r1(per(computed, endMs)), output_tokens_per_s: r1(per(tally.tokens, endMs)) },
      ttft_ms: summarizeLatencies(ttft),
      queue_ms: summarizeLatencies(queue),
      transfer_ms: isDecode ? summarizeLatencies(transfer) : null,
      transferred_tokens: tokens,
      transferred_bytes: bytes,
      itl_ms: isDecode ? summarizeLatencies(itls) : null,
      e2e_ms: summarizeLatencies(e2e),
      mean_running: r2(endMs > 0 ? tally.runningMs / endMs : 0),
      mean_waiting: r2(endMs > 0 ? tally.waitingMs / endMs : 0),
      max_waiting: tally.maxWaiting,
      mean_kv_usage: r3(endMs > 0 && engines.length > 0 ? tally.kvMs / endMs / engines.length : 0),
      prefix_cache: { prompt_tokens: prompt, cached_tokens: cached, hit_rate: prompt > 0 ? r3(cached / prompt) : 0 },
      preemptions: tally.preemptions,
      saturated: verdict.saturated,
      saturation_reason: verdict.reason,
    };
  });
}
