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

/** Bytes per quantized weight: 4-bit formats carry a 16-bit scale per group of 128 (AWQ, GPTQ, W4A16) or 32 (MXFP4). */
export function bytesPerParam(dtype: WeightsDtype = '16bit'): number {
  return dtype === 'fp8' ? 1 : dtype === 'int4' ? 0.53 : 2;
}

/** Embedding and lm_head parameters: quantized checkpoints keep them in 16 bits. */
function embeddingParams(model: Pick<ModelSpec, 'vocabSize' | 'hiddenSize' | 'tieWordEmbeddings'>): number {
  return model.vocabSize * model.hiddenSize * (model.tieWordEmbeddings ? 1 : 2);
}

/** Bytes of the whole model's weights in the given format (embeddings and lm_head at 16 bits). */
function weightBytes(model: ModelSpec, dtype: WeightsDtype = '16bit'): number {
  const embeddings = Math.min(model.numParameters, embeddingParams(model));
  return (model.numParameters - embeddings) * bytesPerParam(dtype) + embeddings * 2;
}

export function kvDtypeFromSetting(kvCacheDtype: string): KvDtype {
  return kvCacheDtype.startsWith('fp8') ? 'fp8' : '16bit';
}

/** KV heads held by one GPU: split across TP ranks, replicated when there are fewer heads than ranks. */
function kvHeadsPerGpu(model: ModelSpec, tp: number): number {
  return Math.max(1, model.numKvHeads / tp);
}

/** KV bytes of one token on one GPU. MLA (DeepSeek) caches one latent of kv_lora_rank + rope dims per layer, on every rank. */
export function kvBytesPerTokenPerGpu(model: ModelSpec, tp: number, kvDtype: KvDtype): number {
  const bytes = kvDtype === 'fp8' ? 1 : 2;
  if (model.kvLoraRank) return model.numLayers * (model.kvLoraRank + (model.qkRopeHeadDim ?? 0)) * bytes;
  return 2 * model.numLayers * kvHeadsPerGpu(model, tp) * model.headDim * bytes;
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
  const weights = weightBytes(m, i.weightsDtype) / tp;
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
