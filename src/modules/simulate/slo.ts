import { LatencySummary } from './latency-summary';
import { SimulateInputError } from './simulate-errors';

export const SLO_METRICS = ['ttft', 'itl', 'e2e'] as const;
export type SloMetric = (typeof SLO_METRICS)[number];
export const SLO_STATS = ['mean', 'p50', 'p90', 'p95', 'p99'] as const;
export type SloStat = (typeof SLO_STATS)[number];

/** One threshold: `ttft_p99<=2000` is TTFT's 99th percentile at most 2000 ms. */
export interface SloTarget {
  metric: SloMetric;
  stat: SloStat;
  /** `<=` (at most) or `<` (below). */
  op: '<=' | '<';
  /** Milliseconds. */
  ms: number;
}

export interface Slo {
  targets: readonly SloTarget[];
  /** As given, for reports. */
  text: string;
}

const TARGET = /^\s*(ttft|itl|e2e)_(mean|p50|p90|p95|p99)\s*(<=|<)\s*([0-9]+(?:\.[0-9]+)?)\s*(ms)?\s*$/;

/**
 * Parses `ttft_p99<=2000,itl_p99<=100` (or the workload file's map `{ttft_p99: 2000}`, meaning <=).
 * Thresholds are milliseconds.
 */
export function parseSlo(input: string | Record<string, unknown>): Slo {
  const text = typeof input === 'string' ? input : Object.entries(input).map(([k, v]) => `${k}<=${String(v)}`).join(',');
  const parts = text.split(',').filter((p) => p.trim() !== '');
  if (parts.length === 0) throw new SimulateInputError('The SLO is empty: give thresholds such as "ttft_p99<=2000,itl_p99<=100" (milliseconds).');
  const targets = parts.map((part): SloTarget => {
    const m = TARGET.exec(part);
    if (!m) {
      throw new SimulateInputError(
        `Cannot read SLO threshold "${part.trim()}": expected METRIC_STAT<=MS with METRIC one of ${SLO_METRICS.join(', ')} and STAT one of ${SLO_STATS.join(', ')}, e.g. "ttft_p99<=2000".`,
      );
    }
    return { metric: m[1] as SloMetric, stat: m[2] as SloStat, op: m[3] as '<=' | '<', ms: Number(m[4]) };
  });
  return { targets, text: targets.map((t) => `${t.metric}_${t.stat}${t.op}${t.ms}`).join(',') };
}

export type LatencyFigures = Record<SloMetric, LatencySummary>;

function holds(value: number, t: SloTarget): boolean {
  return t.op === '<=' ? value <= t.ms : value < t.ms;
}

/** Whether a set of requests' latencies meets every threshold. */
export function meetsSlo(slo: Slo, figures: LatencyFigures): boolean {
  return slo.targets.every((t) => holds(figures[t.metric][t.stat], t));
}

/** The thresholds each request must meet to count towards goodput: the tightest per metric. */
export interface RequestSlo {
  ttftMs: number;
  /** Applied to the request's mean inter-token time (its TPOT). */
  itlMs: number;
  e2eMs: number;
}

export function requestSlo(slo: Slo): RequestSlo {
  const tightest = (metric: SloMetric): number => Math.min(Infinity, ...slo.targets.filter((t) => t.metric === metric).map((t) => t.ms));
  return { ttftMs: tightest('ttft'), itlMs: tightest('itl'), e2eMs: tightest('e2e') };
}

export function requestMeets(r: RequestSlo, ttftMs: number, meanItlMs: number, e2eMs: number): boolean {
  return ttftMs <= r.ttftMs && meanItlMs <= r.itlMs && e2eMs <= r.e2eMs;
}
