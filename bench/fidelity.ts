/**
 * Fidelity benchmark: replays the measured points of data/benchmarks.json through the real engine
 * (src/modules/engine) on a virtual clock and compares TTFT, ITL and E2E with the measurements.
 *
 *   npx ts-node --transpile-only bench/fidelity.ts [--id SUBSTRING] [--explain] [--quiet] [--scenarios | --scenarios-only]
 *
 * Each point is loaded the way its tool ran it (bench/support/benchmark-tools.ts) and timed by the
 * step model of its vLLM release family (data/step-model.json; points of other engines and unstated
 * versions belong to the oldest family). Two step models per point: "global" (the family's
 * coefficients only: what a configuration without measurements gets) and "calibrated" (with the
 * configuration's own correction, as served). Errors are reported as MAPE and as the median
 * absolute error, for the fitted and the held-out points, over all points and without the flagged
 * ones (bench/support/flagged-points.ts), then per source, per release family and vLLM version, and
 * per GPU. Points with a large error, and with --explain every point, are printed with what the
 * source says next to how the replay runs them. With --scenarios, then (--scenarios-only: only)
 * the predictions for scenarios shaped like the runs the project is judged on (bench/support/scenarios.ts).
 */
import 'reflect-metadata';
import { BenchmarkPoint, Metric, loadBenchmarks } from '../src/modules/benchmarks/measurements';
import { StepModelFile, loadStepModel } from '../src/modules/benchmarks/step-coefficients';
import { Statistic, toolFor } from './support/benchmark-tools';
import { FLAGGED_POINTS, flagFor } from './support/flagged-points';
import { familyOf, figure, median, replayPoint } from './support/replay';
import { printScenarios } from './support/scenarios';

/** Points whose calibrated error exceeds this are explained after the table. */
const EXPLAIN_ABOVE = 0.25;

const stepFile: StepModelFile = loadStepModel();

interface Row {
  id: string;
  set: 'fit' | 'holdout';
  metric: Metric;
  stat: Statistic;
  measured: number;
  global: number;
  calibrated: number;
  flagged: boolean;
  source: string;
  family: string;
  version: string;
  gpu: string;
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1)).padStart(8);
const err = (r: Row, key: 'global' | 'calibrated'): number => Math.abs(r[key] - r.measured) / r.measured;
const pct = (x: number): string => `${(100 * x).toFixed(1).padStart(5)}%`;

function explain(p: BenchmarkPoint, rows: readonly Row[]): void {
  const tool = toolFor(p);
  const load = p.load.type === 'concurrency' ? `concurrency ${p.load.concurrency}${p.load.num_requests ? `, ${p.load.num_requests} requests` : ''}`
    : p.load.type === 'rate' ? `rate ${p.load.rate_qps ?? 'inf'} req/s${p.load.max_concurrency ? `, max concurrency ${p.load.max_concurrency}` : ''}`
    : p.load.type === 'batch' ? `batch ${p.load.batch_size}` : p.load.type;
  const labels = rows.map((r) => `${r.metric} ${figure(p, r.metric)!.label} ${r.measured.toFixed(1)} -> compared as ${r.stat}`).join('; ');
  const flagged = rows.filter((r) => r.flagged).map((r) => r.metric);
  console.log(`\n${p.id}${flagged.length > 0 ? `  [flagged: ${flagged.join(', ')}]` : ''}`);
  console.log(`  source: ${p.source}`);
  console.log(`          ${load}; ${p.input_tokens} in / ${p.output_tokens} out (${p.lengths}); ${p.weights_dtype} weights, ${p.kv_cache_dtype} KV; vLLM ${p.vllm_version ?? 'n/a'}; ${labels}`);
  for (const note of (p as BenchmarkPoint & { notes?: string[] }).notes ?? []) console.log(`          note: ${note}`);
  console.log(`  replay: ${tool.name}: ${tool.describe(p)}; step model of ${familyOf(stepFile, p).name}`);
  console.log(`  error:  ${rows.map((r) => `${r.metric} ${fmt(r.measured).trim()} vs ${fmt(r.calibrated).trim()} (${(100 * (r.calibrated / r.measured - 1)).toFixed(0)} %)`).join(', ')}`);
}

/** MAPE and median absolute error of a group, per metric, calibrated (the served model). */
function summaryLine(label: string, xs: readonly Row[]): string {
  const cells = (['ttft', 'itl', 'e2e'] as const).map((metric) => {
    const errs = xs.filter((r) => r.metric === metric).map((r) => err(r, 'calibrated'));
    if (errs.length === 0) return '            -        ';
    return `${pct(errs.reduce((s, e) => s + e, 0) / errs.length)} ${pct(median(errs))} ${String(errs.length).padStart(4)}`;
  });
  return `  ${label.padEnd(44)} ${cells.join('   ')}`;
}

function breakdown(title: string, rows: readonly Row[], key: (r: Row) => string): void {
  console.log(`\n${title} (calibrated; MAPE, median abs error, n)       TTFT                    ITL                     E2E`);
  const keys = [...new Set(rows.map(key))].sort();
  for (const k of keys)
    for (const set of ['fit', 'holdout'] as const) {
      const xs = rows.filter((r) => key(r) === k && r.set === set && !r.flagged);
      if (xs.length > 0) console.log(summaryLine(`${k} ${set}`, xs));
    }
}

async function main(): Promise<void> {
  const args = process.argv;
  if (args.includes('--scenarios-only')) return printScenarios();
  const filter = args.includes('--id') ? args[args.indexOf('--id') + 1] : undefined;
  const explainAll = args.includes('--explain');
  const quiet = args.includes('--quiet');
  const points = loadBenchmarks().filter((p) => p.usable && (!filter || p.id.includes(filter)));
  const rows: Row[] = [];
  const wallStart = performance.now();
  if (!quiet) console.log(`${'point'.padEnd(64)} ${'set'.padEnd(7)} metric stat     measured   global  calibr.`);
  for (const p of points) {
    const set = p.holdout ? 'holdout' : 'fit';
    let g: Partial<Record<Metric, number>>;
    let c: Partial<Record<Metric, number>>;
    try {
      g = replayPoint(p, stepFile, { calibrated: false, withClient: true });
      c = replayPoint(p, stepFile, { calibrated: true, withClient: true });
    } catch (e) {
      console.log(`${p.id.padEnd(64)} ${set.padEnd(7)} skipped: ${(e as Error).message}`);
      continue;
    }
    for (const metric of p.compare) {
      const f = figure(p, metric);
      if (!f || g[metric] === undefined || c[metric] === undefined) continue;
      const row: Row = {
        id: p.id, set, metric, stat: toolFor(p).statistic(f.label, metric), measured: f.value,
        global: g[metric]!, calibrated: c[metric]!, flagged: flagFor(p.id, metric) !== undefined,
        source: p.source_group, family: familyOf(stepFile, p).name, version: p.vllm_version ?? 'n/a', gpu: p.gpu!,
      };
      rows.push(row);
      if (!quiet)
        console.log(`${(p.id + (row.flagged ? ' *' : '')).padEnd(64)} ${set.padEnd(7)} ${metric.padEnd(6)} ${row.stat.padEnd(8)} ${fmt(f.value)} ${fmt(row.global)} ${fmt(row.calibrated)}`);
    }
  }

  const mape = (xs: Row[], key: 'global' | 'calibrated'): string =>
    xs.length === 0 ? '     -' : pct(xs.reduce((s, r) => s + err(r, key), 0) / xs.length);
  const med = (xs: Row[], key: 'global' | 'calibrated'): string => (xs.length === 0 ? '     -' : pct(median(xs.map((r) => err(r, key)))));
  console.log('\nAll sources            all points                                without flagged (*)');
  console.log('                       MAPE glob. MAPE cal.  med. glob. med. cal.   n    MAPE cal.  med. cal.   n');
  for (const set of ['fit', 'holdout'] as const)
    for (const metric of ['ttft', 'itl', 'e2e'] as const) {
      const all = rows.filter((r) => r.set === set && r.metric === metric);
      const kept = all.filter((r) => !r.flagged);
      console.log(`  ${set.padEnd(8)} ${metric.padEnd(5)}     ${mape(all, 'global')}    ${mape(all, 'calibrated')}     ${med(all, 'global')}    ${med(all, 'calibrated')}  ${String(all.length).padStart(4)}    ${mape(kept, 'calibrated')}     ${med(kept, 'calibrated')}  ${String(kept.length).padStart(4)}`);
    }
  breakdown('Per source', rows, (r) => r.source);
  breakdown('Per release family', rows, (r) => r.family);
  breakdown('Per vLLM version', rows, (r) => `vLLM ${r.version}`);
  breakdown('Per GPU', rows, (r) => r.gpu);

  const byPoint = new Map<string, Row[]>();
  for (const r of rows) byPoint.set(r.id, [...(byPoint.get(r.id) ?? []), r]);
  const flags = FLAGGED_POINTS.map((f) => ({ f, ids: [...byPoint.keys()].filter((id) => f.ids.test(id)) })).filter((x) => x.ids.length > 0);
  if (flags.length > 0) {
    console.log('\nFlagged (*), still replayed and counted under "all points":');
    for (const { f, ids } of flags) console.log(`  ${ids.length > 4 ? `${ids.length} points matching ${f.ids.source}` : ids.join(', ')}:\n    ${f.reason}`);
  }
  if (!quiet) {
    const toExplain = points.filter((p) => byPoint.has(p.id) && (explainAll || byPoint.get(p.id)!.some((r) => err(r, 'calibrated') > EXPLAIN_ABOVE)));
    if (toExplain.length > 0) {
      console.log(`\nSource vs replay${explainAll ? '' : ` (points with a calibrated error above ${100 * EXPLAIN_ABOVE} %)`}:`);
      for (const p of toExplain) explain(p, byPoint.get(p.id)!);
    }
  }
  console.log(`\n${points.length} points, ${((performance.now() - wallStart) / 1000).toFixed(1)} s`);
  if (args.includes('--scenarios')) await printScenarios();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
