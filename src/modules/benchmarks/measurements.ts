import { KvDtype, WeightsDtype } from './catalog.types';
import { readDataFile } from './data-files';

export type LatencyStats = Partial<Record<'mean' | 'median' | 'p50' | 'p95' | 'p99' | 'unspecified' | 'approx', number>>;

export type BenchmarkLoad =
  | { type: 'concurrency'; concurrency: number; num_requests?: number | null }
  | { type: 'rate'; rate_qps: number | null; max_concurrency?: number | null }
  | { type: 'batch'; batch_size: number }
  | { type: 'offline_throughput'; num_prompts?: number | null; max_num_seqs?: number | null };

export type Metric = 'ttft' | 'itl' | 'e2e';

/**
 * What a point's prompts were, where the replay needs more than their mean lengths: their dataset,
 * and whether the prefix cache already held them (the same prompts served just before by an
 * earlier run on the same server).
 */
export interface PointWorkload {
  dataset: string;
  /** The same prompts were served just before on the same server (their blocks may still be cached). */
  warm_cache: boolean;
}

/** One measured point of data/benchmarks.json (normalised by data/sources/build.js). */
export interface BenchmarkPoint {
  id: string;
  source_group: string;
  model: string | null;
  model_as_published: string;
  gpu: string | null;
  gpu_as_published: string;
  tensor_parallel: number;
  pipeline_parallel: number;
  weights_dtype: WeightsDtype;
  /** The vLLM release measured ("0.12.0"), or null for other engines and unstated versions. */
  vllm_version: string | null;
  kv_cache_dtype: KvDtype;
  input_tokens: number | null;
  output_tokens: number | null;
  lengths: 'fixed' | 'mean' | 'assumed' | 'unknown';
  load: BenchmarkLoad;
  workload?: PointWorkload;
  ttft_ms: LatencyStats | null;
  itl_ms: LatencyStats | null;
  tpot_ms: LatencyStats | null;
  e2e_ms: LatencyStats | null;
  compare: Metric[];
  usable: boolean;
  holdout: boolean;
  holdout_reason: string | null;
  source: string;
}

export interface BenchmarksFile {
  points: BenchmarkPoint[];
}

export function loadBenchmarks(dataDir?: string): BenchmarkPoint[] {
  return readDataFile<BenchmarksFile>('benchmarks.json', dataDir).points;
}

/** The statistic compared with a prediction: the mean where the source gives one, else the median. */
const STAT_ORDER = ['mean', 'median', 'p50', 'unspecified', 'approx'] as const;

export function measured(point: BenchmarkPoint, metric: Metric): number | undefined {
  const stats = metric === 'ttft' ? point.ttft_ms : metric === 'e2e' ? point.e2e_ms : (point.itl_ms ?? point.tpot_ms);
  if (!stats) return undefined;
  for (const key of STAT_ORDER) if (typeof stats[key] === 'number') return stats[key];
  return undefined;
}
