import { writeFileSync } from 'node:fs';
import { DEFAULT_GPU, DEFAULT_MODEL } from '../../config/settings';
import { replicasFor } from './capacity';
import { DEFAULT_KV_TRANSFER_LINK } from '../engine/step-timing';
import { ConfigFacts, configFacts, disaggregatedFacts, GridDocument, GridRow, RunDocument, runDocument, SimulateDocument, SweepDocument, toJson } from './documents';
import { SimulationFigures } from './figures';
import { parseGrid } from './grid';
import { SIMULATE_HELP } from './help';
import { meanRate, planWorkload, retimed, steadyWorkload } from './plan-workload';
import { PlannedWorkload } from './planned-request';
import { renderCsv } from './render/csv';
import { renderHtmlReport } from './render/html';
import { ProgressBar } from './render/progress';
import { requestsCsv, requestsJsonl } from './render/requests';
import { renderTable } from './render/table';
import { RoutingPolicyName } from './routing';
import { OutputFormat, parseSimulateArgs, SimulateArgs } from './simulate-args';
import { SimulateInputError, SIMULATE_LIMITS } from './simulate-errors';
import {
  ClusterConfig,
  DisaggregationConfig,
  EngineConfig,
  ResolvedDisaggregation,
  resolveDisaggregation,
  ResolvedEngine,
  resolveEngine,
  SimulationRun,
  simulateDisaggregated,
  simulatePlan,
} from './simulation';
import { parseSlo, Slo } from './slo';
import { sweepRate, SweepResult, toSweepPoint } from './sweep';
import { loadTrace } from './trace';
import { loadWorkloadFile, WorkloadSpec } from './workload-spec';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface SimulateIo {
  stdout: OutputStream;
  stderr: OutputStream;
}

/** Everything a run needs, from the flags and the workload file (flags win). */
interface Setup {
  args: SimulateArgs;
  source: string;
  spec?: WorkloadSpec;
  trace?: PlannedWorkload;
  base: EngineConfig;
  replicas: number;
  routing: RoutingPolicyName;
  maxConcurrency?: number;
  slo?: Slo;
  progress: ProgressBar;
  /** Prefill/decode pools instead of replicas (resolved once the command runs). */
  pd?: DisaggregationConfig;
  resolvedPd?: ResolvedDisaggregation;
}

/**
 * The prefill/decode pools the flags and the workload ask for, or undefined. Pools are on when the
 * workload has a `disaggregation` section or a `--prefill-replicas` / `--decode-replicas` flag is
 * given; a pool's fields left out are the top-level engine's, its routing the top-level routing.
 */
function disaggregationOf(args: SimulateArgs, spec: WorkloadSpec | undefined, base: EngineConfig, routing: RoutingPolicyName): DisaggregationConfig | undefined {
  const section = spec?.disaggregation;
  const on = section !== undefined || args.prefill.replicas !== undefined || args.decode.replicas !== undefined;
  const poolFlagged = [args.prefill, args.decode].some((p) => Object.keys(p).length > 0) || args.kvTransferGbPerS !== undefined || args.kvTransferLatencyMs !== undefined;
  if (!on) {
    if (poolFlagged) throw new SimulateInputError('--prefill-*, --decode-* and --kv-transfer-* flags need prefill/decode pools: give --prefill-replicas and --decode-replicas (or a disaggregation section in the workload).');
    return undefined;
  }
  if (args.replicas !== undefined && args.replicas > 1) throw new SimulateInputError('--replicas counts replicas that serve whole requests; with prefill/decode pools give --prefill-replicas and --decode-replicas.');
  if (args.targetRate !== undefined) throw new SimulateInputError('--target-rate plans replicas that serve whole requests; it does not plan prefill/decode pools.');
  if (args.grid !== undefined) throw new SimulateInputError('--grid does not take prefill/decode pools.');
  const pool = (name: 'prefill' | 'decode'): ClusterConfig => {
    const flags = args[name];
    const file = section?.[name];
    return {
      engine: {
        ...base,
        gpu: flags.gpu ?? file?.gpu ?? base.gpu,
        tensor_parallel_size: flags.tensorParallelSize ?? file?.tensor_parallel_size ?? base.tensor_parallel_size,
        max_num_seqs: flags.maxNumSeqs ?? file?.max_num_seqs ?? base.max_num_seqs,
        max_num_batched_tokens: file?.max_num_batched_tokens ?? base.max_num_batched_tokens,
        gpu_memory_utilization: file?.gpu_memory_utilization ?? base.gpu_memory_utilization,
      },
      replicas: flags.replicas ?? file?.replicas ?? 1,
      routing: flags.routing ?? file?.routing ?? routing,
    };
  };
  return {
    prefill: pool('prefill'),
    decode: pool('decode'),
    link: {
      kv_transfer_gb_per_s: args.kvTransferGbPerS ?? section?.kv_transfer_gb_per_s ?? DEFAULT_KV_TRANSFER_LINK.bandwidthBytesPerS / 1e9,
      kv_transfer_latency_ms: args.kvTransferLatencyMs ?? section?.kv_transfer_latency_ms ?? DEFAULT_KV_TRANSFER_LINK.latencyMs,
    },
  };
}

function setup(args: SimulateArgs, io: SimulateIo): Setup {
  const spec = args.workload !== undefined ? loadWorkloadFile(args.workload) : undefined;
  const trace = args.trace !== undefined ? loadTrace(args.trace, { blockSize: args.traceBlockSize }) : undefined;
  const sloInput = args.slo ?? spec?.slo;
  const base: EngineConfig = {
      model: args.model ?? spec?.model ?? DEFAULT_MODEL,
      gpu: args.gpu ?? spec?.gpu ?? DEFAULT_GPU,
      tensor_parallel_size: args.tensorParallelSize ?? spec?.tensor_parallel_size ?? 1,
      max_num_seqs: args.maxNumSeqs ?? spec?.max_num_seqs,
      max_num_batched_tokens: args.maxNumBatchedTokens ?? spec?.max_num_batched_tokens,
      gpu_memory_utilization: args.gpuMemoryUtilization ?? spec?.gpu_memory_utilization ?? 0.9,
      enable_prefix_caching: args.enablePrefixCaching ?? spec?.enable_prefix_caching ?? true,
      max_model_len: args.maxModelLen ?? spec?.max_model_len,
      seed: args.seed ?? spec?.seed ?? 1,
  };
  const routing = args.routing ?? spec?.routing ?? 'round_robin';
  return {
    args,
    source: (args.workload ?? args.trace)!,
    spec,
    trace,
    base,
    replicas: args.replicas ?? spec?.replicas ?? 1,
    routing,
    pd: disaggregationOf(args, spec, base, routing),
    maxConcurrency: args.maxConcurrency ?? spec?.max_concurrency,
    slo: sloInput === undefined ? undefined : parseSlo(sloInput),
    progress: new ProgressBar(io.stderr, args.progress ?? io.stderr.isTTY === true),
  };
}

/** The workload (or trace) as planned for this engine. */
function planFor(s: Setup, resolved: ResolvedEngine): PlannedWorkload {
  return s.trace ?? planWorkload(s.spec!, { maxModelLen: resolved.maxModelLen });
}

function planAtRate(s: Setup, resolved: ResolvedEngine, rate: number): PlannedWorkload {
  return s.trace ? retimed(s.trace, rate) : planWorkload(steadyWorkload(s.spec!, rate, s.args.sweepRequests), { maxModelLen: resolved.maxModelLen });
}

function startRate(s: Setup): number {
  if (s.trace) return meanRate(s.trace) || 1;
  return Math.max(0, ...s.spec!.stages.map((st) => st.rate)) || 1;
}

function run(s: Setup, resolved: ResolvedEngine, plan: PlannedWorkload, replicas: number, routing: RoutingPolicyName, label: string, stopWhenSaturated = false): SimulationRun {
  const options = {
    slo: s.slo,
    maxConcurrency: s.maxConcurrency,
    stopWhenSaturated,
    onProgress: (done: number, total: number) => s.progress.update(total > 0 ? done / total : 1, label),
  };
  return s.resolvedPd ? simulateDisaggregated(plan, s.resolvedPd, options) : simulatePlan(plan, resolved, { replicas, routing }, options);
}

/** The head of a document: the configuration, and with pools both of them and the link. */
function factsOf(s: Setup, resolved: ResolvedEngine, replicas: number, routing: RoutingPolicyName): ConfigFacts {
  return s.resolvedPd ? disaggregatedFacts(s.resolvedPd) : configFacts(resolved, replicas, routing);
}

interface Sweep {
  result: SweepResult;
  /** Figures of every rate tried, by rate. */
  runs: Map<number, SimulationFigures>;
}

function sweep(s: Setup, resolved: ResolvedEngine, replicas: number, routing: RoutingPolicyName, label = 'sweep'): Sweep {
  const runs = new Map<number, SimulationFigures>();
  let lastRate = 0;
  let n = 0;
  const result = sweepRate(
    (rate) => {
      lastRate = rate;
      return planAtRate(s, resolved, rate);
    },
    (plan) => {
      n++;
      const r = run(s, resolved, plan, replicas, routing, `${label}: ${lastRate.toPrecision(3)} req/s (rate ${n})`, true);
      runs.set(Math.round(lastRate * 1000) / 1000, r.figures);
      return r;
    },
    { slo: s.slo, startRate: startRate(s) },
  );
  return { result, runs };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return values[values.length >> 1];
}

function sweepDocument(s: Setup, resolved: ResolvedEngine): SweepDocument {
  const replicas = s.args.targetRate !== undefined ? 1 : s.replicas;
  const { result, runs } = sweep(s, resolved, replicas, s.routing);
  const facts = factsOf(s, resolved, replicas, s.routing);
  const at = result.max_rate === null ? undefined : runs.get(result.max_rate);
  const doc: SweepDocument = {
    kind: 'sweep',
    ...facts,
    source: s.source,
    slo: result.slo,
    max_rate: result.max_rate,
    points: result.points,
    note: result.note,
    sustainable_rate: median(result.points.filter((p) => p.sustainable_rate !== null).map((p) => p.sustainable_rate!)),
    at_max_rate: at ? runDocument(facts, s.source, result.slo, at, result.points.find((p) => p.rate === result.max_rate)?.wall_ms ?? 0) : null,
    wall_ms: result.wall_ms,
  };
  const target = s.args.targetRate;
  if (target !== undefined) {
    doc.replicas_plan = replicasFor(target, result.max_rate, SIMULATE_LIMITS.maxReplicas, (n) => {
      const plan = planAtRate(s, resolved, target);
      return toSweepPoint(target, run(s, resolved, plan, n, s.routing, `${n} replicas at ${target} req/s`, true), s.slo);
    });
  }
  return doc;
}

function gridDocument(s: Setup): GridDocument {
  const wallStart = performance.now();
  const cells = parseGrid(s.args.grid!);
  const rows: GridRow[] = cells.map((cell, k) => {
    const config: EngineConfig = { ...s.base, ...Object.fromEntries(Object.entries(cell).filter(([key]) => key !== 'replicas' && key !== 'routing')) };
    const replicas = cell.replicas ?? s.replicas;
    const routing = cell.routing ?? s.routing;
    const head = {
      model: config.model,
      gpu: config.gpu,
      tensor_parallel_size: config.tensor_parallel_size,
      max_num_seqs: config.max_num_seqs ?? null,
      max_num_batched_tokens: config.max_num_batched_tokens ?? null,
      replicas,
      routing,
    };
    let resolved: ResolvedEngine;
    try {
      resolved = resolveEngine(config);
    } catch (err) {
      if (err instanceof SimulateInputError) return { config: head, error: err.message };
      throw err;
    }
    const facts = configFacts(resolved, replicas, routing);
    const row: GridRow = {
      config: { ...head, model: facts.model, gpu: facts.gpu, max_num_seqs: facts.max_num_seqs, max_num_batched_tokens: facts.max_num_batched_tokens, kv_cache_tokens: facts.kv_cache_tokens },
    };
    if (s.args.sweep) {
      const { result } = sweep(s, resolved, replicas, routing, `configuration ${k + 1}/${cells.length}`);
      const estimates = result.points.filter((p) => p.sustainable_rate !== null).map((p) => p.sustainable_rate!);
      return { ...row, max_rate: result.max_rate, sustainable_rate: median(estimates), points: result.points };
    }
    const o = run(s, resolved, planFor(s, resolved), replicas, routing, `configuration ${k + 1}/${cells.length}`).figures;
    return {
      ...row,
      saturated: o.saturated,
      sustainable_rate: o.sustainable_rate,
      achieved: o.overall.achieved,
      goodput: o.overall.goodput,
      slo_met: o.overall.slo_met,
      ttft_ms: o.overall.ttft_ms,
      itl_ms: o.overall.itl_ms,
      e2e_ms: o.overall.e2e_ms,
    };
  });
  return { kind: 'grid', source: s.source, slo: s.slo?.text ?? null, sweep: s.args.sweep, cells: rows, wall_ms: Math.round(performance.now() - wallStart) };
}

function render(doc: SimulateDocument, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${toJson(doc)}\n`;
    case 'csv':
      return renderCsv(doc);
    case 'table':
      return renderTable(doc);
  }
}

function write(path: string, text: string, what: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new SimulateInputError(`Cannot write ${what} ${path}: ${(err as Error).message}`);
  }
}

/** `vllm-simulator simulate ...`. Returns the exit code: 0 done, 2 bad input, 1 an unexpected failure. */
export async function runSimulate(argv: readonly string[], io: SimulateIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let progress: ProgressBar | undefined;
  try {
    const args = parseSimulateArgs(argv);
    if (args.help) {
      io.stdout.write(SIMULATE_HELP);
      return 0;
    }
    const s = setup(args, io);
    progress = s.progress;
    let doc: SimulateDocument;
    let single: SimulationRun | undefined;
    if (args.grid !== undefined) doc = gridDocument(s);
    else {
      s.resolvedPd = s.pd ? resolveDisaggregation(s.pd) : undefined;
      // With pools, plans are cut to the context window both sides take.
      const resolved = s.resolvedPd ? { ...s.resolvedPd.decode.resolved, maxModelLen: s.resolvedPd.maxModelLen } : resolveEngine(s.base);
      if (args.sweep || args.targetRate !== undefined) doc = sweepDocument(s, resolved);
      else {
        single = run(s, resolved, planFor(s, resolved), s.replicas, s.routing, 'simulating');
        doc = runDocument(factsOf(s, resolved, s.replicas, s.routing), s.source, s.slo?.text ?? null, single.figures, single.wallMs) satisfies RunDocument;
      }
    }
    s.progress.done();
    if (args.requestsOut !== undefined) {
      if (!single) throw new SimulateInputError('--requests-out needs a single run (not --sweep, --target-rate or --grid).');
      write(args.requestsOut, args.requestsOut.endsWith('.csv') ? requestsCsv(single.result) : requestsJsonl(single.result), 'requests to');
    }
    if (args.report !== undefined) {
      write(args.report, renderHtmlReport(doc), 'report');
      io.stderr.write(`Report written to ${args.report}\n`);
    }
    io.stdout.write(render(doc, args.format ?? (io.stdout.isTTY ? 'table' : 'json')));
    return 0;
  } catch (err) {
    progress?.done();
    if (err instanceof SimulateInputError) {
      io.stderr.write(`vllm-simulator simulate: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(`vllm-simulator simulate: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
