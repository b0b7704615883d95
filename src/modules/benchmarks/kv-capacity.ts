import { InsufficientMemoryError } from './catalog-errors';
import { GpuSpec, KvDtype, ModelSpec, WeightsDtype } from './catalog.types';

export interface KvCapacityInput {
  model: ModelSpec;
  gpu: GpuSpec;
  tensorParallelSize: number;
  gpuMemoryUtilization: number;
  blockSize: number;
  kvDtype: KvDtype;
  weightsDtype?: WeightsDtype;
  /** Token budget of one step: sizes the activation peak vLLM profiles at start-up. */
  maxNumBatchedTokens: number;
}

export interface KvCapacity {
  blocks: number;
  tokens: number;
  /** KV bytes of one token on one GPU (its share of the KV heads, all layers, K and V). */
  bytesPerTokenPerGpu: number;
  weightsBytesPerGpu: number;
  reserveBytesPerGpu: number;
  /** gpu memory x utilisation, per GPU. */
  budgetBytesPerGpu: number;
  kvBytesPerGpu: number;
}

const GIB = 1024 ** 3;
/** CUDA context, NCCL buffers, CUDA graphs: what vLLM's profiling sees outside the weights and activations. */
export const NON_TORCH_RESERVE_BYTES = 1 * GIB;

export function bytesPerParam(dtype: WeightsDtype = '16bit'): number {
  return dtype === 'fp8' ? 1 : 2;
}

export function kvDtypeFromSetting(kvCacheDtype: string): KvDtype {
  return kvCacheDtype.startsWith('fp8') ? 'fp8' : '16bit';
}

/** KV heads held by one GPU: split across TP ranks, replicated when there are fewer heads than ranks. */
export function kvHeadsPerGpu(model: ModelSpec, tp: number): number {
  return Math.max(1, model.numKvHeads / tp);
}

export function kvBytesPerTokenPerGpu(model: ModelSpec, tp: number, kvDtype: KvDtype): number {
  return 2 * model.numLayers * kvHeadsPerGpu(model, tp) * model.headDim * (kvDtype === 'fp8' ? 1 : 2);
}

/**
 * vLLM's start-up memory profile, per GPU: (memory x gpu_memory_utilization) - weights - activation
 * peak of a full step - non-torch memory; what is left holds KV blocks. Throws when the weights do
 * not fit, with the figures, as vLLM refuses to start.
 */
export function kvCacheCapacity(i: KvCapacityInput): KvCapacity {
  const tp = i.tensorParallelSize;
  const m = i.model;
  const budget = i.gpu.memoryBytes * i.gpuMemoryUtilization;
  const weights = (m.numParameters * bytesPerParam(i.weightsDtype)) / tp;
  // Activation peak of the profiling run: residual stream, q/k/v/o and the MLP's gate+up, 2 bytes each.
  const activationWidth = 4 * m.hiddenSize + (2 * (m.moeIntermediateSize ?? m.intermediateSize) * (m.expertsPerToken ?? 1)) / tp;
  const reserve = i.maxNumBatchedTokens * activationWidth * 2 + NON_TORCH_RESERVE_BYTES;
  const kvBytes = budget - weights - reserve;
  const perToken = kvBytesPerTokenPerGpu(m, tp, i.kvDtype);
  const blocks = Math.floor(kvBytes / (perToken * i.blockSize));
  if (blocks < 1) {
    const gb = (b: number): string => (b / GIB).toFixed(2);
    throw new InsufficientMemoryError(
      `Model "${m.id}" does not fit on ${tp} x ${i.gpu.id}: it needs ${gb(weights)} GiB of weights + ${gb(reserve)} GiB ` +
        `reserve per GPU, but only ${gb(budget)} GiB per GPU is available (${gb(i.gpu.memoryBytes)} GiB x ` +
        `gpu_memory_utilization ${i.gpuMemoryUtilization}), leaving no room for the KV cache. ` +
        'Use more GPUs (--tensor-parallel-size), a larger GPU or a higher --gpu-memory-utilization.',
    );
  }
  return {
    blocks,
    tokens: blocks * i.blockSize,
    bytesPerTokenPerGpu: perToken,
    weightsBytesPerGpu: weights,
    reserveBytesPerGpu: reserve,
    budgetBytesPerGpu: budget,
    kvBytesPerGpu: kvBytes,
  };
}
