import { InterconnectKind, WeightsDtype } from './catalog.types';
import { readDataFile } from './data-files';

/** The fitted terms of the roofline step-time model (data/step-model.json, written by bench/fit.ts). */
export interface StepCoefficients {
  /** Share of the peak memory bandwidth a step's weight and KV reads achieve. */
  bandwidth_efficiency: number;
  /** Share of the dense 16-bit tensor peak the step's matmuls achieve. */
  compute_efficiency: number;
  /** Share of the dense fp8 tensor peak achieved with fp8 weights (scaling and casts cost more). */
  compute_efficiency_fp8: number;
  /** Fixed cost of every step: scheduling, input preparation, kernel launches, sampling (ms). */
  step_overhead_ms: number;
  /** Per sequence in the step: bookkeeping, sampling, detokenizing (ms). */
  per_seq_overhead_ms: number;
  /** Latency of one all-reduce by interconnect kind (µs); two per layer under tensor parallelism. */
  allreduce_latency_us: Record<InterconnectKind, number>;
  /** Exponent of the generalised mean joining the memory and compute times (large = max). */
  roofline_exponent: number;
}

/**
 * Multiplies a configuration's decode and prefill times so that it reproduces its own measured
 * points (applied when the served model x GPU x TP x weight dtype matches).
 */
export interface ConfigCorrection {
  model: string;
  gpu: string;
  tensor_parallel: number;
  weights_dtype: WeightsDtype;
  decode_factor: number;
  prefill_factor: number;
  points: string[];
}

export interface StepModelFile {
  fitted_at: string;
  method: string;
  coefficients: StepCoefficients;
  corrections: ConfigCorrection[];
  points_used: string[];
  [extra: string]: unknown;
}

/** Starting point of the fit and the model used if data/step-model.json is missing. */
export const DEFAULT_COEFFICIENTS: StepCoefficients = {
  bandwidth_efficiency: 0.8,
  compute_efficiency: 0.6,
  compute_efficiency_fp8: 0.5,
  step_overhead_ms: 1.5,
  per_seq_overhead_ms: 0.02,
  allreduce_latency_us: { fabric: 25, pcie: 60 },
  roofline_exponent: 4,
};

export function loadStepModel(dataDir?: string): StepModelFile {
  return readDataFile<StepModelFile>('step-model.json', dataDir);
}

export function findCorrection(
  file: Pick<StepModelFile, 'corrections'>,
  model: string,
  gpu: string,
  tp: number,
  weights: WeightsDtype,
): ConfigCorrection | undefined {
  return file.corrections.find((c) => c.model === model && c.gpu === gpu && c.tensor_parallel === tp && c.weights_dtype === weights);
}
