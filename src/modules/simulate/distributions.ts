import { Random } from '../../common/random';

/** Shapes a length (or a think time) can be drawn from. */
export const DISTRIBUTION_KINDS = ['fixed', 'normal', 'lognormal', 'uniform'] as const;
export type DistributionKind = (typeof DISTRIBUTION_KINDS)[number];

/**
 * A distribution as a workload file states it. `mean`/`stdev` are those of the values drawn (also
 * for lognormal, which is what people know about their traffic); `min`/`max` clip (normal,
 * lognormal) or bound (uniform). Without `distribution`: normal when `stdev` > 0, else fixed.
 */
export interface DistributionParams {
  distribution?: DistributionKind;
  mean?: number;
  stdev?: number;
  min?: number;
  max?: number;
  /** The value of a fixed distribution (`mean` works too). */
  value?: number;
}

export function kindOf(d: DistributionParams): DistributionKind {
  if (d.distribution) return d.distribution;
  return (d.stdev ?? 0) > 0 ? 'normal' : 'fixed';
}

/** What is wrong with a distribution (e.g. a uniform without bounds), or null. `what` names it in the message. */
export function distributionProblem(d: DistributionParams, what: string): string | null {
  const kind = kindOf(d);
  if (d.min !== undefined && d.max !== undefined && d.min > d.max) return `${what}: min (${d.min}) is above max (${d.max})`;
  if (kind === 'uniform') {
    if (d.min === undefined || d.max === undefined) return `${what}: a uniform distribution needs min and max`;
    return null;
  }
  if (kind === 'fixed') return d.value === undefined && d.mean === undefined ? `${what}: a fixed distribution needs value (or mean)` : null;
  if (d.mean === undefined) return `${what}: a ${kind} distribution needs mean`;
  if (kind === 'lognormal' && d.mean <= 0) return `${what}: a lognormal distribution needs a mean above 0`;
  return null;
}

/** The mean of what `sample` draws, ignoring clipping (used to size sweeps and sessions). */
export function nominalMean(d: DistributionParams): number {
  const kind = kindOf(d);
  if (kind === 'uniform') return ((d.min ?? 0) + (d.max ?? 0)) / 2;
  if (kind === 'fixed') return d.value ?? d.mean ?? 0;
  return d.mean ?? 0;
}

function clip(v: number, d: DistributionParams): number {
  return Math.max(d.min ?? -Infinity, Math.min(d.max ?? Infinity, v));
}

/** One real value drawn from `d`. */
export function sample(random: Random, d: DistributionParams): number {
  switch (kindOf(d)) {
    case 'fixed':
      return clip(d.value ?? d.mean ?? 0, d);
    case 'uniform':
      return d.min! + (d.max! - d.min!) * random.next();
    case 'normal':
      return clip(d.mean! + (d.stdev ?? 0) * random.gaussian(), d);
    case 'lognormal': {
      // The lognormal whose own mean and stdev are the ones given.
      const m = d.mean!;
      const s = d.stdev ?? 0;
      const sigma2 = Math.log(1 + (s * s) / (m * m));
      return clip(Math.exp(Math.log(m) - sigma2 / 2 + Math.sqrt(sigma2) * random.gaussian()), d);
    }
  }
}

/** A token count: `sample` rounded, at least 1 (and at least `min` when given). */
export function sampleTokens(random: Random, d: DistributionParams): number {
  return Math.max(1, Math.ceil(d.min ?? 1), Math.round(sample(random, d)));
}

/** How requests arrive: the gaps between them. */
export const ARRIVAL_PROCESSES = ['poisson', 'gamma', 'constant'] as const;
export type ArrivalProcess = (typeof ARRIVAL_PROCESSES)[number];

/**
 * The gap to the next arrival, ms, at `ratePerS` requests per second. Gamma follows `vllm bench
 * serve --burstiness`: shape = burstiness, scale = 1 / (rate x burstiness), so the mean gap stays
 * 1 / rate; burstiness 1 is Poisson, below 1 burstier, above 1 more regular.
 */
export function arrivalGapMs(random: Random, process: ArrivalProcess, ratePerS: number, burstiness = 1): number {
  const mean = 1000 / ratePerS;
  switch (process) {
    case 'constant':
      return mean;
    case 'poisson':
      return random.exponential(mean);
    case 'gamma':
      return gamma(random, burstiness) * (mean / burstiness);
  }
}

/** Gamma(shape, 1) by Marsaglia and Tsang's method (boosted for shape < 1). */
export function gamma(random: Random, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * Math.pow(1 - random.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = random.gaussian();
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = 1 - random.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
