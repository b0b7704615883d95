import { Random } from '../../common/random';
import { arrivalGapMs, distributionProblem, sample, sampleTokens } from './distributions';

function stats(values: number[]): { mean: number; stdev: number; min: number; max: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const stdev = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { mean, stdev, min: Math.min(...values), max: Math.max(...values) };
}

const draws = (n: number, f: (r: Random) => number, seed = 5): number[] => {
  const r = new Random(seed);
  return Array.from({ length: n }, () => f(r));
};

describe('length distributions', () => {
  it('fixed gives its value (or its mean)', () => {
    expect(draws(5, (r) => sample(r, { distribution: 'fixed', value: 128 }))).toEqual([128, 128, 128, 128, 128]);
    expect(sample(new Random(1), { mean: 64 })).toBe(64);
  });

  it('uniform stays within its bounds with the mean between them', () => {
    const s = stats(draws(20_000, (r) => sample(r, { distribution: 'uniform', min: 50, max: 150 })));
    expect(s.min).toBeGreaterThanOrEqual(50);
    expect(s.max).toBeLessThan(150);
    expect(s.mean).toBeCloseTo(100, 0);
  });

  it('normal has its mean and stdev and is clipped to [min, max]', () => {
    const s = stats(draws(20_000, (r) => sample(r, { mean: 500, stdev: 100 })));
    expect(s.mean).toBeGreaterThan(495);
    expect(s.mean).toBeLessThan(505);
    expect(s.stdev).toBeGreaterThan(97);
    expect(s.stdev).toBeLessThan(103);
    const clipped = stats(draws(5_000, (r) => sample(r, { mean: 500, stdev: 300, min: 400, max: 600 })));
    expect([clipped.min, clipped.max]).toEqual([400, 600]);
  });

  it('lognormal has the mean and stdev of the lengths themselves (not of their logarithm)', () => {
    const values = draws(50_000, (r) => sample(r, { distribution: 'lognormal', mean: 300, stdev: 250 }));
    const s = stats(values);
    expect(Math.abs(s.mean - 300) / 300).toBeLessThan(0.03);
    expect(Math.abs(s.stdev - 250) / 250).toBeLessThan(0.08);
    expect(s.min).toBeGreaterThan(0);
    // Skewed: the median is below the mean.
    expect([...values].sort((a, b) => a - b)[values.length >> 1]).toBeLessThan(280);
  });

  it('token counts are whole and at least 1', () => {
    const values = draws(2_000, (r) => sampleTokens(r, { mean: 2, stdev: 5 }));
    expect(values.every((v) => Number.isInteger(v) && v >= 1)).toBe(true);
  });

  it('names what a distribution lacks', () => {
    expect(distributionProblem({ distribution: 'uniform', min: 1 }, 'prompt_tokens')).toBe('prompt_tokens: a uniform distribution needs min and max');
    expect(distributionProblem({ distribution: 'lognormal' }, 'x')).toBe('x: a lognormal distribution needs mean');
    expect(distributionProblem({ mean: 5, min: 10, max: 2 }, 'x')).toBe('x: min (10) is above max (2)');
    expect(distributionProblem({ distribution: 'fixed' }, 'x')).toBe('x: a fixed distribution needs value (or mean)');
    expect(distributionProblem({ mean: 5, stdev: 1 }, 'x')).toBeNull();
  });
});

describe('arrival processes', () => {
  const gaps = (process: 'poisson' | 'gamma' | 'constant', burstiness?: number) => stats(draws(40_000, (r) => arrivalGapMs(r, process, 4, burstiness), 11));

  it('constant arrivals are exactly 1 / rate apart', () => {
    expect(draws(3, (r) => arrivalGapMs(r, 'constant', 4))).toEqual([250, 250, 250]);
  });

  it('Poisson gaps have mean 1 / rate and a coefficient of variation of 1', () => {
    const s = gaps('poisson');
    expect(Math.abs(s.mean - 250) / 250).toBeLessThan(0.02);
    expect(Math.abs(s.stdev / s.mean - 1)).toBeLessThan(0.03);
  });

  it.each([0.25, 0.5, 1, 3])('gamma with burstiness %p keeps the mean gap and has a squared CV of 1 / burstiness (vllm bench serve)', (b) => {
    const s = gaps('gamma', b);
    expect(Math.abs(s.mean - 250) / 250).toBeLessThan(0.04);
    expect(Math.abs((s.stdev / s.mean) ** 2 - 1 / b) * b).toBeLessThan(0.08);
  });
});
