import { Random } from '../../common/random';
import { RuntimeValues } from '../../config/runtime-config';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { Clock } from './clock';
import { Engine, EngineErrorReporter } from './engine';
import { KvCache } from './kv-cache';
import { StepTiming } from './step-timing';

export interface EngineOptions {
  enable_prefix_caching: boolean;
}

/** Builds an engine for a profile: the server (wall clock) and the offline simulator (virtual clock) share this. */
export function createEngine(
  clock: Clock,
  profile: PerformanceProfile,
  options: EngineOptions,
  values: () => Readonly<RuntimeValues>,
  random: Random,
  report?: EngineErrorReporter,
): Engine {
  const kv = new KvCache(profile.kvCacheBlocks, profile.blockSize, options.enable_prefix_caching);
  const timing = new StepTiming(profile.stepTime, values, random);
  return new Engine(clock, kv, timing, { maxNumSeqs: () => values().max_num_seqs, maxNumBatchedTokens: profile.limits.maxNumBatchedTokens }, report);
}
