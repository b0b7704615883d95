/**
 * Is a stage saturated? It is when the requests in the system (running + waiting) grow without
 * bound, or when TTFT keeps rising: the engine completes less than arrives. In a finite window
 * "without bound" reads as a trend that is still there at the end: the least-squares slope over the
 * last 60 % of the stage (so the climb from a quieter stage before it does not count), extrapolated
 * to the whole stage. Saturated when the backlog would grow by more than 5 % of the stage's
 * arrivals (arrivals exceeding the engine's rate by 5 %), or the median TTFT would rise by more
 * than the floor below and more than where the fit starts.
 */
export interface SaturationVerdict {
  saturated: boolean;
  /** Backlog growth over the window (requests), from the trend. */
  backlogGrowth: number;
  /** TTFT rise over the window (ms), from the trend of the median per slice. */
  ttftRiseMs: number;
  /** Why, in words, when saturated. */
  reason: string | null;
}

/** Share of the window's arrivals the backlog must grow by. */
const GROWTH_SHARE = 0.05;
/** Fewest requests of growth that count (small windows). */
const MIN_GROWTH = 5;
/** A TTFT rise below this is never saturation (ms). */
const MIN_TTFT_RISE_MS = 2000;
/** Slices a window is cut into for the trends, and the first slice the trends are fitted from. */
const SLICES = 10;
const FIT_FROM = 4;
/** Fewest arrivals a window needs for a verdict. */
const MIN_ARRIVALS = 20;

function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  return values[values.length >> 1];
}

export interface SaturationInput {
  start: number;
  end: number;
  /** Mean requests in the system over [from, to). */
  backlog: (from: number, to: number) => number;
  /** Requests that fell due in the window: when, and their TTFT (or a lower bound for one still waiting). */
  arrivals: readonly { due: number; ttftMs: number }[];
}

export function detectSaturation(input: SaturationInput): SaturationVerdict {
  const { start, end, arrivals } = input;
  const length = end - start;
  if (length <= 0 || arrivals.length < MIN_ARRIVALS) return { saturated: false, backlogGrowth: 0, ttftRiseMs: 0, reason: null };
  const slice = length / SLICES;
  const mids: number[] = [];
  const backlog: number[] = [];
  for (let k = 0; k < SLICES; k++) {
    mids.push(start + (k + 0.5) * slice);
    backlog.push(input.backlog(start + k * slice, start + (k + 1) * slice));
  }
  const backlogGrowth = slope(mids.slice(FIT_FROM), backlog.slice(FIT_FROM)) * length;

  const groups: number[][] = Array.from({ length: SLICES }, () => []);
  for (const a of arrivals) groups[Math.min(SLICES - 1, Math.max(0, Math.floor((a.due - start) / slice)))].push(a.ttftMs);
  const ttftMids: number[] = [];
  const ttftMedians: number[] = [];
  groups.forEach((g, k) => {
    if (g.length === 0 || k < FIT_FROM) return;
    ttftMids.push(mids[k]);
    ttftMedians.push(median(g));
  });
  const ttftRiseMs = slope(ttftMids, ttftMedians) * length;
  const startTtft = ttftMedians[0] ?? 0;

  const threshold = Math.max(MIN_GROWTH, GROWTH_SHARE * arrivals.length);
  if (backlogGrowth > threshold) {
    return {
      saturated: true,
      backlogGrowth,
      ttftRiseMs,
      reason: `the queue keeps growing: at this trend about ${Math.round(backlogGrowth)} more requests in the system at the end than at the start`,
    };
  }
  if (ttftRiseMs > MIN_TTFT_RISE_MS && ttftRiseMs > startTtft) {
    return { saturated: true, backlogGrowth, ttftRiseMs, reason: `TTFT keeps rising: at this trend about ${Math.round(ttftRiseMs / 1000)} s higher at the end than at the start` };
  }
  return { saturated: false, backlogGrowth, ttftRiseMs, reason: null };
}
