import { ReplicaPlan } from './capacity';
import { Rates, SimulationFigures } from './figures';
import { LatencySummary } from './latency-summary';
import { RoutingPolicyName } from './routing';
import { ResolvedDisaggregation, ResolvedEngine, ResolvedPool } from './simulation';
import { SweepPoint } from './sweep';

/** The configuration a result is for (the head of every output). */
export interface ConfigFacts {
  model: string;
  gpu: string;
  tensor_parallel_size: number;
  max_num_seqs: number;
  max_num_batched_tokens: number;
  /** KV cache of one replica, tokens. */
  kv_cache_tokens: number;
  max_model_len: number;
  replicas: number;
  routing: RoutingPolicyName;
  seed: number;
  /** Prefill/decode pools: the head's engine fields are then the decode pool's, `replicas` both pools together. */
  disaggregation?: DisaggregationFacts;
}

/** One pool's engine and size. */
export interface PoolFacts {
  replicas: number;
  routing: RoutingPolicyName;
  gpu: string;
  tensor_parallel_size: number;
  max_num_seqs: number;
  max_num_batched_tokens: number;
  kv_cache_tokens: number;
}

export interface DisaggregationFacts {
  prefill: PoolFacts;
  decode: PoolFacts;
  kv_transfer_gb_per_s: number;
  kv_transfer_latency_ms: number;
  /** What one decode GPU pulls per prompt token (the model's KV bytes per token on one GPU of the decode side). */
  kv_bytes_per_token_per_gpu: number;
}

export function configFacts(resolved: ResolvedEngine, replicas: number, routing: RoutingPolicyName): ConfigFacts {
  return {
    model: resolved.profile.model.id,
    gpu: resolved.profile.gpuId,
    tensor_parallel_size: resolved.profile.tensorParallelSize,
    max_num_seqs: resolved.profile.limits.maxNumSeqs,
    max_num_batched_tokens: resolved.profile.limits.maxNumBatchedTokens,
    kv_cache_tokens: resolved.profile.kvCacheBlocks * resolved.profile.blockSize,
    max_model_len: resolved.maxModelLen,
    replicas,
    routing,
    seed: resolved.config.seed,
  };
}

function poolFacts(pool: ResolvedPool): PoolFacts {
  const f = configFacts(pool.resolved, pool.replicas, pool.routing);
  return { replicas: f.replicas, routing: f.routing, gpu: f.gpu, tensor_parallel_size: f.tensor_parallel_size, max_num_seqs: f.max_num_seqs, max_num_batched_tokens: f.max_num_batched_tokens, kv_cache_tokens: f.kv_cache_tokens };
}

export function disaggregatedFacts(pd: ResolvedDisaggregation): ConfigFacts {
  const head = configFacts(pd.decode.resolved, pd.prefill.replicas + pd.decode.replicas, pd.decode.routing);
  return {
    ...head,
    max_model_len: pd.maxModelLen,
    disaggregation: {
      prefill: poolFacts(pd.prefill),
      decode: poolFacts(pd.decode),
      ...pd.link,
      kv_bytes_per_token_per_gpu: pd.decode.resolved.profile.kvBytesPerTokenPerGpu ?? 0,
    },
  };
}

/** `simulate` without --sweep or --grid: one run of the workload or trace. */
export interface RunDocument extends ConfigFacts, Omit<SimulationFigures, 'replicas'> {
  kind: 'run';
  source: string;
  slo: string | null;
  per_replica?: SimulationFigures['replicas'];
  wall_ms: number;
}

/** `simulate --sweep` (and `--target-rate`). */
export interface SweepDocument extends ConfigFacts {
  kind: 'sweep';
  source: string;
  slo: string | null;
  max_rate: number | null;
  points: SweepPoint[];
  note: string | null;
  /** The configuration's capacity as the saturated rates tried estimate it (the median of their estimates). */
  sustainable_rate: number | null;
  /** The run at max_rate, figure for figure (for the report's charts). */
  at_max_rate: RunDocument | null;
  replicas_plan?: ReplicaPlan;
  wall_ms: number;
}

export interface GridRow {
  /** Batch limits null when the configuration cannot be resolved (its default depends on the GPU). */
  config: Pick<ConfigFacts, 'model' | 'gpu' | 'tensor_parallel_size' | 'replicas' | 'routing'> &
    Partial<Pick<ConfigFacts, 'kv_cache_tokens'>> & { max_num_seqs: number | null; max_num_batched_tokens: number | null };
  /** The configuration cannot run (e.g. the model does not fit the GPU). */
  error?: string;
  max_rate?: number | null;
  sustainable_rate?: number | null;
  saturated?: boolean;
  achieved?: Rates;
  goodput?: { requests_per_s: number } | null;
  slo_met?: boolean | null;
  ttft_ms?: LatencySummary;
  itl_ms?: LatencySummary;
  e2e_ms?: LatencySummary;
  /** With --sweep: the rates tried. */
  points?: SweepPoint[];
}

/** `simulate --grid`. */
export interface GridDocument {
  kind: 'grid';
  source: string;
  slo: string | null;
  sweep: boolean;
  cells: GridRow[];
  wall_ms: number;
}

export type SimulateDocument = RunDocument | SweepDocument | GridDocument;

export function runDocument(facts: ConfigFacts, source: string, slo: string | null, figures: SimulationFigures, wallMs: number): RunDocument {
  const { replicas, ...rest } = figures;
  return { kind: 'run', ...facts, source, slo, ...rest, ...(replicas ? { per_replica: replicas } : {}), wall_ms: wallMs };
}

/**
 * JSON for people and scripts: two-space indents, but arrays of numbers (time series) on one line,
 * and without the internal `kind` tag or the per-replica series kept for the report.
 */
export function toJson(doc: SimulateDocument): string {
  const text = JSON.stringify(
    doc,
    (key, value: unknown) => (key === 'kind' || key === 'kv_usage_by_replica' ? undefined : value),
    2,
  );
  return text.replace(/\[\n\s+(-?[\d.e+-]+(?:,\n\s+-?[\d.e+-]+)*)\n\s+\]/g, (_, body: string) => `[${body.split(/,\n\s+/).join(', ')}]`);
}
