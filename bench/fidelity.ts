/**
 * Fidelity benchmark: replays the measured points of data/benchmarks.json through the real engine
 * (src/modules/engine) on a virtual clock and compares TTFT, ITL and E2E with the measurements.
 *
 *   npx ts-node --transpile-only bench/fidelity.ts [--id SUBSTRING]
 *
 * Load as the sources ran it: c closed-loop clients for concurrency points (each sends its next
 * request when the previous ends), Poisson arrivals for rate points (200 prompts, as vLLM's
 * serving benchmark), the whole batch at once for batch (latency benchmark) points. Prompts are
 * distinct (no prefix-cache hits), outputs have exactly the point's length (ignore_eos).
 * Two step models per point: "global" (fitted roofline only: what a configuration without
 * measurements gets) and "calibrated" (with the configuration's own correction, as served).
 * MAPE is reported for the fitted and the held-out points separately.
 */
import { Random } from '../src/common/random';
import { RuntimeValues } from '../src/config/runtime-config';
import { Catalog } from '../src/modules/benchmarks/catalog';
import { kvCacheCapacity } from '../src/modules/benchmarks/kv-capacity';
import { BenchmarkPoint, Metric, loadBenchmarks, measured } from '../src/modules/benchmarks/measurements';
import { stepModelFor } from '../src/modules/benchmarks/resolve-profile';
import { StepModelFile, loadStepModel } from '../src/modules/benchmarks/step-coefficients';
import { Engine } from '../src/modules/engine/engine';
import { GenerationRequest, RequestOutcome } from '../src/modules/engine/engine.types';
import { KvCache } from '../src/modules/engine/kv-cache';
import { StepTiming } from '../src/modules/engine/step-timing';
import { VirtualClock } from '../src/modules/engine/virtual-clock';

const MAX_NUM_BATCHED_TOKENS = 8192;
const MAX_NUM_SEQS = 256;
const RATE_PROMPTS = 200;

interface Replay {
  ttftMs: number;
  itlMs: number;
  tpotMs: number;
  e2eMs: number;
  requests: number;
}

const catalog = Catalog.load();
const stepFile: StepModelFile = loadStepModel();

function replay(p: BenchmarkPoint, calibrated: boolean): Replay {
  const model = catalog.resolveModel(p.model!);
  const gpu = catalog.resolveGpu(p.gpu!);
  const tp = p.tensor_parallel;
  const kv = kvCacheCapacity({
    model, gpu, tensorParallelSize: tp, gpuMemoryUtilization: 0.9, blockSize: 16,
    kvDtype: p.kv_cache_dtype, weightsDtype: p.weights_dtype, maxNumBatchedTokens: MAX_NUM_BATCHED_TOKENS,
  });
  const { stepTime } = stepModelFor(model, gpu, tp, stepFile, { weights: p.weights_dtype, kv: p.kv_cache_dtype }, calibrated);
  const values: RuntimeValues = {
    latency_scale: 1, ttft_ms: null, itl_ms: null, prefill_ms_per_token: null, latency_jitter: 0,
    max_num_seqs: MAX_NUM_SEQS, response_mode: 'patterns',
  };
  const clock = new VirtualClock();
  const engine = new Engine(clock, new KvCache(kv.blocks, 16, true), new StepTiming(stepTime, () => values, new Random(7)), {
    maxNumSeqs: () => values.max_num_seqs,
    maxNumBatchedTokens: MAX_NUM_BATCHED_TOKENS,
  });
  const I = Math.max(1, Math.round(p.input_tokens!));
  const O = Math.max(1, Math.round(p.output_tokens!));
  let next = 0;
  const makeRequest = (): GenerationRequest => {
    const i = next++;
    // Distinct prompts: token ids offset per request, so no block hash repeats.
    return {
      id: `r${i}`,
      promptTokenIds: Array.from({ length: I }, (_, k) => i * 1_000_003 + k),
      outputTokenIds: Array.from({ length: O }, (_, k) => 7 + (k % 1000)),
      finishReason: 'length',
      maxTokens: O,
      n: 1,
    };
  };
  const outcomes: RequestOutcome[] = [];
  const gaps: number[] = [];
  let onDone: () => void = () => undefined;
  const submit = (): void => {
    engine.submit(makeRequest(), {
      onTokens: (e) => {
        if (e.interTokenMs !== undefined) gaps.push(e.interTokenMs);
      },
      onFinished: (o) => {
        outcomes.push(o);
        onDone();
      },
    });
  };

  const load = p.load;
  if (load.type === 'batch') {
    for (let i = 0; i < load.batch_size; i++) submit();
  } else if (load.type === 'concurrency') {
    const c = load.concurrency;
    const total = load.num_requests ?? Math.max(3 * c, 12);
    onDone = () => {
      if (next < total) clock.at(clock.now(), submit);
    };
    for (let i = 0; i < Math.min(c, total); i++) submit();
  } else if (load.type === 'rate') {
    const rng = new Random(42);
    let t = 0;
    for (let i = 0; i < RATE_PROMPTS; i++) {
      if (load.rate_qps !== null) t += rng.exponential(1000 / load.rate_qps);
      clock.at(t, submit);
    }
  } else {
    throw new Error(`cannot replay load ${load.type}`);
  }
  clock.runUntilIdle();

  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  return {
    ttftMs: mean(outcomes.map((o) => o.firstTokenTime! - o.arrivalTime)),
    itlMs: mean(gaps),
    tpotMs: mean(outcomes.filter((o) => o.generatedTokens > 1).map((o) => (o.finishedTime - o.firstTokenTime!) / (o.generatedTokens - 1))),
    e2eMs: mean(outcomes.map((o) => o.finishedTime - o.arrivalTime)),
    requests: outcomes.length,
  };
}

interface Row {
  id: string;
  set: 'fit' | 'holdout';
  metric: Metric;
  measured: number;
  global: number;
  calibrated: number;
}

function predicted(r: Replay, p: BenchmarkPoint, metric: Metric): number {
  if (metric === 'ttft') return r.ttftMs;
  if (metric === 'e2e') return r.e2eMs;
  return p.itl_ms ? r.itlMs : r.tpotMs; // compare like with like: ITL gaps or per-request TPOT
}

function main(): void {
  const filter = process.argv.includes('--id') ? process.argv[process.argv.indexOf('--id') + 1] : undefined;
  const points = loadBenchmarks().filter((p) => p.usable && (!filter || p.id.includes(filter)));
  const rows: Row[] = [];
  const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1)).padStart(8);
  console.log(`${'point'.padEnd(58)} ${'set'.padEnd(7)} metric  measured   global  calibr.`);
  for (const p of points) {
    const set = p.holdout ? 'holdout' : 'fit';
    let g: Replay;
    let c: Replay;
    try {
      g = replay(p, false);
      c = replay(p, true);
    } catch (e) {
      console.log(`${p.id.padEnd(58)} ${set.padEnd(7)} skipped: ${(e as Error).message}`);
      continue;
    }
    for (const metric of p.compare) {
      const m = measured(p, metric);
      if (m === undefined) continue;
      const row: Row = { id: p.id, set, metric, measured: m, global: predicted(g, p, metric), calibrated: predicted(c, p, metric) };
      rows.push(row);
      console.log(`${p.id.padEnd(58)} ${set.padEnd(7)} ${metric.padEnd(6)} ${fmt(m)} ${fmt(row.global)} ${fmt(row.calibrated)}`);
    }
  }
  const mape = (xs: Row[], key: 'global' | 'calibrated'): string =>
    xs.length === 0 ? '    -' : ((100 * xs.reduce((s, r) => s + Math.abs(r[key] - r.measured) / r.measured, 0)) / xs.length).toFixed(1).padStart(5) + '%';
  console.log('\nMAPE (mean absolute percentage error)     global   calibrated   n');
  for (const set of ['fit', 'holdout'] as const)
    for (const metric of ['ttft', 'itl', 'e2e'] as const) {
      const xs = rows.filter((r) => r.set === set && r.metric === metric);
      console.log(`  ${set.padEnd(8)} ${metric.padEnd(5)}                         ${mape(xs, 'global')}   ${mape(xs, 'calibrated')}   ${xs.length}`);
    }
}

main();
