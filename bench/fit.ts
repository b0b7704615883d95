/**
 * Offline fit of the roofline step-time model on the measured points of data/benchmarks.json.
 *
 *   npx ts-node --transpile-only bench/fit.ts        (writes data/step-model.json)
 *
 * Global coefficients (bandwidth and compute efficiency, per-step and per-sequence overhead,
 * all-reduce latency per interconnect, roofline exponent) minimise the mean squared log error of
 * the steady-state predictions (TTFT, ITL, E2E as each point reports them) over the points with
 * holdout=false, by coordinate descent over a grid. Then each fitted configuration
 * (model x GPU x TP x weight dtype) gets a decode and a prefill factor so it reproduces its own
 * points. Holdout points are predicted and reported, never fitted on.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Catalog } from '../src/modules/benchmarks/catalog';
import { DATA_DIR } from '../src/modules/benchmarks/data-files';
import { BenchmarkPoint, Metric, loadBenchmarks, measured } from '../src/modules/benchmarks/measurements';
import { RooflineStepTimeModel } from '../src/modules/benchmarks/roofline-step-model';
import { predictSteadyState } from '../src/modules/benchmarks/steady-state';
import { ConfigCorrection, DEFAULT_COEFFICIENTS, StepCoefficients, StepModelFile } from '../src/modules/benchmarks/step-coefficients';

const LIMITS = { maxNumBatchedTokens: 8192, maxNumSeqs: 256 };
const catalog = Catalog.load();
const points = loadBenchmarks().filter((p) => p.usable);
const fitPoints = points.filter((p) => !p.holdout);
const holdoutPoints = points.filter((p) => p.holdout);

type Factors = Pick<ConfigCorrection, 'decode_factor' | 'prefill_factor'>;

function modelFor(p: BenchmarkPoint, k: StepCoefficients, correction?: Factors): RooflineStepTimeModel {
  return new RooflineStepTimeModel(catalog.resolveModel(p.model!), catalog.resolveGpu(p.gpu!), p.tensor_parallel, k, {
    weightsDtype: p.weights_dtype,
    kvDtype: p.kv_cache_dtype,
    correction,
  });
}

interface Residual {
  id: string;
  metric: Metric;
  measured: number;
  predicted: number;
  logError: number;
}

function residuals(p: BenchmarkPoint, k: StepCoefficients, correction?: Factors): Residual[] {
  const pred = predictSteadyState(modelFor(p, k, correction), { inputTokens: p.input_tokens!, outputTokens: p.output_tokens!, load: p.load }, LIMITS);
  const value: Record<Metric, number> = { ttft: pred.ttftMs, itl: pred.itlMs, e2e: pred.e2eMs };
  return p.compare.flatMap((metric) => {
    const m = measured(p, metric);
    if (m === undefined) return [];
    return [{ id: p.id, metric, measured: m, predicted: value[metric], logError: Math.log(value[metric] / m) }];
  });
}

function loss(set: BenchmarkPoint[], k: StepCoefficients, correction?: Factors): number {
  const r = set.flatMap((p) => residuals(p, k, correction));
  return r.reduce((s, x) => s + x.logError ** 2, 0) / Math.max(1, r.length);
}

/** Coordinate descent: each parameter in turn scanned on a grid around its value, best kept. */
function coordinateDescent<T>(start: T, params: { get: (t: T) => number; set: (t: T, v: number) => T; lo: number; hi: number }[], f: (t: T) => number, rounds = 6): T {
  let best = start;
  let bestLoss = f(best);
  for (let round = 0; round < rounds; round++) {
    for (const p of params) {
      const span = (p.hi - p.lo) / Math.pow(2, round);
      const centre = p.get(best);
      for (let i = 0; i <= 40; i++) {
        const v = Math.min(p.hi, Math.max(p.lo, centre - span / 2 + (span * i) / 40));
        const cand = p.set(best, v);
        const l = f(cand);
        if (l < bestLoss - 1e-12) [best, bestLoss] = [cand, l];
      }
    }
  }
  return best;
}

type K = StepCoefficients;
const param = (key: Exclude<keyof K, 'allreduce_latency_us'>, lo: number, hi: number) => ({
  get: (k: K) => k[key],
  set: (k: K, v: number): K => ({ ...k, [key]: v }),
  lo,
  hi,
});
const latency = (kind: 'fabric' | 'pcie', lo: number, hi: number) => ({
  get: (k: K) => k.allreduce_latency_us[kind],
  set: (k: K, v: number): K => ({ ...k, allreduce_latency_us: { ...k.allreduce_latency_us, [kind]: v } }),
  lo,
  hi,
});

const coefficients = coordinateDescent<K>(
  DEFAULT_COEFFICIENTS,
  [
    param('bandwidth_efficiency', 0.4, 1),
    param('compute_efficiency', 0.2, 0.95),
    param('compute_efficiency_fp8', 0.2, 0.95),
    param('step_overhead_ms', 0, 10),
    param('per_seq_overhead_ms', 0, 0.3),
    latency('fabric', 0, 200),
    latency('pcie', 0, 500),
    param('roofline_exponent', 1, 10),
  ],
  (k) => loss(fitPoints, k),
);
const round = (x: number, d = 4): number => Number(x.toFixed(d));
const rounded: K = {
  bandwidth_efficiency: round(coefficients.bandwidth_efficiency),
  compute_efficiency: round(coefficients.compute_efficiency),
  compute_efficiency_fp8: round(coefficients.compute_efficiency_fp8),
  step_overhead_ms: round(coefficients.step_overhead_ms),
  per_seq_overhead_ms: round(coefficients.per_seq_overhead_ms, 5),
  allreduce_latency_us: {
    fabric: round(coefficients.allreduce_latency_us.fabric, 2),
    pcie: round(coefficients.allreduce_latency_us.pcie, 2),
  },
  roofline_exponent: round(coefficients.roofline_exponent, 3),
};

// Per-configuration corrections, from that configuration's own fitted points only.
const groups = new Map<string, BenchmarkPoint[]>();
for (const p of fitPoints) {
  const key = [p.model, p.gpu, p.tensor_parallel, p.weights_dtype].join('|');
  groups.set(key, [...(groups.get(key) ?? []), p]);
}
const corrections: ConfigCorrection[] = [];
for (const [key, set] of groups) {
  const [model, gpu, tp, weights] = key.split('|');
  const hasTtft = set.some((p) => p.compare.includes('ttft'));
  const factor = (name: keyof Factors) => ({ get: (f: Factors) => f[name], set: (f: Factors, v: number): Factors => ({ ...f, [name]: v }), lo: 0.33, hi: 3 });
  const best = coordinateDescent<Factors>(
    { decode_factor: 1, prefill_factor: 1 },
    hasTtft ? [factor('decode_factor'), factor('prefill_factor')] : [factor('decode_factor')],
    (f) => loss(set, rounded, f),
    5,
  );
  corrections.push({
    model, gpu, tensor_parallel: Number(tp), weights_dtype: weights as ConfigCorrection['weights_dtype'],
    decode_factor: round(best.decode_factor, 3), prefill_factor: round(hasTtft ? best.prefill_factor : best.decode_factor, 3),
    points: set.map((p) => p.id),
  });
}
const correctionFor = (p: BenchmarkPoint): Factors | undefined =>
  corrections.find((c) => c.model === p.model && c.gpu === p.gpu && c.tensor_parallel === p.tensor_parallel && c.weights_dtype === p.weights_dtype);

function mape(rs: Residual[]): Record<Metric, number | null> & { n: number } {
  const by = (m: Metric) => rs.filter((r) => r.metric === m);
  const pct = (xs: Residual[]) => (xs.length === 0 ? null : round((100 * xs.reduce((s, r) => s + Math.abs(r.predicted - r.measured) / r.measured, 0)) / xs.length, 1));
  return { ttft: pct(by('ttft')), itl: pct(by('itl')), e2e: pct(by('e2e')), n: rs.length };
}
const table = (set: BenchmarkPoint[], calibrated: boolean) =>
  set.flatMap((p) => residuals(p, rounded, calibrated ? correctionFor(p) : undefined)).map((r) => ({
    ...r, measured: round(r.measured, 2), predicted: round(r.predicted, 2), logError: round(r.logError, 3),
  }));
const fitGlobal = table(fitPoints, false);
const holdGlobal = table(holdoutPoints, false);
const fitCal = table(fitPoints, true);
const holdCal = table(holdoutPoints, true);

const summary = {
  note: 'Steady-state approximation (src/modules/benchmarks/steady-state.ts), not the engine replay; see bench/fidelity.ts for that.',
  fit_global: mape(fitGlobal),
  holdout_global: mape(holdGlobal),
  fit_calibrated: mape(fitCal),
  holdout_calibrated: mape(holdCal),
};
const out: StepModelFile = {
  fitted_at: new Date().toISOString().slice(0, 10),
  method:
    'bench/fit.ts: coordinate descent (6 rounds, 41-point grid per parameter, halving spans) minimising the mean squared log error of steady-state TTFT/ITL/E2E predictions over the points of data/benchmarks.json with usable=true, holdout=false; then per-configuration decode/prefill factors (range 0.33-3) fitted on that configuration\'s points only.',
  coefficients: rounded,
  corrections,
  points_used: fitPoints.map((p) => p.id),
  loss: { fit_mean_sq_log_error: round(loss(fitPoints, rounded), 5) },
  mape_percent_steady_state: summary,
  residuals: { fit: fitGlobal, holdout: holdGlobal },
};
writeFileSync(join(DATA_DIR, 'step-model.json'), JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify({ coefficients: rounded, mape_percent_steady_state: summary }, null, 1));
for (const c of corrections) console.log('correction', c.model, c.gpu, 'tp' + c.tensor_parallel, c.weights_dtype, 'decode x' + c.decode_factor, 'prefill x' + c.prefill_factor);
for (const r of [...fitGlobal, ...holdGlobal])
  console.log((fitPoints.some((p) => p.id === r.id) ? 'FIT  ' : 'HOLD ') + r.id.padEnd(58), r.metric.padEnd(5), String(r.measured).padStart(9), String(r.predicted).padStart(9), r.logError);
