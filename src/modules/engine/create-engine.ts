import { Random } from '../../common/random';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { Clock } from './clock';
import { Engine, EngineErrorReporter } from './engine';
import { BlockPool } from './block-pool';
import { StepTiming, TimingKnobs } from './step-timing';

export interface EngineOptions {
  enable_prefix_caching: boolean;
}

/** What the engine reads at every step: the timing knobs and the running-batch limit (both may change at run time). */
export type EngineValues = TimingKnobs & { max_num_seqs: number };

/** Builds an engine for a profile: the server (wall clock) and the offline simulator (virtual clock) share this. */
export function createEngine(
  clock: Clock,
  profile: PerformanceProfile,
  options: EngineOptions,
  values: () => Readonly<EngineValues>,
  random: Random,
  report?: EngineErrorReporter,
): Engine {
  const pool = new BlockPool(profile.kvCacheBlocks, profile.blockSize, options.enable_prefix_caching);
  const timing = new StepTiming(profile.stepTime, values, random);
  return new Engine(clock, pool, timing, { maxNumSeqs: () => values().max_num_seqs, maxNumBatchedTokens: profile.limits.maxNumBatchedTokens }, report);
}
