import { Random } from '../../common/random';
import { SettingsError, validateSettings } from '../../config/load-settings';
import { RuntimeValues } from '../../config/runtime-config';
import { Settings } from '../../config/settings';
import { CatalogError } from '../benchmarks/catalog-errors';
import { ResolvedProfile, resolveProfile } from '../benchmarks/resolve-profile';
import { createEngine } from '../engine/create-engine';
import { Engine } from '../engine/engine';
import { VirtualClock } from '../engine/virtual-clock';
import { DataParallelCluster, DisaggregatedCluster, EnginePool, ServingCluster } from './cluster';
import { binWidthFor, buildFigures, SimulationFigures } from './figures';
import { planWorkload } from './plan-workload';
import { PlannedRequest, PlannedWorkload, StageWindow } from './planned-request';
import { ClusterRecorder } from './recorder';
import { replayOnCluster, ReplayOptions, ReplayResult, singleEngine } from './replay';
import { createRouter, RoutingPolicyName } from './routing';
import { detectSaturation } from './saturation';
import { SimulateInputError } from './simulate-errors';
import { Slo } from './slo';
import { WorkloadSpec } from './workload-spec';

/** The engine of one replica, in the server's setting names. */
export interface EngineConfig {
  model: string;
  gpu: string;
  tensor_parallel_size: number;
  /** Unset: vLLM's default for the GPU, as the server. */
  max_num_seqs?: number;
  max_num_batched_tokens?: number;
  gpu_memory_utilization: number;
  enable_prefix_caching: boolean;
  max_model_len?: number;
  seed: number;
  /** The KV transfer link a decode engine pulls a remote prefill over (the server's settings of the same names). */
  kv_transfer_gb_per_s?: number;
  kv_transfer_latency_ms?: number;
}

export interface ClusterConfig {
  engine: EngineConfig;
  replicas: number;
  routing: RoutingPolicyName;
}

/** The KV transfer link between the pools, in the server's setting names (`--kv-transfer-gb-per-s`, `--kv-transfer-latency-ms`). */
export interface KvLinkConfig {
  kv_transfer_gb_per_s: number;
  kv_transfer_latency_ms: number;
}

/** A prefill pool and a decode pool of one model, each with its own engine configuration, replicas and routing. */
export interface DisaggregationConfig {
  prefill: ClusterConfig;
  decode: ClusterConfig;
  link: KvLinkConfig;
}

export interface ResolvedPool {
  resolved: ResolvedEngine;
  replicas: number;
  routing: RoutingPolicyName;
}

export interface ResolvedDisaggregation {
  prefill: ResolvedPool;
  decode: ResolvedPool;
  link: KvLinkConfig;
  /** A request must fit both sides' context windows. */
  maxModelLen: number;
}

/** An engine configuration resolved once (catalog lookups, KV capacity, step-time model) and reused by every run of a sweep. */
export interface ResolvedEngine {
  config: EngineConfig;
  settings: Settings;
  profile: ResolvedProfile;
  maxModelLen: number;
}

export function resolveEngine(config: EngineConfig): ResolvedEngine {
  try {
    const settings = validateSettings({
      model: config.model,
      gpu_type: config.gpu,
      tensor_parallel_size: config.tensor_parallel_size,
      ...(config.max_num_seqs !== undefined ? { max_num_seqs: config.max_num_seqs } : {}),
      ...(config.max_num_batched_tokens !== undefined ? { max_num_batched_tokens: config.max_num_batched_tokens } : {}),
      gpu_memory_utilization: config.gpu_memory_utilization,
      enable_prefix_caching: config.enable_prefix_caching,
      ...(config.max_model_len !== undefined ? { max_model_len: config.max_model_len } : {}),
      ...(config.kv_transfer_gb_per_s !== undefined ? { kv_transfer_gb_per_s: config.kv_transfer_gb_per_s } : {}),
      ...(config.kv_transfer_latency_ms !== undefined ? { kv_transfer_latency_ms: config.kv_transfer_latency_ms } : {}),
      seed: config.seed,
    } as never);
    const profile = resolveProfile(settings);
    return { config, settings, profile, maxModelLen: profile.contextWindow.maxModelLen };
  } catch (err) {
    if (err instanceof SettingsError || err instanceof CatalogError) throw new SimulateInputError(err.message);
    throw err;
  }
}

/** Resolves both pools (the decode engine gets the link: it is the side that pulls the KV). */
export function resolveDisaggregation(config: DisaggregationConfig): ResolvedDisaggregation {
  if (config.prefill.engine.model !== config.decode.engine.model) throw new SimulateInputError('The prefill and the decode pool must serve the same model (the decode side reads the prefill side\'s KV).');
  const pool = (c: ClusterConfig, engine: EngineConfig, name: string): ResolvedPool => {
    try {
      return { resolved: resolveEngine(engine), replicas: c.replicas, routing: c.routing };
    } catch (err) {
      if (err instanceof SimulateInputError) throw new SimulateInputError(`The ${name} pool: ${err.message}`);
      throw err;
    }
  };
  const prefill = pool(config.prefill, config.prefill.engine, 'prefill');
  const decode = pool(config.decode, { ...config.decode.engine, ...config.link }, 'decode');
  return { prefill, decode, link: config.link, maxModelLen: Math.min(prefill.resolved.maxModelLen, decode.resolved.maxModelLen) };
}

export interface RunOptions {
  slo?: Slo;
  maxConcurrency?: number;
  onProgress?: (settled: number, total: number) => void;
  /** Sweep points: stop at the last arrival when the stage is already saturated (it fails either way; the drain would only cost time). */
  stopWhenSaturated?: boolean;
}

export interface SimulationRun {
  figures: SimulationFigures;
  result: ReplayResult;
  /** Ended at the last arrival because it was saturated (`stopWhenSaturated`). */
  stopped: boolean;
  wallMs: number;
}

/** The server's run-time values with nothing overridden: the derived profile, no jitter. */
function runtimeValues(resolved: ResolvedEngine): RuntimeValues {
  return { latency_scale: 1, ttft_ms: null, itl_ms: null, prefill_ms_per_token: null, latency_jitter: 0, max_num_seqs: resolved.profile.limits.maxNumSeqs, response_mode: resolved.settings.response_mode };
}

/** Builds `replicas` engines of one configuration on one virtual clock (`firstIndex`: where their seeds start). */
export function buildEngines(resolved: ResolvedEngine, replicas: number, clock: VirtualClock, firstIndex = 0): Engine[] {
  const values = runtimeValues(resolved);
  return Array.from({ length: replicas }, (_, r) => createEngine(clock, resolved.profile, resolved.settings, () => values, new Random(resolved.config.seed + firstIndex + r)));
}

function buildPool(pool: ResolvedPool, clock: VirtualClock, firstIndex: number): EnginePool {
  const engines = buildEngines(pool.resolved, pool.replicas, clock, firstIndex);
  const { blockSize, kvCacheBlocks } = pool.resolved.profile;
  return { engines, blockSize, router: createRouter(pool.routing, { blockSize, cacheBlocks: kvCacheBlocks, events: engines.map((e) => e.events) }) };
}

/** Runs a planned workload on a prefill pool and a decode pool on one virtual clock, and builds its figures (`pools` among them). */
export function simulateDisaggregated(plan: PlannedWorkload, pd: ResolvedDisaggregation, options: RunOptions = {}): SimulationRun {
  const clock = new VirtualClock();
  const prefill = buildPool(pd.prefill, clock, 0);
  const decode = buildPool(pd.decode, clock, pd.prefill.replicas);
  return simulateOn(plan, new DisaggregatedCluster(clock, prefill, decode), { ...options, maxModelLen: pd.maxModelLen });
}

/**
 * Runs a planned workload on N replicas of the resolved engine behind the routing policy, on one
 * virtual clock, and builds its figures.
 */
export function simulatePlan(plan: PlannedWorkload, resolved: ResolvedEngine, cluster: Omit<ClusterConfig, 'engine'>, options: RunOptions = {}): SimulationRun {
  const clock = new VirtualClock();
  const engines = buildEngines(resolved, cluster.replicas, clock);
  const router = createRouter(cluster.routing, { blockSize: resolved.profile.blockSize, cacheBlocks: resolved.profile.kvCacheBlocks, events: engines.map((e) => e.events) });
  return simulateOn(plan, new DataParallelCluster(clock, engines, router), { ...options, maxModelLen: resolved.maxModelLen });
}

/** Replays a plan on a cluster (its engines idle, on their clock at 0) and builds its figures. */
export function simulateOn(plan: PlannedWorkload, serving: ServingCluster, options: RunOptions & { maxModelLen?: number } = {}): SimulationRun {
  const wallStart = performance.now();
  const boundaries = [...plan.stages.map((s) => s.start), plan.end];
  const recorder = new ClusterRecorder(serving.engines, boundaries, binWidthFor(plan.end), serving.roles);
  const result = replayOnCluster(plan.requests, serving, {
    maxConcurrency: options.maxConcurrency,
    lastArrival: plan.end,
    maxModelLen: options.maxModelLen,
    onProgress: options.onProgress,
    checkpoint: options.stopWhenSaturated
      ? {
          at: plan.end,
          stop: (records) => {
            // Only the backlog trend: the TTFT trend needs requests that have not started yet.
            const stage = plan.stages[plan.stages.length - 1];
            const arrivals = records.filter((r) => r.due >= stage.start && r.due < stage.end).map((r) => ({ due: r.due, ttftMs: 0 }));
            return detectSaturation({ start: stage.start, end: stage.end, backlog: (f, t) => recorder.meanBacklog(f, t), arrivals }).saturated;
          },
        }
      : undefined,
  });
  recorder.detach();
  const endMs = result.stopped ? plan.end : Math.max(plan.end, result.lastEnd);
  const figures = buildFigures({ plan, result, recorder, slo: options.slo, endMs, roles: serving.roles });
  return { figures, result, stopped: result.stopped, wallMs: Math.round(performance.now() - wallStart) };
}

/**
 * Replays explicit requests (e.g. the arrivals and token counts of a live run) through one engine
 * on virtual time and reports them per stage and overall. `stages` defaults to one stage from 0 to
 * the last arrival.
 */
export function replayRequests(
  requests: readonly PlannedRequest[],
  engine: Engine,
  clock: VirtualClock,
  stages: readonly StageWindow[] = [{ start: 0, end: Math.max(0, ...requests.map((r) => r.arrival)) }],
  options: ReplayOptions & { slo?: Slo } = {},
): SimulationFigures & { wall_ms: number } {
  const plan: PlannedWorkload = { requests: [...requests], stages: [...stages], classes: ['default'], end: stages[stages.length - 1]?.end ?? 0 };
  // Explicit requests keep their arrival times whatever the stages say: nothing is cut at the end.
  const run = simulateOn({ ...plan, end: Math.max(plan.end, ...requests.map((r) => r.arrival)) }, singleEngine(engine, clock), { maxConcurrency: options.maxConcurrency, slo: options.slo });
  return { ...run.figures, wall_ms: run.wallMs };
}

/** Plans a workload and replays it through one engine (`planWorkload` + `replayRequests`). */
export function runWorkload(workload: WorkloadSpec, engine: Engine, clock: VirtualClock): SimulationFigures & { wall_ms: number } {
  const run = simulateOn(planWorkload(workload), singleEngine(engine, clock), { maxConcurrency: workload.max_concurrency });
  return { ...run.figures, wall_ms: run.wallMs };
}
