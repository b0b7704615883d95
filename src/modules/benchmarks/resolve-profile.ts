import { SIMULATED_VLLM_VERSION } from '../api/version';
import { Settings } from '../../config/settings';
import { Catalog, catalogFor } from './catalog';
import { batchLimits } from './batch-defaults';
import { CatalogError, MaxModelLenTooLargeError } from './catalog-errors';
import { GpuSpec, KvDtype, ModelSpec, WeightsDtype } from './catalog.types';
import { KvCapacity, kvCacheCapacity, kvDtypeFromSetting } from './kv-capacity';
import { ModelFacts, PerformanceProfile } from './profile.types';
import { RooflineStepTimeModel } from './roofline-step-model';
import { ConfigCorrection, DEFAULT_COEFFICIENTS, ReleaseFamily, StepModelFile, asyncSchedulingIn, familyFor, findCorrection, loadStepModel } from './step-coefficients';

/** The profile with the facts it was derived from, for logs, /admin/status and the benches. */
export interface ResolvedProfile extends PerformanceProfile {
  modelSpec: ModelSpec;
  gpu: GpuSpec;
  kvCapacity: KvCapacity;
  correction: ConfigCorrection | null;
  stepTime: RooflineStepTimeModel;
  /** The context window served (max_model_len), already checked against the KV cache. */
  contextWindow: ContextWindow;
}

/** vLLM's max_model_len as served, and why it is below the model's own context when it is. */
export interface ContextWindow {
  maxModelLen: number;
  /** Set when the model's context was capped to the KV cache capacity: the start-up warning. */
  warning: string | null;
}

/** What the context window depends on: the model's context and the KV cache of the configuration. */
export type ContextWindowFacts = Pick<PerformanceProfile, 'kvCacheBlocks' | 'blockSize' | 'gpuId' | 'tensorParallelSize'> & {
  model: Pick<ModelFacts, 'contextLength'>;
};

/**
 * The context window served. vLLM refuses to start when max_model_len exceeds what the KV cache
 * holds, since one request of that length could never be scheduled. Set explicitly, that is this
 * simulator's answer too (MaxModelLenTooLargeError, exit code 2). Left to its default, the model's
 * context is capped at the KV cache capacity (whole blocks) with a warning, so that a catalogued
 * model starts on any catalogued GPU and no request the doors accept can outgrow the cache.
 */
export function resolveContextWindow(requested: number | undefined, facts: ContextWindowFacts): ContextWindow {
  const kvTokens = facts.kvCacheBlocks * facts.blockSize;
  if (requested !== undefined) {
    if (requested > kvTokens) throw new MaxModelLenTooLargeError(requested, kvTokens);
    return { maxModelLen: requested, warning: null };
  }
  const context = facts.model.contextLength;
  if (context <= kvTokens) return { maxModelLen: context, warning: null };
  return {
    maxModelLen: kvTokens,
    warning:
      `max_model_len capped at ${kvTokens} tokens (the model's context length is ${context}): the KV cache on ` +
      `${facts.tensorParallelSize} x ${facts.gpuId} holds only ${kvTokens} tokens (${facts.kvCacheBlocks} blocks of ${facts.blockSize}), ` +
      'and vLLM cannot serve a request longer than its KV cache. Set --max-model-len (at most that) to choose the window, ' +
      'or use a higher --gpu-memory-utilization, more GPUs (--tensor-parallel-size) or a larger GPU.',
  };
}

export interface ProfileSources {
  catalog?: Catalog;
  stepModel?: StepModelFile;
}

/**
 * The step-time model of a configuration under a release family's coefficients (`version`: a vLLM
 * version whose family to use; unset = the file's default, the newest), with the configuration's
 * own correction where that family has measured points of it.
 */
export function stepModelFor(
  model: ModelSpec,
  gpu: GpuSpec,
  tp: number,
  file: StepModelFile | undefined,
  dtypes: { weights?: WeightsDtype; kv?: KvDtype } = {},
  calibrated = true,
  version?: string | null,
): { stepTime: RooflineStepTimeModel; correction: ConfigCorrection | null; family: ReleaseFamily | null } {
  const weights = dtypes.weights ?? '16bit';
  const family = file ? familyFor(file, version) : null;
  const correction = calibrated && family ? (findCorrection(family, model.id, gpu.id, tp, weights) ?? null) : null;
  const stepTime = new RooflineStepTimeModel(model, gpu, tp, family?.coefficients ?? DEFAULT_COEFFICIENTS, {
    weightsDtype: weights,
    kvDtype: dtypes.kv,
    correction: correction ?? undefined,
    asyncScheduling: family ? asyncSchedulingIn(family, version) : false,
  });
  return { stepTime, correction, family };
}

/**
 * Resolves the served configuration (model x GPU x TP) into the engine's performance profile: the
 * catalog facts, the KV cache capacity, and the fitted step-time model (with the configuration's
 * own correction where it has measured points). Throws a CatalogError for anything vLLM would
 * refuse at start-up.
 */
export function resolveProfile(settings: Settings, sources: ProfileSources = {}): ResolvedProfile {
  const catalog = sources.catalog ?? catalogFor(settings);
  const modelSpec = catalog.resolveModel(settings.model);
  const gpu = catalog.resolveGpu(settings.gpu_type);
  const tp = settings.tensor_parallel_size;
  if (modelSpec.numAttentionHeads % tp !== 0)
    throw new CatalogError(
      `tensor_parallel_size ${tp} must divide the number of attention heads of "${modelSpec.id}" (${modelSpec.numAttentionHeads})`,
    );
  const kvDtype = kvDtypeFromSetting(settings.kv_cache_dtype);
  const limits = batchLimits(settings, gpu, settings.max_model_len ?? modelSpec.contextLength);
  const kvCapacity = kvCacheCapacity({
    model: modelSpec,
    gpu,
    tensorParallelSize: tp,
    gpuMemoryUtilization: settings.gpu_memory_utilization,
    blockSize: settings.block_size,
    kvDtype,
    weightsDtype: modelSpec.quantization ?? '16bit',
    maxNumBatchedTokens: limits.maxNumBatchedTokens,
  });
  // vLLM's num_gpu_blocks_override (llm-d-inference-sim's --kv-cache-size) replaces the profiled capacity.
  const kvCacheBlocks = settings.num_gpu_blocks_override ?? kvCapacity.blocks;
  const contextWindow = resolveContextWindow(settings.max_model_len, {
    model: modelSpec,
    kvCacheBlocks,
    blockSize: settings.block_size,
    gpuId: gpu.id,
    tensorParallelSize: tp,
  });
  let file = sources.stepModel;
  if (!file) {
    try {
      file = loadStepModel();
    } catch {
      file = undefined; // no fitted coefficients: the defaults, said so in the description
    }
  }
  const weights = modelSpec.quantization ?? '16bit';
  const { stepTime, correction, family } = stepModelFor(modelSpec, gpu, tp, file, { weights, kv: kvDtype }, true, SIMULATED_VLLM_VERSION);
  const fit = family
    ? `step model of vLLM ${family.name} fitted on ${family.points_used.length} measured points (${file!.fitted_at})`
    : 'step model with unfitted default coefficients';
  const description =
    `${modelSpec.id}${weights === '16bit' ? '' : ` (${weights} weights)`} on ${tp} x ${gpu.id}: ${fit}` +
    (correction ? `, calibrated on its own ${correction.points.length} points` : '') +
    `; KV cache ${kvCacheBlocks * settings.block_size} tokens (${kvCacheBlocks} blocks of ${settings.block_size}${settings.num_gpu_blocks_override ? ', overridden' : ''})` +
    `; max_model_len ${contextWindow.maxModelLen}${contextWindow.warning ? ' (capped to the KV cache)' : ''}`;
  return {
    model: {
      id: modelSpec.id,
      contextLength: modelSpec.contextLength,
      numParameters: modelSpec.numParameters,
      numActiveParameters: modelSpec.numActiveParameters,
      vocabSize: modelSpec.vocabSize,
      ...(modelSpec.pooling ? { pooling: modelSpec.pooling } : {}),
    },
    gpuId: gpu.id,
    tensorParallelSize: tp,
    stepTime,
    kvCacheBlocks,
    blockSize: settings.block_size,
    limits,
    weightsBytesPerGpu: kvCapacity.weightsBytesPerGpu,
    description,
    kvBytesPerTokenPerGpu: kvCapacity.bytesPerTokenPerGpu,
    loraBytesPerRank: loraBytesPerRank(modelSpec),
    modelSpec,
    gpu,
    kvCapacity,
    correction,
    contextWindow,
  };
}

/** Names accepted for `--model` (catalog ids; the part after the slash also works). */
export function listKnownModels(): string[] {
  return Catalog.load().listModels();
}

/** Canonical GPU ids accepted for `--gpu-type` (aliases also work). */
export function listKnownGpus(): string[] {
  return Catalog.load().listGpus();
}

/**
 * A rank-1 LoRA adapter's bytes on this model: for each layer, A (in x r) and B (r x out) for the
 * q, k, v, o projections and the MLP's gate, up and down, at 2 bytes per weight (PEFT's usual
 * target set for "all-linear").
 */
function loraBytesPerRank(m: ModelSpec): number {
  const kv = m.numKvHeads * m.headDim;
  const q = m.numAttentionHeads * m.headDim;
  const mlp = m.moeIntermediateSize ?? m.intermediateSize;
  const perLayer = m.hiddenSize + q + (m.hiddenSize + kv) * 2 + q + m.hiddenSize + (m.hiddenSize + mlp) * 2 + mlp + m.hiddenSize;
  return perLayer * m.numLayers * 2;
}
