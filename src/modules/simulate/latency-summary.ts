/** Mean and percentiles of a set of latencies, ms (rounded to µs). */
export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

export const EMPTY_SUMMARY: LatencySummary = { mean: 0, p50: 0, p90: 0, p95: 0, p99: 0 };

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** Puts the k-th smallest of a[lo..hi] at a[k], smaller ones before it, larger after (Hoare's quickselect). */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    // Median of three as the pivot: sorted or constant runs (common in latencies) stay linear.
    const mid = (lo + hi) >> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * Nearest-rank percentiles (the value below which the share q of the samples lies, as `vllm bench
 * serve` reports them up to interpolation). Selects each rank in a typed copy instead of sorting:
 * a long run has millions of ITLs.
 */
export function summarizeLatencies(values: ArrayLike<number>): LatencySummary {
  const n = values.length;
  if (n === 0) return { ...EMPTY_SUMMARY };
  const a = Float64Array.from(values as ArrayLike<number>);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i];
  const rank = (q: number): number => Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  // Highest rank first: each later selection only searches the part below the previous one.
  const out: Record<number, number> = {};
  let hi = n - 1;
  for (const q of [0.99, 0.95, 0.9, 0.5]) {
    const k = rank(q);
    select(a, k, 0, hi);
    out[q] = a[k];
    hi = k;
  }
  return { mean: round3(sum / n), p50: round3(out[0.5]), p90: round3(out[0.9]), p95: round3(out[0.95]), p99: round3(out[0.99]) };
}

/** A growable array of doubles (ITLs of a long run: millions). */
export class DoubleList {
  private data: Float64Array;
  private size = 0;

  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(v: number): void {
    if (this.size === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.size++] = v;
  }

  /** A view of the values pushed so far (valid until the next push). */
  view(): Float64Array {
    return this.data.subarray(0, this.size);
  }
}
