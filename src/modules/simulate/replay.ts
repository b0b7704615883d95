import { Engine, EngineRefusal } from '../engine/engine';
import { VirtualClock } from '../engine/virtual-clock';
import { RequestOutcome } from '../engine/engine.types';
import { DataParallelCluster, DisaggregatedLegs, ServingCluster } from './cluster';
import { DoubleList } from './latency-summary';
import { PlannedRequest, promptLengthOf, promptOf } from './planned-request';
import { REPLY_TOKEN } from './prompt-shape';
import { createRouter } from './routing';

/** How a replay sends its requests (the client side of a benchmark tool). */
export interface ReplayOptions {
  /**
   * At most this many requests in flight, as `vllm bench serve --max-concurrency` (an asyncio
   * semaphore) or AIPerf's `--concurrency`: a request that falls due while the limit is reached
   * waits, first come first served, and is sent the moment one in flight finishes. Undefined: every
   * request is sent when it falls due (open loop).
   */
  maxConcurrency?: number;
}

export interface ReplayControl extends ReplayOptions {
  /** Later turns of conversations falling due after this (ms) are not sent: the workload is over. */
  lastArrival?: number;
  /** Requests whose prompt + output exceed this are refused when sent, as the server answers 400. */
  maxModelLen?: number;
  /** Called every few simulated seconds with the requests settled (ended, refused or dropped) so far. */
  onProgress?: (settled: number, total: number) => void;
  /** When the clock reaches `at`, `stop()` may end the replay there: the rest is never simulated. */
  checkpoint?: { at: number; stop: (records: readonly RequestRecord[]) => boolean };
}

/** One request as its client saw it, times in ms on the virtual clock. */
export interface RequestRecord {
  request: PlannedRequest;
  /** When it fell due: its arrival, or its previous turn's end plus the think time; NaN if it never did. */
  due: number;
  /** When the client sent it (its due time, or later if it waited for a concurrency slot); NaN if never. */
  sent: number;
  /** First admission to a running batch. */
  scheduled?: number;
  firstToken?: number;
  end?: number;
  outputTokens: number;
  promptTokens: number;
  /** Prompt tokens the engine found in its prefix cache. */
  cachedTokens: number;
  /** Replica that served it; -1 if none did. */
  replica: number;
  /** Why it was refused when sent (too long for the context window or the KV cache). */
  refused?: string;
  itlCount: number;
  itlSum: number;
  /** On a prefill/decode cluster: how it was split, and the decode side's own outcome. */
  legs?: DisaggregatedLegs;
  decode?: RequestOutcome;
}

export interface ReplayResult {
  /** In the order of the requests given. */
  records: RequestRecord[];
  /** Every inter-token gap (ms) and the index of the record it belongs to. */
  itls: DoubleList;
  itlOwners: DoubleList;
  /** The replay ended at its checkpoint, with requests still in flight. */
  stopped: boolean;
  /** The last request's end, ms (0 if none ended). */
  lastEnd: number;
}

/** Simulated time between two progress reports (and checks of the wall clock). */
const PROGRESS_SLICE_MS = 5_000;

/**
 * Sends planned requests to a cluster as a benchmark client would and runs the virtual clock until
 * all have ended. Latencies count from when a request is sent (TTFT, E2E), as vLLM's benchmark
 * tools and AIPerf measure them: time spent waiting for a client-side concurrency slot is not
 * server latency.
 */
export function replayOnCluster(requests: readonly PlannedRequest[], cluster: ServingCluster, control: ReplayControl = {}): ReplayResult {
  const clock = cluster.clock;
  const limit = control.maxConcurrency ?? Number.POSITIVE_INFINITY;
  const lastArrival = control.lastArrival ?? Number.POSITIVE_INFINITY;
  const maxModelLen = control.maxModelLen ?? Number.POSITIVE_INFINITY;
  const itls = new DoubleList();
  const itlOwners = new DoubleList();
  const records: RequestRecord[] = requests.map((request) => ({
    request,
    due: request.follows ? Number.NaN : request.arrival,
    sent: Number.NaN,
    outputTokens: 0,
    promptTokens: promptLengthOf(request),
    cachedTokens: 0,
    replica: -1,
    itlCount: 0,
    itlSum: 0,
  }));
  const followers = new Map<number, number[]>();
  requests.forEach((r, i) => {
    if (r.follows) followers.set(r.follows.index, [...(followers.get(r.follows.index) ?? []), i]);
  });
  const waiting: number[] = [];
  let inFlight = 0;
  let settled = 0;
  let lastEnd = 0;
  const outputs = new Map<number, number[]>();
  const outputIds = (n: number): number[] => {
    let ids = outputs.get(n);
    if (!ids) outputs.set(n, (ids = new Array<number>(n).fill(REPLY_TOKEN)));
    return ids;
  };

  /** A request that will never be sent, and the later turns that depended on it. */
  const drop = (index: number): void => {
    settled++;
    for (const f of followers.get(index) ?? []) drop(f);
  };
  const refuse = (index: number, reason: string): void => {
    records[index].refused = reason;
    settled++;
    for (const f of followers.get(index) ?? []) drop(f);
  };
  const send = (index: number): void => {
    const record = records[index];
    record.sent = clock.now();
    const out = record.request.outputTokens;
    if (record.promptTokens + out > maxModelLen) {
      refuse(index, `prompt (${record.promptTokens}) + output (${out}) tokens exceed max_model_len ${maxModelLen}`);
      return;
    }
    inFlight++;
    try {
      record.replica = cluster.submit(
        { id: `sim-${index + 1}`, promptTokenIds: promptOf(record.request), outputTokenIds: outputIds(out), finishReason: 'length', maxTokens: out, n: 1 },
        {
          onTokens: (e) => {
            record.firstToken ??= e.time;
            if (e.interTokenMs !== undefined) {
              itls.push(e.interTokenMs);
              itlOwners.push(index);
              record.itlCount++;
              record.itlSum += e.interTokenMs;
            }
            record.outputTokens = e.generated;
          },
          onLegs: (legs) => (record.legs = legs),
          onFinished: (o) => {
            record.end = o.finishedTime;
            // Disaggregated: queued and cache hits are the prefill side's (the decode side's "cached" are the pulled tokens).
            const first = record.legs?.prefill ?? o;
            record.scheduled = first.scheduledTime;
            record.cachedTokens = first.cachedTokens;
            if (record.legs) record.decode = o;
            if (o.finishedTime > lastEnd) lastEnd = o.finishedTime;
            inFlight--;
            settled++;
            for (const f of followers.get(index) ?? []) {
              const due = o.finishedTime + requests[f].follows!.thinkMs;
              if (o.finishReason !== 'length' || due > lastArrival) drop(f);
              else clock.at(due, () => fallDue(f));
            }
            // The freed slot goes to the longest-waiting request, sent at this same instant (after the
            // engine has finished its step, as a client only learns of the end from the stream).
            const next = waiting.shift();
            if (next !== undefined) clock.at(clock.now(), () => trySend(next));
          },
        },
      );
    } catch (err) {
      if (!(err instanceof EngineRefusal)) throw err;
      inFlight--;
      refuse(index, err.message);
    }
  };
  /** Sends, and if the engine refused it at once, lets the next waiting request have the slot. */
  const trySend = (index: number): void => {
    send(index);
    while (inFlight < limit && waiting.length > 0 && records[index].refused !== undefined) send((index = waiting.shift()!));
  };
  const fallDue = (index: number): void => {
    records[index].due = clock.now();
    if (inFlight < limit && waiting.length === 0) trySend(index);
    else waiting.push(index);
  };

  // Due times in order; ties keep the order of `requests` (the clock runs equal-time timers in the order set).
  const order = requests.map((_, i) => i).filter((i) => !requests[i].follows);
  order.sort((a, b) => requests[a].arrival - requests[b].arrival || a - b);
  for (const index of order) clock.at(requests[index].arrival, () => fallDue(index));

  let stopped = false;
  let checkpoint = control.checkpoint;
  for (let next = clock.nextDue(); next !== undefined; next = clock.nextDue()) {
    const until = next + PROGRESS_SLICE_MS;
    if (checkpoint && until >= checkpoint.at) {
      clock.advanceTo(checkpoint.at);
      const stop = checkpoint.stop(records);
      checkpoint = undefined;
      if (stop) {
        stopped = true;
        break;
      }
      continue;
    }
    clock.advanceTo(until);
    control.onProgress?.(settled, requests.length);
  }
  control.onProgress?.(settled, requests.length);
  return { records, itls, itlOwners, stopped, lastEnd };
}

/** A single engine as a one-replica cluster. */
export function singleEngine(engine: Engine, clock: VirtualClock): ServingCluster {
  return new DataParallelCluster(clock, [engine], createRouter('round_robin', { blockSize: 16, cacheBlocks: 0 }));
}

/** One request as its client saw it (the shape the fidelity benches read). */
export interface ReplayedRequest {
  request: PlannedRequest;
  /** When the client sent it: its arrival, or later if it waited for a concurrency slot. */
  sent: number;
  firstToken?: number;
  end?: number;
  /** Gaps between consecutive tokens. */
  itls: number[];
  outputTokens: number;
}

/**
 * Sends planned requests to one engine and runs the virtual clock until all have finished; records
 * come back in the order of `requests`, each with its inter-token gaps.
 */
export function replayTimeline(requests: readonly PlannedRequest[], engine: Engine, clock: VirtualClock, options: ReplayOptions = {}): ReplayedRequest[] {
  const result = replayOnCluster(requests, singleEngine(engine, clock), options);
  const out: ReplayedRequest[] = result.records.map((r) => ({ request: r.request, sent: r.sent, firstToken: r.firstToken, end: r.end, itls: [], outputTokens: r.outputTokens }));
  const gaps = result.itls.view();
  const owners = result.itlOwners.view();
  for (let i = 0; i < gaps.length; i++) out[owners[i]].itls.push(gaps[i]);
  return out;
}
