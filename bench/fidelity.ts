/**
 * Fidelity benchmark: replays the measured points of data/benchmarks.json through the real engine
 * (src/modules/engine) on a virtual clock and compares TTFT, ITL and E2E with the measurements.
 *
 *   npx ts-node --transpile-only bench/fidelity.ts [--id SUBSTRING] [--explain]
 *
 * Each point is loaded the way its tool ran it (bench/support/benchmark-tools.ts): when requests
 * fall due, the client's concurrency limit (latencies count from the send, as the tools measure
 * them), which requests the figures cover (warm-up excluded) and which statistic a figure is (mean,
 * median, or the run's duration). Prompts are distinct (no prefix-cache hits), outputs have exactly
 * the point's length (ignore_eos). Random schedules (Poisson arrivals, client phases) are averaged
 * over seeds.
 * Two step models per point: "global" (fitted roofline only: what a configuration without
 * measurements gets) and "calibrated" (with the configuration's own correction, as served).
 * MAPE is reported for the fitted and the held-out points, over all points and without the flagged
 * ones (bench/support/flagged-points.ts, each with its reason). Points with a large error, and with
 * --explain every point, are printed with what the source says next to how the replay runs them.
 */
import 'reflect-metadata';
import { Random } from '../src/common/random';
import { RuntimeValues } from '../src/config/runtime-config';
import { Catalog } from '../src/modules/benchmarks/catalog';
import { kvCacheCapacity } from '../src/modules/benchmarks/kv-capacity';
import { BenchmarkPoint, Metric, loadBenchmarks } from '../src/modules/benchmarks/measurements';
import { StepTimeModel } from '../src/modules/benchmarks/profile.types';
import { stepModelFor } from '../src/modules/benchmarks/resolve-profile';
import { predictSteadyState } from '../src/modules/benchmarks/steady-state';
import { StepModelFile, loadStepModel } from '../src/modules/benchmarks/step-coefficients';
import { Engine } from '../src/modules/engine/engine';
import { KvCache } from '../src/modules/engine/kv-cache';
import { StepTiming } from '../src/modules/engine/step-timing';
import { VirtualClock } from '../src/modules/engine/virtual-clock';
import { ReplayedRequest, replayTimeline } from '../src/modules/simulate';
import { BenchmarkTool, Statistic, toolFor } from './support/benchmark-tools';
import { FLAGGED_POINTS, flagFor } from './support/flagged-points';

const MAX_NUM_BATCHED_TOKENS = 8192;
const MAX_NUM_SEQS = 256;
/** Points whose calibrated error exceeds this are explained after the table. */
const EXPLAIN_ABOVE = 0.25;

const catalog = Catalog.load();
const stepFile: StepModelFile = loadStepModel();

function stepTimeFor(p: BenchmarkPoint, calibrated: boolean): StepTimeModel {
  const dtypes = { weights: p.weights_dtype, kv: p.kv_cache_dtype };
  return stepModelFor(catalog.resolveModel(p.model!), catalog.resolveGpu(p.gpu!), p.tensor_parallel, stepFile, dtypes, calibrated).stepTime;
}

function engineFor(p: BenchmarkPoint, calibrated: boolean): { engine: Engine; clock: VirtualClock } {
  const kv = kvCacheCapacity({
    model: catalog.resolveModel(p.model!), gpu: catalog.resolveGpu(p.gpu!), tensorParallelSize: p.tensor_parallel,
    gpuMemoryUtilization: 0.9, blockSize: 16, kvDtype: p.kv_cache_dtype, weightsDtype: p.weights_dtype,
    maxNumBatchedTokens: MAX_NUM_BATCHED_TOKENS,
  });
  const values: RuntimeValues = {
    latency_scale: 1, ttft_ms: null, itl_ms: null, prefill_ms_per_token: null, latency_jitter: 0,
    max_num_seqs: MAX_NUM_SEQS, response_mode: 'patterns',
  };
  const clock = new VirtualClock();
  const engine = new Engine(clock, new KvCache(kv.blocks, 16, true), new StepTiming(stepTimeFor(p, calibrated), () => values, new Random(7)), {
    maxNumSeqs: () => values.max_num_seqs,
    maxNumBatchedTokens: MAX_NUM_BATCHED_TOKENS,
  });
  return { engine, clock };
}

/** The figure a source reports for a metric and how it labels it (the first of mean, median, p50, unspecified, approx). */
function figure(p: BenchmarkPoint, metric: Metric): { value: number; label: string } | undefined {
  const stats = metric === 'ttft' ? p.ttft_ms : metric === 'e2e' ? p.e2e_ms : (p.itl_ms ?? p.tpot_ms);
  for (const label of ['mean', 'median', 'p50', 'unspecified', 'approx'] as const) {
    const value = stats?.[label];
    if (typeof value === 'number') return { value, label };
  }
  return undefined;
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
function median(xs: readonly number[]): number {
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

/** A client's cycle at the point's load (one request's E2E), from the steady-state approximation: the AIPerf replay spreads its clients over it. */
function cycleMs(p: BenchmarkPoint, calibrated: boolean): number {
  const workload = { inputTokens: p.input_tokens!, outputTokens: p.output_tokens!, load: p.load };
  return predictSteadyState(stepTimeFor(p, calibrated), workload, { maxNumBatchedTokens: MAX_NUM_BATCHED_TOKENS, maxNumSeqs: MAX_NUM_SEQS }).e2eMs;
}

/** Predicted figures for the point's compared metrics, averaged over the tool's seeds. */
function replay(p: BenchmarkPoint, calibrated: boolean): Partial<Record<Metric, number>> {
  const tool = toolFor(p);
  const cycle = p.load.type === 'concurrency' ? cycleMs(p, calibrated) : 0;
  const sums: Partial<Record<Metric, number>> = {};
  const seeds = tool.seeds(p);
  for (let seed = 1; seed <= seeds; seed++) {
    const run = tool.plan(p, seed, cycle);
    const { engine, clock } = engineFor(p, calibrated);
    const records = replayTimeline(run.requests, engine, clock, { maxConcurrency: run.maxConcurrency });
    const measured = records.slice(run.measured.from, run.measured.to);
    for (const metric of p.compare) {
      const f = figure(p, metric);
      if (f) sums[metric] = (sums[metric] ?? 0) + predict(measured, tool, p, metric, tool.statistic(f.label, metric)) / seeds;
    }
  }
  return sums;
}

interface Row {
  id: string;
  set: 'fit' | 'holdout';
  metric: Metric;
  stat: Statistic;
  measured: number;
  global: number;
  calibrated: number;
  flagged: boolean;
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1)).padStart(8);
const err = (r: Row, key: 'global' | 'calibrated'): number => Math.abs(r[key] - r.measured) / r.measured;

function explain(p: BenchmarkPoint, rows: readonly Row[]): void {
  const tool = toolFor(p);
  const load = p.load.type === 'concurrency' ? `concurrency ${p.load.concurrency}${p.load.num_requests ? `, ${p.load.num_requests} requests` : ''}`
    : p.load.type === 'rate' ? `rate ${p.load.rate_qps ?? 'inf'} req/s${p.load.max_concurrency ? `, max concurrency ${p.load.max_concurrency}` : ''}`
    : p.load.type === 'batch' ? `batch ${p.load.batch_size}` : p.load.type;
  const labels = rows.map((r) => `${r.metric} ${figure(p, r.metric)!.label} ${r.measured.toFixed(1)} -> compared as ${r.stat}`).join('; ');
  console.log(`\n${p.id}${flagFor(p.id) ? '  [flagged]' : ''}`);
  console.log(`  source: ${p.source}`);
  console.log(`          ${load}; ${p.input_tokens} in / ${p.output_tokens} out (${p.lengths}); ${p.weights_dtype} weights, ${p.kv_cache_dtype} KV; ${labels}`);
  for (const note of (p as BenchmarkPoint & { notes?: string[] }).notes ?? []) console.log(`          note: ${note}`);
  console.log(`  replay: ${tool.name}: ${tool.describe(p)}`);
  console.log(`  error:  ${rows.map((r) => `${r.metric} ${fmt(r.measured).trim()} vs ${fmt(r.calibrated).trim()} (${(100 * (r.calibrated / r.measured - 1)).toFixed(0)} %)`).join(', ')}`);
}

function main(): void {
  const args = process.argv;
  const filter = args.includes('--id') ? args[args.indexOf('--id') + 1] : undefined;
  const explainAll = args.includes('--explain');
  const points = loadBenchmarks().filter((p) => p.usable && (!filter || p.id.includes(filter)));
  const rows: Row[] = [];
  const wallStart = performance.now();
  console.log(`${'point'.padEnd(56)} ${'set'.padEnd(7)} metric stat     measured   global  calibr.`);
  for (const p of points) {
    const set = p.holdout ? 'holdout' : 'fit';
    let g: Partial<Record<Metric, number>>;
    let c: Partial<Record<Metric, number>>;
    try {
      g = replay(p, false);
      c = replay(p, true);
    } catch (e) {
      console.log(`${p.id.padEnd(56)} ${set.padEnd(7)} skipped: ${(e as Error).message}`);
      continue;
    }
    for (const metric of p.compare) {
      const f = figure(p, metric);
      if (!f || g[metric] === undefined || c[metric] === undefined) continue;
      const row: Row = {
        id: p.id, set, metric, stat: toolFor(p).statistic(f.label, metric), measured: f.value,
        global: g[metric]!, calibrated: c[metric]!, flagged: flagFor(p.id) !== undefined,
      };
      rows.push(row);
      console.log(`${(p.id + (row.flagged ? ' *' : '')).padEnd(56)} ${set.padEnd(7)} ${metric.padEnd(6)} ${row.stat.padEnd(8)} ${fmt(f.value)} ${fmt(row.global)} ${fmt(row.calibrated)}`);
    }
  }

  const mape = (xs: Row[], key: 'global' | 'calibrated'): string =>
    xs.length === 0 ? '     -' : `${((100 * xs.reduce((s, r) => s + err(r, key), 0)) / xs.length).toFixed(1).padStart(5)}%`;
  console.log('\nMAPE (mean absolute percentage error)   all points                 without flagged (*)');
  console.log('                                        global  calibrated   n    global  calibrated   n');
  for (const set of ['fit', 'holdout'] as const)
    for (const metric of ['ttft', 'itl', 'e2e'] as const) {
      const all = rows.filter((r) => r.set === set && r.metric === metric);
      const kept = all.filter((r) => !r.flagged);
      console.log(`  ${set.padEnd(8)} ${metric.padEnd(5)}                        ${mape(all, 'global')}    ${mape(all, 'calibrated')}  ${String(all.length).padStart(3)}    ${mape(kept, 'global')}    ${mape(kept, 'calibrated')}  ${String(kept.length).padStart(3)}`);
    }

  const byPoint = new Map<string, Row[]>();
  for (const r of rows) byPoint.set(r.id, [...(byPoint.get(r.id) ?? []), r]);
  const flags = FLAGGED_POINTS.map((f) => ({ f, ids: [...byPoint.keys()].filter((id) => f.ids.test(id)) })).filter((x) => x.ids.length > 0);
  if (flags.length > 0) {
    console.log('\nFlagged (*), still replayed and counted under "all points":');
    for (const { f, ids } of flags) console.log(`  ${ids.join(', ')}:\n    ${f.reason}`);
  }
  const toExplain = points.filter((p) => byPoint.has(p.id) && (explainAll || byPoint.get(p.id)!.some((r) => err(r, 'calibrated') > EXPLAIN_ABOVE)));
  if (toExplain.length > 0) {
    console.log(`\nSource vs replay${explainAll ? '' : ` (points with a calibrated error above ${100 * EXPLAIN_ABOVE} %)`}:`);
    for (const p of toExplain) explain(p, byPoint.get(p.id)!);
  }
  console.log(`\n${points.length} points, ${((performance.now() - wallStart) / 1000).toFixed(1)} s`);
}

main();
