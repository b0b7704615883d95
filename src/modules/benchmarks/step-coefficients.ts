import { InterconnectKind, WeightsDtype } from './catalog.types';
import { readDataFile } from './data-files';

/** One interconnect's all-reduce: a fixed latency (inside a CUDA graph, or eager) and a bus bandwidth share. */
export interface AllReduceCoefficients {
  /** Latency of one all-reduce captured in a CUDA graph (µs). */
  latency_us: number;
  /** Latency of one all-reduce run eagerly, in steps too large for the captured graphs (µs). */
  eager_latency_us: number;
  /** Share of the interconnect's per-direction bandwidth the ring achieves. */
  bus_efficiency: number;
}

/** The terms of the step-time model of one vLLM release family (data/step-model.json). */
export interface StepCoefficients {
  /** Share of the peak memory bandwidth dense GEMMs and attention reach while streaming weights and KV. */
  bandwidth_efficiency: number;
  /** Share of the dense 16-bit tensor peak large 16-bit GEMMs reach. */
  compute_efficiency: number;
  /** Share of the dense fp8 tensor peak 8-bit GEMMs reach (activation quantization included). */
  compute_efficiency_fp8: number;
  /** Share of the dense 16-bit peak 4-bit weight-only GEMMs reach (Marlin: dequantize, then 16-bit MMA). */
  compute_efficiency_int4: number;
  /** Exponent of the generalised mean joining a kernel's memory and compute times (large = max). */
  roofline_exponent: number;
  /** Fixed time of one GEMM kernel (µs); 8-bit GEMMs add the activation quantization. */
  gemm_fixed_us: number;
  fp8_gemm_extra_us: number;
  /** Fused MoE kernels: their bandwidth and compute shares, and fixed time per MoE layer (µs). */
  moe_bandwidth_efficiency: number;
  moe_compute_efficiency: number;
  /** Fused MoE with 8-bit experts on fp8 tensor cores: share of the fp8 peak (kernel figure; no end-to-end fp8 MoE point fits it). */
  moe_compute_efficiency_fp8: number;
  moe_fixed_us: number;
  /** FlashAttention on prefill tokens: share of the 16-bit peak. */
  attention_compute_efficiency: number;
  /** Decode attention per layer: fixed (µs) and per sequence (µs), besides reading the KV. */
  attention_fixed_us: number;
  attention_per_seq_us: number;
  /** Other kernels of a layer (norms, rotary, activation, KV-cache write), µs per layer. */
  layer_fixed_us: number;
  /** All-reduces (two per layer under tensor parallelism) by interconnect kind. */
  allreduce: Record<InterconnectKind, AllReduceCoefficients>;
  /** Steps of at most this many tokens replay a captured CUDA graph (vLLM's largest capture size). */
  cuda_graph_max_tokens: number;
  /**
   * Host side of every step: scheduling, input preparation, sampling, output processing (ms). Added
   * to the GPU's time by a synchronous engine core; overlapped with it under async scheduling.
   */
  step_overhead_ms: number;
  /** Host side per sequence in the step (ms). */
  per_seq_overhead_ms: number;
  /** Extra GPU-timeline time of a step that prefills (steps past the captured graphs run pieces eagerly), ms. */
  prefill_overhead_ms: number;
  /**
   * The API server's time for a request before the engine core sees it (HTTP, chat template,
   * input processing, IPC; the client's own share in a benchmark), ms, plus its tokenizing per
   * 1000 prompt tokens. In TTFT and E2E, never in ITL.
   */
  frontend_ms: number;
  frontend_per_1k_tokens_ms: number;
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

/** The coefficients of one vLLM release family, and the corrections fitted on that family's points. */
export interface ReleaseFamily {
  /** e.g. "v0.10+": the releases the coefficients describe. */
  name: string;
  /** Lowest vLLM version of the family ("0.10.0"); the family of a version is the newest whose floor it reaches. */
  since: string;
  description: string;
  /** The release from which vLLM enables async scheduling by default (absent: never, in this family). */
  async_scheduling_since?: string;
  coefficients: StepCoefficients;
  corrections: ConfigCorrection[];
  points_used: string[];
}

export interface StepModelFile {
  fitted_at: string;
  method: string;
  /** The family used when nothing names one: the newest. */
  default_family: string;
  families: ReleaseFamily[];
  /**
   * Per source group of data/benchmarks.json measured with aiperf: its load generator's time before
   * the first token beyond vLLM's own (`frontend_ms`), ms. Read by the benches only; the server adds nothing of it.
   */
  client_ms?: Record<string, number>;
  [extra: string]: unknown;
}

/** The model used if data/step-model.json is missing, and the starting point of the fit (H100 kernel figures of vLLM 0.14). */
export const DEFAULT_COEFFICIENTS: StepCoefficients = {
  bandwidth_efficiency: 0.9,
  compute_efficiency: 0.8,
  compute_efficiency_fp8: 0.3,
  compute_efficiency_int4: 0.3,
  roofline_exponent: 4,
  gemm_fixed_us: 4,
  fp8_gemm_extra_us: 12,
  moe_bandwidth_efficiency: 0.75,
  moe_compute_efficiency: 0.5,
  moe_compute_efficiency_fp8: 0.5,
  moe_fixed_us: 15,
  attention_compute_efficiency: 0.5,
  attention_fixed_us: 8,
  attention_per_seq_us: 0.1,
  layer_fixed_us: 10,
  allreduce: {
    fabric: { latency_us: 4.6, eager_latency_us: 20, bus_efficiency: 0.75 },
    pcie: { latency_us: 25, eager_latency_us: 40, bus_efficiency: 0.6 },
  },
  cuda_graph_max_tokens: 512,
  step_overhead_ms: 0.5,
  per_seq_overhead_ms: 0.005,
  prefill_overhead_ms: 0.5,
  frontend_ms: 3,
  frontend_per_1k_tokens_ms: 1,
};

/** Terms added after a step-model file was written: a file without them reads as the defaults. */
export function withDefaults(k: Partial<StepCoefficients>): StepCoefficients {
  return { ...DEFAULT_COEFFICIENTS, ...k, allreduce: { ...DEFAULT_COEFFICIENTS.allreduce, ...k.allreduce } };
}

export function loadStepModel(dataDir?: string): StepModelFile {
  const file = readDataFile<StepModelFile>('step-model.json', dataDir);
  return { ...file, families: file.families.map((f) => ({ ...f, coefficients: withDefaults(f.coefficients) })) };
}

/** Release versions as numbers to compare: "0.10.2" -> [0, 10, 2]; "v0.15.0rc1" -> [0, 15, 0]. */
function versionParts(version: string): number[] {
  return (version.match(/\d+(\.\d+)*/)?.[0] ?? '0').split('.').map(Number);
}

export function compareVersions(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** The family of a vLLM version (the newest family whose floor the version reaches), or the default family. */
export function familyFor(file: StepModelFile, version?: string | null): ReleaseFamily {
  const byDefault = file.families.find((f) => f.name === file.default_family) ?? file.families[0];
  if (!version) return byDefault;
  const fitting = file.families.filter((f) => compareVersions(version, f.since) >= 0).sort((a, b) => compareVersions(b.since, a.since));
  return fitting[0] ?? file.families.reduce((a, b) => (compareVersions(a.since, b.since) <= 0 ? a : b));
}

/**
 * Whether a release of the family schedules asynchronously by default. `version` unset: the
 * family's newest releases, which the server impersonates.
 */
export function asyncSchedulingIn(family: Pick<ReleaseFamily, 'async_scheduling_since'>, version?: string | null): boolean {
  if (!family.async_scheduling_since) return false;
  return !version || compareVersions(version, family.async_scheduling_since) >= 0;
}

export function findCorrection(
  family: Pick<ReleaseFamily, 'corrections'>,
  model: string,
  gpu: string,
  tp: number,
  weights: WeightsDtype,
): ConfigCorrection | undefined {
  return family.corrections.find((c) => c.model === model && c.gpu === gpu && c.tensor_parallel === tp && c.weights_dtype === weights);
}
