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

/**
 * Nearest-rank percentiles (the value below which the share q of the samples lies, as `vllm bench
 * serve` reports them up to interpolation). Sorts a typed copy: millions of ITLs sort in a blink
 * where an array of boxed numbers with a comparator would take seconds.
 */
export function summarizeLatencies(values: ArrayLike<number>): LatencySummary {
  const n = values.length;
  if (n === 0) return { ...EMPTY_SUMMARY };
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const at = (q: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
  return { mean: round3(sum / n), p50: round3(at(0.5)), p90: round3(at(0.9)), p95: round3(at(0.95)), p99: round3(at(0.99)) };
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
