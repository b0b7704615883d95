import { Rates, StageFigures } from './figures';
import { LatencySummary } from './latency-summary';
import { PlannedWorkload } from './planned-request';
import { SimulationRun } from './simulation';
import { Slo } from './slo';

/** One rate the sweep tried. */
export interface SweepPoint {
  /** Requests per second offered. */
  rate: number;
  requests: number;
  completed: number;
  achieved: Rates;
  goodput: { requests_per_s: number } | null;
  saturated: boolean;
  sustainable_rate: number | null;
  slo_met: boolean | null;
  /** Not saturated and (with an SLO) meeting it. */
  meets: boolean;
  ttft_ms: LatencySummary;
  itl_ms: LatencySummary;
  e2e_ms: LatencySummary;
  /** Stopped at the last arrival because it was already saturated (its drain was not simulated). */
  stopped_early: boolean;
  wall_ms: number;
}

export interface SweepResult {
  slo: string | null;
  /** The highest rate tried that meets the SLO and is not saturated (null if none does). */
  max_rate: number | null;
  /** Every rate tried, ascending. */
  points: SweepPoint[];
  /** Why the search stopped where it did, when that is worth knowing. */
  note: string | null;
  wall_ms: number;
}

export interface SweepOptions {
  slo?: Slo;
  /** The first rate tried (requests/s). */
  startRate: number;
  /** Stop when the highest passing and the lowest failing rate are within this ratio. */
  tolerance?: number;
  /** Most rates tried. */
  maxPoints?: number;
  onPoint?: (point: SweepPoint, index: number) => void;
}

const DEFAULT_TOLERANCE = 0.02;
const DEFAULT_MAX_POINTS = 20;
/** Doublings (or halvings) before the search gives up looking for a bracket. */
const MAX_STEPS = 12;

export function toSweepPoint(rate: number, run: SimulationRun, slo: Slo | undefined): SweepPoint {
  const s: StageFigures = run.figures.stages[run.figures.stages.length - 1];
  return {
    rate: Math.round(rate * 1000) / 1000,
    requests: s.requests,
    completed: s.completed,
    achieved: s.achieved,
    goodput: s.goodput,
    saturated: s.saturated,
    sustainable_rate: s.sustainable_rate,
    slo_met: run.stopped ? (slo ? false : null) : s.slo_met,
    meets: !s.saturated && (slo ? s.slo_met === true : true),
    ttft_ms: s.ttft_ms,
    itl_ms: s.itl_ms,
    e2e_ms: s.e2e_ms,
    stopped_early: run.stopped,
    wall_ms: run.wallMs,
  };
}

/**
 * Finds the highest request rate that meets the SLO without saturating: doubles (or halves) from
 * the start rate until one rate passes and one fails, jumping straight below a saturated rate's
 * sustainable-rate estimate, then bisects (geometrically) until the two are within the tolerance.
 * `runAt` simulates the workload at a rate (one steady stage).
 */
export function sweepRate(planAt: (rate: number) => PlannedWorkload, runAt: (plan: PlannedWorkload) => SimulationRun, options: SweepOptions): SweepResult {
  const wallStart = performance.now();
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
  const points: SweepPoint[] = [];
  let lo: number | undefined;
  let hi: number | undefined;
  let note: string | null = null;
  const tried = new Map<number, SweepPoint>();
  const evaluate = (rate: number): SweepPoint => {
    const point = toSweepPoint(rate, runAt(planAt(rate)), options.slo);
    points.push(point);
    tried.set(rate, point);
    options.onPoint?.(point, points.length - 1);
    if (point.meets) lo = Math.max(lo ?? 0, rate);
    else hi = Math.min(hi ?? Infinity, rate);
    return point;
  };
  let rate = options.startRate;
  let steps = 0;
  for (;;) {
    const point = evaluate(rate);
    if (lo !== undefined && hi !== undefined && hi / lo <= 1 + tolerance) break;
    if (points.length >= maxPoints) {
      note = `stopped after ${maxPoints} rates`;
      break;
    }
    if (hi === undefined) {
      if (++steps > MAX_STEPS) {
        note = `still within the SLO at ${rate.toPrecision(4)} requests/s; higher rates were not tried`;
        break;
      }
      rate *= 2;
    } else if (lo === undefined) {
      if (++steps > MAX_STEPS) {
        note = `no rate down to ${rate.toPrecision(4)} requests/s meets the SLO`;
        break;
      }
      // A saturated rate says what the configuration sustains: start just below it.
      const estimate = point.sustainable_rate !== null && point.sustainable_rate < rate ? point.sustainable_rate * 0.95 : rate / 2;
      rate = Math.min(rate / 1.05, estimate);
    } else {
      rate = Math.sqrt(lo * hi);
    }
    if (tried.has(rate)) break;
  }
  points.sort((a, b) => a.rate - b.rate);
  return {
    slo: options.slo?.text ?? null,
    max_rate: lo === undefined ? null : Math.round(lo * 1000) / 1000,
    points,
    note,
    wall_ms: Math.round(performance.now() - wallStart),
  };
}
