import { Settings } from '../../config/settings';
import { Catalog } from './catalog';
import { CatalogError } from './catalog-errors';
import { GpuSpec, KvDtype, ModelSpec, WeightsDtype } from './catalog.types';
import { KvCapacity, kvCacheCapacity, kvDtypeFromSetting } from './kv-capacity';
import { PerformanceProfile } from './profile.types';
import { RooflineStepTimeModel } from './roofline-step-model';
import { ConfigCorrection, DEFAULT_COEFFICIENTS, StepModelFile, findCorrection, loadStepModel } from './step-coefficients';

/** The profile with the facts it was derived from, for logs, /admin/status and the benches. */
export interface ResolvedProfile extends PerformanceProfile {
  modelSpec: ModelSpec;
  gpu: GpuSpec;
  kvCapacity: KvCapacity;
  correction: ConfigCorrection | null;
  stepTime: RooflineStepTimeModel;
}

export interface ProfileSources {
  catalog?: Catalog;
  stepModel?: StepModelFile;
}

export function catalogFor(settings: Pick<Settings, 'models' | 'gpus' | 'model_config' | 'model'>): Catalog {
  return Catalog.load({ models: settings.models, gpus: settings.gpus, modelConfigPath: settings.model_config, modelConfigId: settings.model });
}

export function stepModelFor(
  model: ModelSpec,
  gpu: GpuSpec,
  tp: number,
  file: StepModelFile | undefined,
  dtypes: { weights?: WeightsDtype; kv?: KvDtype } = {},
  calibrated = true,
): { stepTime: RooflineStepTimeModel; correction: ConfigCorrection | null } {
  const weights = dtypes.weights ?? '16bit';
  const correction = calibrated && file ? (findCorrection(file, model.id, gpu.id, tp, weights) ?? null) : null;
  const stepTime = new RooflineStepTimeModel(model, gpu, tp, file?.coefficients ?? DEFAULT_COEFFICIENTS, {
    weightsDtype: weights,
    kvDtype: dtypes.kv,
    correction: correction ?? undefined,
  });
  return { stepTime, correction };
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
  const kvCapacity = kvCacheCapacity({
    model: modelSpec,
    gpu,
    tensorParallelSize: tp,
    gpuMemoryUtilization: settings.gpu_memory_utilization,
    blockSize: settings.block_size,
    kvDtype,
    maxNumBatchedTokens: settings.max_num_batched_tokens,
  });
  const maxModelLen = settings.max_model_len ?? modelSpec.contextLength;
  if (settings.max_model_len !== undefined && maxModelLen > kvCapacity.tokens)
    throw new CatalogError(
      `The model's max seq len (${maxModelLen}) is larger than the maximum number of tokens that can be stored in KV cache ` +
        `(${kvCapacity.tokens}) on ${tp} x ${gpu.id}. Try increasing gpu_memory_utilization or decreasing max_model_len.`,
    );
  let file = sources.stepModel;
  if (!file) {
    try {
      file = loadStepModel();
    } catch {
      file = undefined; // no fitted coefficients: the defaults, said so in the description
    }
  }
  const { stepTime, correction } = stepModelFor(modelSpec, gpu, tp, file, { kv: kvDtype });
  const fit = file ? `roofline fitted on ${file.points_used.length} measured points (${file.fitted_at})` : 'roofline with unfitted default coefficients';
  const description =
    `${modelSpec.id} on ${tp} x ${gpu.id}: ${fit}` +
    (correction ? `, calibrated on its own ${correction.points.length} points` : '') +
    `; KV cache ${kvCapacity.tokens} tokens (${kvCapacity.blocks} blocks of ${settings.block_size})`;
  return {
    model: {
      id: modelSpec.id,
      contextLength: modelSpec.contextLength,
      numParameters: modelSpec.numParameters,
      numActiveParameters: modelSpec.numActiveParameters,
      vocabSize: modelSpec.vocabSize,
    },
    gpuId: gpu.id,
    tensorParallelSize: tp,
    stepTime,
    kvCacheBlocks: kvCapacity.blocks,
    blockSize: settings.block_size,
    description,
    modelSpec,
    gpu,
    kvCapacity,
    correction,
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
