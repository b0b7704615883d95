import { EngineRole } from './cluster';
import { DoubleList, LatencySummary, summarizeLatencies } from './latency-summary';
import { buildPoolFigures, PoolFigures } from './pool-figures';
import { PlannedWorkload } from './planned-request';
import { ClusterRecorder, Tally } from './recorder';
import { ReplayResult } from './replay';
import { detectSaturation } from './saturation';
import { meetsSlo, requestMeets, requestSlo, Slo } from './slo';

/** Per second of simulated time. */
export interface Rates {
  requests_per_s: number;
  output_tokens_per_s: number;
}

export interface PrefixCacheFigures {
  prompt_tokens: number;
  cached_tokens: number;
  /** cached / prompt tokens of the requests that ended, 0..1. */
  hit_rate: number;
}

/** A stage (or the whole run, `overall`), as the JSON output carries it. */
export interface StageFigures {
  stage: number | 'overall';
  name?: string;
  start_s: number;
  end_s: number;
  /** Requests that fell due in the window. */
  requests: number;
  /** Of those, how many ended (at any time, drain included). */
  completed: number;
  /** Of those, refused when sent (longer than the context window or the KV cache). */
  rejected: number;
  /** What the clients sent: requests due and their output tokens, per second of the window. */
  offered: Rates;
  /** What the engine did in the window: requests it completed and output tokens it produced, per second. */
  achieved: Rates;
  /** Requests due in the window that met every SLO threshold themselves, per second (null without an SLO). */
  goodput: { requests_per_s: number } | null;
  saturated: boolean;
  /** Why it is saturated, in words (null when it is not). */
  saturation_reason: string | null;
  /** When saturated: the request rate the configuration sustains (its output tokens/s at saturation over the mean output length). */
  sustainable_rate: number | null;
  ttft_ms: LatencySummary;
  itl_ms: LatencySummary;
  e2e_ms: LatencySummary;
  /** Sent to first admission into a running batch. */
  queue_ms: LatencySummary;
  mean_running: number;
  mean_waiting: number;
  max_waiting: number;
  /** 0..1, mean over replicas and time. */
  mean_kv_usage: number;
  prefix_cache: PrefixCacheFigures;
  preemptions: number;
  slo_met: boolean | null;
}

/** After the last arrival: the backlog being served with nothing new coming in. */
export interface DrainFigures {
  start_s: number;
  seconds: number;
  /** Requests due before the drain and not yet ended when it began. */
  in_flight_at_start: number;
  completed: number;
  output_tokens: number;
  achieved: Rates;
}

export interface ReplicaFigures {
  replica: number;
  requests: number;
  completed: number;
  achieved: Rates;
  ttft_ms: LatencySummary;
  itl_ms: LatencySummary;
  e2e_ms: LatencySummary;
  mean_running: number;
  mean_waiting: number;
  mean_kv_usage: number;
  prefix_cache: PrefixCacheFigures;
  preemptions: number;
  saturated: boolean;
}

export interface ClassFigures {
  name: string;
  requests: number;
  completed: number;
  rejected: number;
  offered: Rates;
  ttft_ms: LatencySummary;
  itl_ms: LatencySummary;
  e2e_ms: LatencySummary;
  prefix_cache: PrefixCacheFigures;
  goodput: { requests_per_s: number } | null;
}

/** Running, waiting, KV usage and output tokens/s over simulated time (means per point). */
export interface Timeline {
  t_s: number[];
  running: number[];
  waiting: number[];
  kv_usage: number[];
  output_tokens_per_s: number[];
  /** Per replica, when there are several (for the report's chart; not in the JSON output). */
  kv_usage_by_replica?: number[][];
}

export interface SimulationFigures {
  stages: StageFigures[];
  overall: StageFigures;
  drain: DrainFigures;
  classes?: ClassFigures[];
  replicas?: ReplicaFigures[];
  /** A prefill/decode cluster: the prefill pool, then the decode pool. */
  pools?: PoolFigures[];
  /** Any stage saturated. */
  saturated: boolean;
  /** From the longest saturated stage, or null when none is. */
  sustainable_rate: number | null;
  simulated_seconds: number;
  timeline: Timeline;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const r2 = (v: number): number => Math.round(v * 100) / 100;
const r1 = (v: number): number => Math.round(v * 10) / 10;
const per = (n: number, ms: number): number => (ms > 0 ? (n * 1000) / ms : 0);

export interface FiguresInput {
  plan: PlannedWorkload;
  result: ReplayResult;
  recorder: ClusterRecorder;
  slo?: Slo;
  /** Where the simulation ended (ms): the last request's end, or the checkpoint it stopped at. */
  endMs: number;
  /** Per engine (default: each serves whole requests). */
  roles?: readonly EngineRole[];
}

/** Builds every figure of a run: per stage, overall, the drain, per class and per replica. */
export function buildFigures(input: FiguresInput): SimulationFigures {
  const { plan, result, recorder, slo } = input;
  const records = result.records;
  const nStages = plan.stages.length;
  const stageOf = new Int32Array(records.length).fill(-1);
  records.forEach((r, i) => {
    if (Number.isNaN(r.due)) return;
    stageOf[i] = r.request.follows ? Math.min(nStages - 1, recorder.windowOf(r.due)) : Math.min(nStages - 1, Math.max(0, r.request.stage));
  });
  const perRequest = slo ? requestSlo(slo) : null;
  const gaps = result.itls.view();
  const owners = result.itlOwners.view();
  const endMs = Math.max(input.endMs, plan.end);

  // Every inter-token gap sorted once into its stage, client class and replica (and overall).
  const replicaCount = recorder.windows.length;
  const itlsBy = (n: number) => Array.from({ length: n }, () => new DoubleList());
  const stageItls = itlsBy(nStages);
  const classItls = itlsBy(plan.classes.length);
  const replicaItls = itlsBy(replicaCount);
  const allItls = new DoubleList();
  for (let k = 0; k < gaps.length; k++) {
    const i = owners[k];
    if (stageOf[i] < 0) continue;
    const r = records[i];
    stageItls[stageOf[i]].push(gaps[k]);
    classItls[r.request.clientClass ?? 0]?.push(gaps[k]);
    if (r.replica >= 0) replicaItls[r.replica]?.push(gaps[k]);
    allItls.push(gaps[k]);
  }
  const latency = (itls: DoubleList, indices: readonly number[]) => {
    const ttft: number[] = [];
    const e2e: number[] = [];
    const queue: number[] = [];
    for (const i of indices) {
      const r = records[i];
      if (r.firstToken !== undefined) ttft.push(r.firstToken - r.sent);
      if (r.end !== undefined && r.refused === undefined) e2e.push(r.end - r.sent);
      if (r.scheduled !== undefined) queue.push(r.scheduled - r.sent);
    }
    return { ttft_ms: summarizeLatencies(ttft), itl_ms: summarizeLatencies(itls.view()), e2e_ms: summarizeLatencies(e2e), queue_ms: summarizeLatencies(queue) };
  };
  const counts = (indices: readonly number[]) => {
    let completed = 0;
    let rejected = 0;
    let offeredTokens = 0;
    let good = 0;
    let prompt = 0;
    let cached = 0;
    for (const i of indices) {
      const r = records[i];
      offeredTokens += r.request.outputTokens;
      if (r.refused !== undefined) rejected++;
      else if (r.end !== undefined) {
        completed++;
        prompt += r.promptTokens;
        cached += r.cachedTokens;
        if (perRequest && r.firstToken !== undefined && requestMeets(perRequest, r.firstToken - r.sent, r.itlCount > 0 ? r.itlSum / r.itlCount : 0, r.end - r.sent)) good++;
      }
    }
    return { completed, rejected, offeredTokens, good, prefix: { prompt_tokens: prompt, cached_tokens: cached, hit_rate: prompt > 0 ? r3(cached / prompt) : 0 } };
  };
  const occupancy = (t: Tally, ms: number, replicas: number) => ({
    mean_running: r2(ms > 0 ? t.runningMs / ms : 0),
    mean_waiting: r2(ms > 0 ? t.waitingMs / ms : 0),
    max_waiting: t.maxWaiting,
    mean_kv_usage: r3(ms > 0 ? t.kvMs / ms / replicas : 0),
  });
  const arrivalsOf = (indices: readonly number[]) =>
    indices.map((i) => {
      const r = records[i];
      const ttft = r.firstToken !== undefined ? r.firstToken - r.sent : r.refused === undefined && !Number.isNaN(r.sent) ? endMs - r.sent : 0;
      return { due: r.due, ttftMs: ttft };
    });

  const stageIndices: number[][] = plan.stages.map(() => []);
  stageOf.forEach((s, i) => {
    if (s >= 0) stageIndices[s].push(i);
  });
  const stages: StageFigures[] = plan.stages.map((w, s) => {
    const indices = stageIndices[s];
    const ms = w.end - w.start;
    const tally = recorder.windowTally(s);
    const c = counts(indices);
    const verdict = detectSaturation({ start: w.start, end: w.end, backlog: (f, t) => recorder.meanBacklog(f, t), arrivals: arrivalsOf(indices) });
    const lat = latency(stageItls[s], indices);
    let sustainable: number | null = null;
    if (verdict.saturated && indices.length > 0) {
      const mid = (w.start + w.end) / 2;
      const meanOutput = c.offeredTokens / indices.length;
      sustainable = r3(per(recorder.tokensBetween(mid, w.end), w.end - mid) / meanOutput);
    }
    return {
      stage: s,
      ...(w.name !== undefined ? { name: w.name } : {}),
      start_s: r3(w.start / 1000),
      end_s: r3(w.end / 1000),
      requests: indices.length,
      completed: c.completed,
      rejected: c.rejected,
      offered: { requests_per_s: r3(per(indices.length, ms)), output_tokens_per_s: r1(per(c.offeredTokens, ms)) },
      achieved: { requests_per_s: r3(per(tally.finished, ms)), output_tokens_per_s: r1(per(tally.tokens, ms)) },
      goodput: slo ? { requests_per_s: r3(per(c.good, ms)) } : null,
      saturated: verdict.saturated,
      saturation_reason: verdict.reason,
      sustainable_rate: sustainable,
      ...lat,
      ...occupancy(tally, ms, replicaCount),
      prefix_cache: c.prefix,
      preemptions: tally.preemptions,
      slo_met: slo ? meetsSlo(slo, { ttft: lat.ttft_ms, itl: lat.itl_ms, e2e: lat.e2e_ms }) : null,
    };
  });

  const all: number[] = [];
  stageOf.forEach((s, i) => {
    if (s >= 0) all.push(i);
  });
  const total = recorder.totalTally();
  const c = counts(all);
  const lat = latency(allItls, all);
  const saturatedStages = stages.filter((s) => s.saturated);
  const longest = saturatedStages.sort((a, b) => b.end_s - b.start_s - (a.end_s - a.start_s))[0];
  const overall: StageFigures = {
    stage: 'overall',
    start_s: 0,
    end_s: r3(endMs / 1000),
    requests: all.length,
    completed: c.completed,
    rejected: c.rejected,
    offered: { requests_per_s: r3(per(all.length, plan.end)), output_tokens_per_s: r1(per(c.offeredTokens, plan.end)) },
    achieved: { requests_per_s: r3(per(total.finished, endMs)), output_tokens_per_s: r1(per(total.tokens, endMs)) },
    goodput: slo ? { requests_per_s: r3(per(c.good, endMs)) } : null,
    saturated: saturatedStages.length > 0,
    saturation_reason: saturatedStages.length > 0 ? `stage ${saturatedStages.map((s) => s.stage).join(', ')} saturated` : null,
    sustainable_rate: longest?.sustainable_rate ?? null,
    ...lat,
    ...occupancy(total, endMs, replicaCount),
    prefix_cache: c.prefix,
    preemptions: total.preemptions,
    slo_met: slo ? meetsSlo(slo, { ttft: lat.ttft_ms, itl: lat.itl_ms, e2e: lat.e2e_ms }) : null,
  };

  const drainTally = recorder.windowTally(nStages);
  const drainMs = Math.max(0, endMs - plan.end);
  const drain: DrainFigures = {
    start_s: r3(plan.end / 1000),
    seconds: r3(drainMs / 1000),
    in_flight_at_start: all.filter((i) => {
      const r = records[i];
      return r.due < plan.end && r.refused === undefined && !Number.isNaN(r.sent) && (r.end === undefined || r.end > plan.end);
    }).length,
    completed: drainTally.finished,
    output_tokens: drainTally.tokens,
    achieved: { requests_per_s: r3(per(drainTally.finished, drainMs)), output_tokens_per_s: r1(per(drainTally.tokens, drainMs)) },
  };

  const figures: SimulationFigures = {
    stages,
    overall,
    drain,
    saturated: overall.saturated,
    sustainable_rate: overall.sustainable_rate,
    simulated_seconds: r3(endMs / 1000),
    timeline: timeline(recorder, endMs),
  };
  const byClass: number[][] = plan.classes.map(() => []);
  const byReplica: number[][] = recorder.windows.map(() => []);
  for (const i of all) {
    byClass[records[i].request.clientClass ?? 0]?.push(i);
    if (records[i].replica >= 0) byReplica[records[i].replica]?.push(i);
  }
  if (plan.classes.length > 1) {
    figures.classes = plan.classes.map((name, k) => {
      const indices = byClass[k];
      const cc = counts(indices);
      const l = latency(classItls[k], indices);
      return {
        name,
        requests: indices.length,
        completed: cc.completed,
        rejected: cc.rejected,
        offered: { requests_per_s: r3(per(indices.length, plan.end)), output_tokens_per_s: r1(per(cc.offeredTokens, plan.end)) },
        ttft_ms: l.ttft_ms,
        itl_ms: l.itl_ms,
        e2e_ms: l.e2e_ms,
        prefix_cache: cc.prefix,
        goodput: slo ? { requests_per_s: r3(per(cc.good, endMs)) } : null,
      };
    });
  }
  const disaggregated = input.roles?.includes('prefill') === true;
  if (disaggregated) figures.pools = buildPoolFigures(result, recorder, input.roles!, plan.end, endMs);
  if (replicaCount > 1 && !disaggregated) {
    figures.replicas = recorder.windows.map((_, k) => {
      const indices = byReplica[k];
      const t = recorder.totalTally(k);
      const cc = counts(indices);
      const l = latency(replicaItls[k], indices);
      const verdict = detectSaturation({ start: 0, end: plan.end, backlog: (f, to) => recorder.meanBacklog(f, to, k), arrivals: arrivalsOf(indices) });
      const occ = occupancy(t, endMs, 1);
      return {
        replica: k,
        requests: indices.length,
        completed: cc.completed,
        achieved: { requests_per_s: r3(per(t.finished, endMs)), output_tokens_per_s: r1(per(t.tokens, endMs)) },
        ttft_ms: l.ttft_ms,
        itl_ms: l.itl_ms,
        e2e_ms: l.e2e_ms,
        mean_running: occ.mean_running,
        mean_waiting: occ.mean_waiting,
        mean_kv_usage: occ.mean_kv_usage,
        prefix_cache: cc.prefix,
        preemptions: t.preemptions,
        saturated: verdict.saturated,
      };
    });
  }
  return figures;
}

/** Most points a timeline keeps (the bins are merged to fit). */
const TIMELINE_POINTS = 300;

function timeline(recorder: ClusterRecorder, endMs: number): Timeline {
  const binMs = recorder.binMs;
  const bins = Math.max(1, Math.ceil(endMs / binMs));
  const group = Math.max(1, Math.ceil(bins / TIMELINE_POINTS));
  const replicas = recorder.windows.length;
  const out: Timeline = { t_s: [], running: [], waiting: [], kv_usage: [], output_tokens_per_s: [] };
  if (replicas > 1) out.kv_usage_by_replica = Array.from({ length: replicas }, () => []);
  for (let first = 0; first < bins; first += group) {
    const count = Math.min(group, bins - first);
    const ms = count * binMs;
    let running = 0;
    let waiting = 0;
    let kv = 0;
    let tokens = 0;
    const kvBy = new Array<number>(replicas).fill(0);
    for (let i = first; i < first + count; i++) {
      for (let r = 0; r < replicas; r++) {
        const t = recorder.binTally(i, r);
        running += t.runningMs;
        waiting += t.waitingMs;
        kv += t.kvMs;
        kvBy[r] += t.kvMs;
        tokens += t.tokens;
      }
    }
    out.t_s.push(r3((first * binMs + ms / 2) / 1000));
    out.running.push(r2(running / ms));
    out.waiting.push(r2(waiting / ms));
    out.kv_usage.push(r3(kv / ms / replicas));
    out.output_tokens_per_s.push(r1(per(tokens, ms)));
    out.kv_usage_by_replica?.forEach((series, r) => series.push(r3(kvBy[r] / ms)));
  }
  return out;
}

/** Bin width for a run whose arrivals end at `endMs`: about 2,000 bins, between 50 ms and 10 s. */
export function binWidthFor(endMs: number): number {
  return Math.min(10_000, Math.max(50, Math.ceil(endMs / 2000 / 50) * 50));
}

