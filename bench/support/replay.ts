/**
 * Replays a measured point of data/benchmarks.json through the real engine (src/modules/engine) on a
 * virtual clock, the way its tool ran it (benchmark-tools.ts), under the step model of the point's
 * vLLM release family. Shared by bench/fidelity.ts (the check) and bench/fit.ts (the fit).
 */
import { Random } from '../../src/common/random';
import { RuntimeValues } from '../../src/config/runtime-config';
import { BatchLimits, batchLimits } from '../../src/modules/benchmarks/batch-defaults';
import { Catalog } from '../../src/modules/benchmarks/catalog';
import { kvCacheCapacity } from '../../src/modules/benchmarks/kv-capacity';
import { BenchmarkPoint, Metric } from '../../src/modules/benchmarks/measurements';
import { RooflineStepTimeModel } from '../../src/modules/benchmarks/roofline-step-model';
import { predictSteadyState } from '../../src/modules/benchmarks/steady-state';
import { ConfigCorrection, ReleaseFamily, StepCoefficients, StepModelFile, asyncSchedulingIn, familyFor, findCorrection } from '../../src/modules/benchmarks/step-coefficients';
import { Engine } from '../../src/modules/engine/engine';
import { BlockPool } from '../../src/modules/engine/block-pool';
import { StepTiming } from '../../src/modules/engine/step-timing';
import { VirtualClock } from '../../src/modules/engine/virtual-clock';
import { ReplayedRequest, replayTimeline } from '../../src/modules/simulate';
import { BenchmarkTool, Statistic, toolFor } from './benchmark-tools';

export const catalog = Catalog.load();

/** Points with a vLLM version (or none) point to their family; the oldest family takes the rest. */
export function familyOf(file: StepModelFile, p: BenchmarkPoint): ReleaseFamily {
  return familyFor(file, p.vllm_version ?? '0.0.0');
}

/**
 * The scheduler limits the point ran with. The newest family's vLLM fills them per GPU
 * (get_batch_defaults, OpenAI server); the older points keep 8192 / 256, what the releases of the
 * oldest family gave the serving benchmarks they were measured with before 0.9's per-GPU table.
 */
export function limitsOf(p: BenchmarkPoint, family: ReleaseFamily, file: StepModelFile): BatchLimits {
  if (family.name !== file.default_family) return { maxNumSeqs: 256, maxNumBatchedTokens: 8192 };
  return batchLimits({}, catalog.resolveGpu(p.gpu!));
}

/**
 * The sources measured with aiperf (NIM's tables, aiconfigurator's collections): their TTFTs hold
 * the load generator's own time on top of vLLM's, fitted per source by bench/fit.ts (`client_ms`).
 */
export function clientTimeApplies(p: BenchmarkPoint): boolean {
  return p.source_group === 'nvidia-nim-benchmarking' || p.source_group.startsWith('aiconfigurator-silicon');
}

/** The point's client time (ms) before its first token, beyond vLLM's: 0 but for the aiperf sources. */
export function clientMsOf(file: StepModelFile, p: BenchmarkPoint): number {
  return clientTimeApplies(p) ? (file.client_ms?.[p.source_group] ?? 0) : 0;
}

export interface ReplayOptions {
  /** Use the configuration's own correction (as the server does), or the family's global coefficients only. */
  calibrated: boolean;
  /** Coefficients to try instead of the family's (the fit). */
  coefficients?: StepCoefficients;
  /** Fewer seeds / requests, for the fit's many replays. */
  quick?: boolean;
  /** Add the source's client time (clientMsOf) to TTFT and E2E, as the benches compare them. */
  withClient?: boolean;
}

export function stepTimeFor(p: BenchmarkPoint, file: StepModelFile, o: ReplayOptions): RooflineStepTimeModel {
  const family = familyOf(file, p);
  const model = catalog.resolveModel(p.model!);
  const gpu = catalog.resolveGpu(p.gpu!);
  const correction: ConfigCorrection | undefined = o.calibrated ? findCorrection(family, model.id, gpu.id, p.tensor_parallel, p.weights_dtype) : undefined;
  return new RooflineStepTimeModel(model, gpu, p.tensor_parallel, o.coefficients ?? family.coefficients, {
    weightsDtype: p.weights_dtype,
    kvDtype: p.kv_cache_dtype,
    correction,
    asyncScheduling: asyncSchedulingIn(family, p.vllm_version ?? '0.0.0'),
    // vLLM's latency benchmark runs LLM.generate in-process: no API server in front of the engine.
    offline: p.load.type === 'batch',
  });
}

function engineFor(p: BenchmarkPoint, file: StepModelFile, o: ReplayOptions): { engine: Engine; clock: VirtualClock } {
  const family = familyOf(file, p);
  const limits = limitsOf(p, family, file);
  const kv = kvCacheCapacity({
    model: catalog.resolveModel(p.model!), gpu: catalog.resolveGpu(p.gpu!), tensorParallelSize: p.tensor_parallel,
    gpuMemoryUtilization: 0.9, blockSize: 16, kvDtype: p.kv_cache_dtype, weightsDtype: p.weights_dtype,
    maxNumBatchedTokens: limits.maxNumBatchedTokens,
  });
  const values: RuntimeValues = {
    latency_scale: 1, ttft_ms: null, itl_ms: null, prefill_ms_per_token: null, latency_jitter: 0,
    max_num_seqs: limits.maxNumSeqs, response_mode: 'patterns',
  };
  const clock = new VirtualClock();
  const engine = new Engine(clock, new BlockPool(kv.blocks, 16, true), new StepTiming(stepTimeFor(p, file, o), () => values, new Random(7)), {
    maxNumSeqs: () => values.max_num_seqs,
    maxNumBatchedTokens: limits.maxNumBatchedTokens,
  });
  return { engine, clock };
}

/** The figure a source reports for a metric and how it labels it (the first of mean, median, p50, unspecified, approx). */
export function figure(p: BenchmarkPoint, metric: Metric): { value: number; label: string } | undefined {
  const stats = metric === 'ttft' ? p.ttft_ms : metric === 'e2e' ? p.e2e_ms : (p.itl_ms ?? p.tpot_ms);
  for (const label of ['mean', 'median', 'p50', 'unspecified', 'approx'] as const) {
    const value = stats?.[label];
    if (typeof value === 'number') return { value, label };
  }
  return undefined;
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; // as numpy.median
}

/** A metric over the measured requests, as the tool computes it. */
function predict(rs: readonly ReplayedRequest[], tool: BenchmarkTool, p: BenchmarkPoint, metric: Metric, stat: Statistic): number {
  const done = rs.filter((r) => r.end !== undefined && r.firstToken !== undefined);
  if (stat === 'duration') return Math.max(...done.map((r) => r.end!)) - Math.min(...done.map((r) => r.sent));
  const values =
    metric === 'ttft' ? done.map((r) => r.firstToken! - r.sent)
    : metric === 'e2e' ? done.map((r) => r.end! - r.sent)
    : tool.itl(p) === 'gaps' ? done.flatMap((r) => r.itls)
    : done.filter((r) => r.outputTokens > 1).map((r) => (r.end! - r.firstToken!) / (r.outputTokens - 1));
  return stat === 'median' ? median(values) : mean(values);
}

/** A client's cycle at the point's load (one request's E2E), from the steady-state approximation: closed loops spread their clients over it. */
function cycleMs(p: BenchmarkPoint, file: StepModelFile, o: ReplayOptions): number {
  const workload = { inputTokens: p.input_tokens!, outputTokens: p.output_tokens!, load: p.load };
  return predictSteadyState(stepTimeFor(p, file, o), workload, limitsOf(p, familyOf(file, p), file)).e2eMs;
}

/** Predicted figures for the point's compared metrics, averaged over the tool's seeds. */
export function replayPoint(p: BenchmarkPoint, file: StepModelFile, o: ReplayOptions): Partial<Record<Metric, number>> {
  const tool = toolFor(p);
  const cycle = p.load.type === 'concurrency' ? cycleMs(p, file, o) : 0;
  const sums: Partial<Record<Metric, number>> = {};
  const seeds = o.quick ? Math.min(2, tool.seeds(p)) : tool.seeds(p);
  for (let seed = 1; seed <= seeds; seed++) {
    const run = tool.plan(p, seed, cycle);
    const { engine, clock } = engineFor(p, file, o);
    const records = replayTimeline(run.requests, engine, clock, { maxConcurrency: run.maxConcurrency });
    const measured = records.slice(run.measured.from, run.measured.to);
    for (const metric of p.compare) {
      const f = figure(p, metric);
      if (f) sums[metric] = (sums[metric] ?? 0) + predict(measured, tool, p, metric, tool.statistic(f.label, metric)) / seeds;
    }
  }
  const client = o.withClient ? clientMsOf(file, p) : 0;
  if (client > 0) for (const metric of ['ttft', 'e2e'] as const) if (sums[metric] !== undefined) sums[metric]! += client;
  return sums;
}
