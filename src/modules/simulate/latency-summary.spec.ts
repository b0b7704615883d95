import { Random } from '../../common/random';
import { summarizeLatencies } from './latency-summary';

/** Nearest rank on a sorted copy: what the summary must equal. */
function reference(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { mean: r(values.reduce((s, v) => s + v, 0) / values.length), p50: r(at(0.5)), p90: r(at(0.9)), p95: r(at(0.95)), p99: r(at(0.99)) };
}

describe('summarizeLatencies', () => {
  it.each([
    ['random', (r: Random) => r.exponential(80)],
    ['few distinct values', (r: Random) => [62.1, 86, 86, 300][r.int(4)]],
    ['constant', () => 42],
  ])('gives nearest-rank percentiles (%s)', (_, draw) => {
    const r = new Random(3);
    for (const n of [1, 2, 7, 100, 1001, 20_000]) {
      const values = Array.from({ length: n }, () => draw(r));
      expect(summarizeLatencies(values)).toEqual(reference(values));
    }
  });

  it('handles sorted and reversed input and leaves its input alone', () => {
    const up = Array.from({ length: 5000 }, (_, i) => i);
    expect(summarizeLatencies(up)).toEqual(reference(up));
    const down = [...up].reverse();
    expect(summarizeLatencies(down)).toEqual(reference(up));
    expect(down[0]).toBe(4999);
    expect(summarizeLatencies([])).toEqual({ mean: 0, p50: 0, p90: 0, p95: 0, p99: 0 });
  });
});
