import { Settings } from '../../config/settings';
import { GpuSpec } from './catalog.types';
import { catalogFor } from './catalog';

/** vLLM's scheduler limits as served: the settings where given, else vLLM's defaults for the GPU. */
export interface BatchLimits {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
}

const GIB = 1024 ** 3;

/**
 * vLLM's `EngineArgs.get_batch_defaults` for the OpenAI server: GPUs with at least 70 GiB other
 * than A100 (H100, H200, B200, MI300X ...) get 8192 tokens and 1024 sequences per step, every
 * other GPU (L4, A10G, L40S, A100) 2048 and 256.
 */
export function batchDefaults(gpu: Pick<GpuSpec, 'id' | 'name' | 'memoryBytes'>): BatchLimits {
  const large = gpu.memoryBytes >= 70 * GIB && !/a100/i.test(`${gpu.id} ${gpu.name}`);
  return large ? { maxNumSeqs: 1024, maxNumBatchedTokens: 8192 } : { maxNumSeqs: 256, maxNumBatchedTokens: 2048 };
}

/**
 * The limits served: explicit settings win; an unset one takes vLLM's default for the GPU. As in
 * vLLM's `_set_default_max_num_seqs_and_batched_tokens_args`, a defaulted token budget is at most
 * max_num_seqs x max_model_len, and a defaulted max_num_seqs at most the token budget.
 */
export function batchLimits(
  settings: Pick<Settings, 'max_num_seqs' | 'max_num_batched_tokens'>,
  gpu: Pick<GpuSpec, 'id' | 'name' | 'memoryBytes'>,
  maxModelLen = Infinity,
): BatchLimits {
  const d = batchDefaults(gpu);
  const maxNumSeqsDefault = settings.max_num_seqs ?? d.maxNumSeqs;
  const maxNumBatchedTokens = settings.max_num_batched_tokens ?? Math.min(d.maxNumBatchedTokens, maxNumSeqsDefault * maxModelLen);
  const maxNumSeqs = settings.max_num_seqs ?? Math.min(d.maxNumSeqs, maxNumBatchedTokens);
  return { maxNumSeqs, maxNumBatchedTokens };
}

/**
 * The settings with the batch limits filled in for the configured GPU, for the parts of the server
 * built before the profile (the runtime values behind /admin/config). A GPU the catalog cannot
 * resolve leaves them unset: the profile's resolution then fails with the catalog's message.
 */
export function withBatchDefaults(settings: Settings): Settings {
  if (settings.max_num_seqs !== undefined && settings.max_num_batched_tokens !== undefined) return settings;
  let gpu: GpuSpec;
  try {
    gpu = catalogFor(settings).resolveGpu(settings.gpu_type);
  } catch {
    return settings;
  }
  const limits = batchLimits(settings, gpu);
  return Object.assign(Object.create(Object.getPrototypeOf(settings) as object) as Settings, settings, {
    max_num_seqs: limits.maxNumSeqs,
    max_num_batched_tokens: limits.maxNumBatchedTokens,
  });
}
