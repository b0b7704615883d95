import { Random } from '../../common/random';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { Clock } from './clock';
import { Engine, EngineErrorReporter } from './engine';
import { BlockPool } from './block-pool';
import { DEFAULT_KV_TRANSFER_LINK, StepTiming, TimingKnobs } from './step-timing';
import { VllmBlockHasher } from './vllm-block-hash';

/** The start-up settings the engine is built from (the server's Settings have them all). */
export interface EngineOptions {
  enable_prefix_caching: boolean;
  enable_lora?: boolean;
  max_loras?: number;
  max_cpu_loras?: number;
  /** P/D: the KV transfer link (GB/s per GPU, ms per transfer) and llm-d-inference-sim's fixed numbers. */
  kv_transfer_gb_per_s?: number;
  kv_transfer_latency_ms?: number;
  kv_cache_transfer_latency_ms?: number;
  kv_cache_transfer_ms_per_token?: number;
}

/** What the engine reads at every step: the timing knobs and the running-batch limit (both may change at run time). */
export type EngineValues = TimingKnobs & { max_num_seqs: number };

/**
 * Builds an engine for a profile: the server (wall clock) and the offline simulator (virtual clock)
 * share this. `hasher`: vLLM's block hashing, for an engine whose KV events are published.
 */
export function createEngine(
  clock: Clock,
  profile: PerformanceProfile,
  options: EngineOptions,
  values: () => Readonly<EngineValues>,
  random: Random,
  report?: EngineErrorReporter,
  hasher?: VllmBlockHasher,
): Engine {
  const pool = new BlockPool(profile.kvCacheBlocks, profile.blockSize, options.enable_prefix_caching);
  const timing = new StepTiming(profile.stepTime, values, random, {
    bytesPerTokenPerGpu: profile.kvBytesPerTokenPerGpu ?? 0,
    bandwidthBytesPerS: (options.kv_transfer_gb_per_s ?? DEFAULT_KV_TRANSFER_LINK.bandwidthBytesPerS / 1e9) * 1e9,
    latencyMs: options.kv_transfer_latency_ms ?? DEFAULT_KV_TRANSFER_LINK.latencyMs,
    fixedMs: options.kv_cache_transfer_latency_ms ?? null,
    perTokenMs: options.kv_cache_transfer_ms_per_token ?? null,
  });
  const maxLoras = options.max_loras ?? 1;
  const lora = options.enable_lora ? { maxLoras, maxCpuLoras: Math.max(maxLoras, options.max_cpu_loras ?? maxLoras) } : undefined;
  return new Engine(
    clock,
    pool,
    timing,
    { maxNumSeqs: () => values().max_num_seqs, maxNumBatchedTokens: profile.limits.maxNumBatchedTokens, lora },
    report,
    hasher,
  );
}
