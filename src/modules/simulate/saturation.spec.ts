import { detectSaturation } from './saturation';

/** Arrivals every 100 ms over [0, 600 s) with a TTFT that `ttft(t)` gives. */
const arrivals = (ttft: (t: number) => number) => Array.from({ length: 6000 }, (_, i) => ({ due: i * 100, ttftMs: ttft(i * 100) }));

describe('detectSaturation', () => {
  it('flags a backlog that keeps growing (arrivals 10 % above what the engine completes)', () => {
    // 10 req/s arriving, 9 completed: the system gains a request every second.
    const v = detectSaturation({ start: 0, end: 600_000, backlog: (f, t) => 80 + (f + t) / 2 / 1000, arrivals: arrivals(() => 300) });
    expect(v.saturated).toBe(true);
    expect(v.backlogGrowth).toBeCloseTo(600, 0);
    expect(v.reason).toContain('the queue keeps growing');
  });

  it('does not flag the climb to a busier steady state at the start of a stage', () => {
    // From 20 to 80 requests in the first minute, flat after: a heavier load, not an unbounded one.
    const backlog = (f: number, t: number): number => {
      const at = (x: number) => 20 + 60 * Math.min(1, x / 60_000);
      return (at(f) + at(t)) / 2;
    };
    const v = detectSaturation({ start: 0, end: 600_000, backlog, arrivals: arrivals((t) => 200 + 3000 * Math.min(1, t / 60_000)) });
    expect(v.saturated).toBe(false);
  });

  it('does not flag noise around a steady backlog below 5 % of the arrivals', () => {
    const v = detectSaturation({ start: 0, end: 600_000, backlog: (f) => 80 + 20 * Math.sin(f / 17_000), arrivals: arrivals((t) => 400 + 100 * Math.sin(t / 9000)) });
    expect(v.saturated).toBe(false);
  });

  it('flags a TTFT that keeps rising even when the engine admits everything', () => {
    const v = detectSaturation({ start: 0, end: 600_000, backlog: () => 200, arrivals: arrivals((t) => 500 + t / 20) });
    expect(v.saturated).toBe(true);
    expect(v.ttftRiseMs).toBeCloseTo(30_000, -2);
    expect(v.reason).toContain('TTFT keeps rising');
  });

  it('gives no verdict on a window with too few arrivals', () => {
    expect(detectSaturation({ start: 0, end: 1000, backlog: (f) => f, arrivals: [{ due: 1, ttftMs: 1 }] }).saturated).toBe(false);
  });
});
