import { Random } from '../../../common/random';
import { RuntimeValues } from '../../../config/runtime-config';
import { PerformanceProfile, StepBatch, StepTimeModel } from '../../benchmarks/profile.types';
import { createEngine } from '../../engine/create-engine';
import { Engine } from '../../engine/engine';
import { VirtualClock } from '../../engine/virtual-clock';

/** 10 ms per step, plus 0.1 ms per prefill token and 1 ms per decode: a 100-token prompt alone takes 20 ms, a decode of one 11 ms. */
export const linearModel: StepTimeModel = {
  stepTimeMs: (b: StepBatch) => 10 + 0.1 * b.prefillTokens + 1 * b.decodeSeqs,
};

export function linearProfile(kvCacheBlocks = 10_000): PerformanceProfile {
  return {
    model: { id: 'test/linear', contextLength: 100_000, numParameters: 1, numActiveParameters: 1, vocabSize: 32_000 },
    gpuId: 'TEST',
    tensorParallelSize: 1,
    stepTime: linearModel,
    kvCacheBlocks,
    blockSize: 16,
    limits: { maxNumSeqs: 256, maxNumBatchedTokens: 8192 },
    description: 'linear test model',
  };
}

/** An engine on the linear step model (through the engine's public factory), on a fresh virtual clock. */
export function linearRig(options: { maxNumSeqs?: number; kvCacheBlocks?: number; clock?: VirtualClock } = {}): { clock: VirtualClock; engine: Engine } {
  const clock = options.clock ?? new VirtualClock();
  const values: RuntimeValues = {
    latency_scale: 1, ttft_ms: null, itl_ms: null, prefill_ms_per_token: null, latency_jitter: 0, max_num_seqs: options.maxNumSeqs ?? 256, response_mode: 'patterns',
  };
  const engine = createEngine(clock, linearProfile(options.kvCacheBlocks), { enable_prefix_caching: true }, () => values, new Random(1));
  return { clock, engine };
}
