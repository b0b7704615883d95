/**
 * Fit of the step-time model, one vLLM release family at a time, on the measured points of
 * data/benchmarks.json with holdout=false.
 *
 *   npx ts-node --transpile-only bench/fit.ts [--no-replay]      (writes data/step-model.json)
 *
 * Kernel-level terms start from measured kernel figures (DEFAULT_COEFFICIENTS: vLLM 0.14's GEMM,
 * attention and custom all-reduce timings on H100, see data/README.md); the fit then moves every
 * term within physical bounds to minimise the mean squared log error of the points' TTFT, ITL and
 * E2E as each point reports them:
 *  1. on the steady-state approximation (src/modules/benchmarks/steady-state.ts), fast, over all terms;
 *  2. for the newest family, on replays of whole runs through the engine (bench/support/replay.ts:
 *     the tool's arrivals, client concurrency, queueing, chunked prefill, KV capacity), over the
 *     terms that decide latency under load, on a stratified subset of the fitted points.
 * The API server's time before a request reaches the scheduler (`frontend_ms`) is a term of the
 * family like the others: the engine holds it, in the server as offline. Then each fitted
 * configuration (model x GPU x TP x weight format) of a family gets decode and prefill factors so it
 * reproduces its own points. Held-out points are never fitted on, nor flagged figures
 * (bench/support/flagged-points.ts); bench/fidelity.ts reports them all.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR } from '../src/modules/benchmarks/data-files';
import { BenchmarkPoint, Metric, loadBenchmarks, measured } from '../src/modules/benchmarks/measurements';
import { predictSteadyState } from '../src/modules/benchmarks/steady-state';
import {
  ConfigCorrection, DEFAULT_COEFFICIENTS, ReleaseFamily, StepCoefficients, StepModelFile, loadStepModel,
} from '../src/modules/benchmarks/step-coefficients';
import { kvCacheCapacity } from '../src/modules/benchmarks/kv-capacity';
import { flagFor } from './support/flagged-points';
import { catalog, clientTimeApplies, familyOf, limitsOf, median, replayPoint, stepTimeFor } from './support/replay';

type K = StepCoefficients;
type Factors = Pick<ConfigCorrection, 'decode_factor' | 'prefill_factor'>;
const useReplay = !process.argv.includes('--no-replay');

const FAMILIES: Omit<ReleaseFamily, 'coefficients' | 'corrections' | 'points_used'>[] = [
  {
    name: 'v0.10+', since: '0.10.0', async_scheduling_since: '0.14.0',
    description: 'vLLM 0.10 and later: V1 engine with CUDA graphs (FULL_AND_PIECEWISE), FlashAttention 3 / FlashInfer, custom all-reduce inside the graphs, per-GPU batch defaults; async scheduling by default from 0.14',
  },
  { name: 'up to v0.9', since: '0.0.0', description: 'vLLM up to 0.9, and points of other engines (NIM) or of unstated versions' },
];

// Flagged points (bench/support/flagged-points.ts) are reported by the fidelity bench, never fitted on.
const all = loadBenchmarks().filter((p) => p.usable && flagFor(p.id) === undefined);
let file: StepModelFile;
try {
  file = loadStepModel();
} catch {
  file = { fitted_at: '', method: '', default_family: FAMILIES[0].name, families: [] };
}
// The families in their fitted order; coefficients start from the defaults (kernel figures) every time.
file = {
  ...file,
  default_family: FAMILIES[0].name,
  families: FAMILIES.map((f) => ({ ...f, coefficients: DEFAULT_COEFFICIENTS, corrections: [], points_used: [] })),
};
// Written by fits before the API server's time was a term of the engine (every source's TTFT residual): no longer read.
delete (file as { client_overhead_ms?: unknown }).client_overhead_ms;
file.client_ms = {};

interface Prediction { p: BenchmarkPoint; value: Partial<Record<Metric, number>> }

function steadyState(p: BenchmarkPoint, k: K, correction?: Factors): Partial<Record<Metric, number>> {
  const model = stepTimeFor(p, file, { calibrated: false, coefficients: k });
  const m = correction ? stepTimeFor(p, { ...file, families: file.families.map((f) => ({ ...f, corrections: [{ model: p.model!, gpu: p.gpu!, tensor_parallel: p.tensor_parallel, weights_dtype: p.weights_dtype, ...correction, points: [] }] })) }, { calibrated: true, coefficients: k }) : model;
  const pred = predictSteadyState(m, { inputTokens: p.input_tokens!, outputTokens: p.output_tokens!, load: p.load }, limitsOf(p, familyOf(file, p), file));
  return { ttft: pred.ttftMs, itl: pred.itlMs, e2e: pred.e2eMs };
}

/**
 * Whether the point's sequences all fit in the KV cache at once: the steady-state approximation
 * has no queue for KV space, so points past it (TTFT of tens of seconds) are left to the replay.
 */
function fitsInKv(p: BenchmarkPoint): boolean {
  if (p.load.type !== 'concurrency') return true;
  const kv = kvCacheCapacity({
    model: catalog.resolveModel(p.model!), gpu: catalog.resolveGpu(p.gpu!), tensorParallelSize: p.tensor_parallel,
    gpuMemoryUtilization: 0.9, blockSize: 16, kvDtype: p.kv_cache_dtype, weightsDtype: p.weights_dtype,
    maxNumBatchedTokens: limitsOf(p, familyOf(file, p), file).maxNumBatchedTokens,
  });
  return p.load.concurrency * (p.input_tokens! + p.output_tokens!) <= 0.9 * kv.tokens;
}

/**
 * TTFT and E2E count half as much as ITL: they carry each source's client and how its clients
 * collide, which the replay only approximates; ITL is the engine's own.
 */
const WEIGHT: Record<Metric, number> = { ttft: 0.5, itl: 1, e2e: 0.5 };

/**
 * Closed loops above this concurrency: their TTFT is mostly how the clients' prefills collide,
 * which the steady-state approximation only estimates; the replay stage fits it.
 */
const STEADY_TTFT_MAX_CONCURRENCY = 8;

/**
 * The load generator's own time before the first token, for the sources measured with aiperf
 * (`clientTimeApplies`): the median TTFT residual of the source's points at concurrency <= 8
 * (where clients rarely collide), never negative. vLLM's own server-side time is the engine's
 * `frontend_ms`, pinned by the other sources (vllm bench serve); this is what aiperf's
 * measurements hold beyond it. Used by the benches only.
 */
function clientTimes(preds: readonly Prediction[]): Record<string, number> {
  const by = new Map<string, number[]>();
  for (const { p, value } of preds) {
    const m = measured(p, 'ttft');
    if (!clientTimeApplies(p) || m === undefined || value.ttft === undefined || flagFor(p.id, 'ttft')) continue;
    if (p.load.type !== 'concurrency' || p.load.concurrency > STEADY_TTFT_MAX_CONCURRENCY) continue;
    by.set(p.source_group, [...(by.get(p.source_group) ?? []), m - value.ttft]);
  }
  return Object.fromEntries([...by].map(([source, xs]) => [source, Math.max(0, median(xs))]));
}

function loss(preds: readonly Prediction[], steady = false, clients = clientTimes(preds)): number {
  let sum = 0;
  let n = 0;
  for (const { p, value } of preds)
    for (const metric of p.compare) {
      const m = measured(p, metric);
      let v = value[metric];
      if (v !== undefined && metric !== 'itl') v += clients[p.source_group] ?? 0;
      if (m === undefined || v === undefined || flagFor(p.id, metric)) continue;
      if (steady && metric !== 'itl' && p.load.type === 'concurrency' && p.load.concurrency > STEADY_TTFT_MAX_CONCURRENCY) continue;
      sum += WEIGHT[metric] * Math.log(Math.max(1e-6, v) / m) ** 2;
      n += WEIGHT[metric];
    }
  return sum / Math.max(1, n);
}

interface Param { name: string; get: (k: K) => number; set: (k: K, v: number) => K; lo: number; hi: number }
const param = (key: Exclude<keyof K, 'allreduce'>, lo: number, hi: number): Param => ({
  name: key, get: (k) => k[key] as number, set: (k, v) => ({ ...k, [key]: v }), lo, hi,
});
const allreduce = (kind: 'fabric' | 'pcie', lo: number, hi: number): Param => ({
  name: `allreduce.${kind}.latency_us`,
  get: (k) => k.allreduce[kind].latency_us,
  set: (k, v) => ({ ...k, allreduce: { ...k.allreduce, [kind]: { ...k.allreduce[kind], latency_us: v, eager_latency_us: Math.max(v, k.allreduce[kind].eager_latency_us) } } }),
  lo, hi,
});
/**
 * Every term, within what the kernel measurements allow: bf16 GEMMs reach 0.8 of the peak at large M
 * (0.81 at 8192^3, 0.89 at 4096^3) and stream weights at 0.9 of the bandwidth on H100 (vLLM 0.14),
 * so the fit may move those only a little around them; the other terms have their physical ranges.
 */
const ALL_TERMS: Param[] = [
  param('bandwidth_efficiency', 0.8, 0.95),
  param('compute_efficiency', 0.72, 0.88),
  param('compute_efficiency_fp8', 0.3, 0.85),
  param('compute_efficiency_int4', 0.2, 0.7),
  param('attention_compute_efficiency', 0.3, 0.7),
  param('moe_bandwidth_efficiency', 0.3, 1),
  param('moe_compute_efficiency', 0.1, 0.9),
  param('layer_fixed_us', 0, 100),
  param('fp8_gemm_extra_us', 0, 16),
  param('step_overhead_ms', 0, 8),
  param('per_seq_overhead_ms', 0, 0.1),
  param('prefill_overhead_ms', 0, 3),
  // The API server's time per request: a few ms of Python per request on a server CPU, more with a slow client.
  param('frontend_ms', 1, 25),
  allreduce('fabric', 2, 40),
  allreduce('pcie', 5, 200),
];
/** The terms the replay refines: what decides latency under load. */
const REPLAY_TERMS = ['compute_efficiency', 'compute_efficiency_fp8', 'compute_efficiency_int4', 'step_overhead_ms', 'prefill_overhead_ms', 'frontend_ms'];
/** Fitted runs the replay stage replays (spread over the configurations), and the most decode steps one may take. */
const REPLAY_POINTS = 60;
const REPLAY_MAX_SEQUENCE_STEPS = 400_000;

/** Sequence-steps a replay of the point simulates (what its cost grows with). */
function replayCost(p: BenchmarkPoint): number {
  const out = p.output_tokens ?? 1;
  if (p.load.type === 'concurrency') return p.load.concurrency * out * 6;
  if (p.load.type === 'rate') return 300 * out * (p.workload?.warm_cache ? 2 : 1);
  return out;
}

function coordinateDescent(start: K, params: Param[], f: (k: K) => number, rounds: number, steps: number, log: string): K {
  let best = start;
  let bestLoss = f(best);
  for (let round = 0; round < rounds; round++) {
    for (const p of params) {
      const span = (p.hi - p.lo) / Math.pow(2, round);
      const centre = p.get(best);
      for (let i = 0; i <= steps; i++) {
        const v = Math.min(p.hi, Math.max(p.lo, centre - span / 2 + (span * i) / steps));
        if (v === p.get(best)) continue;
        const cand = p.set(best, v);
        const l = f(cand);
        if (l < bestLoss - 1e-9) [best, bestLoss] = [cand, l];
      }
    }
    console.log(`  ${log} round ${round + 1}: loss ${bestLoss.toFixed(5)}`);
  }
  return best;
}

const round = (x: number, d = 4): number => Number(x.toFixed(d));
function rounded(k: K): K {
  const r = { ...k } as Record<string, unknown>;
  for (const [key, v] of Object.entries(k)) if (typeof v === 'number') r[key] = round(v, 5);
  r.allreduce = Object.fromEntries(Object.entries(k.allreduce).map(([kind, a]) => [kind, { latency_us: round(a.latency_us, 2), eager_latency_us: round(a.eager_latency_us, 2), bus_efficiency: a.bus_efficiency }]));
  return r as unknown as K;
}

/** A subset of at most n points, spread over the configurations (every k-th of the points sorted by id). */
function stratified(points: BenchmarkPoint[], n: number): BenchmarkPoint[] {
  if (points.length <= n) return points;
  const sorted = [...points].sort((a, b) => a.id.localeCompare(b.id));
  const step = sorted.length / n;
  return Array.from({ length: n }, (_, i) => sorted[Math.floor(i * step)]);
}

const clientMs: Record<string, number> = {};
for (const family of file.families) {
  const fitPoints = all.filter((p) => !p.holdout && familyOf(file, p).name === family.name);
  console.log(`\n${family.name}: ${fitPoints.length} fitted points`);
  if (fitPoints.length === 0) continue;
  const steadyPoints = fitPoints.filter(fitsInKv);
  const ssLoss = (k: K): number => loss(steadyPoints.map((p) => ({ p, value: steadyState(p, k) })), true);
  const terms = ALL_TERMS;
  let k = coordinateDescent(DEFAULT_COEFFICIENTS, terms, ssLoss, 4, 16, 'steady state');
  if (useReplay && family.name === file.default_family) {
    // Every fitted open-loop (rate) point, the closed loops spread over the configurations, within a cost.
    const affordable = fitPoints.filter((p) => replayCost(p) <= REPLAY_MAX_SEQUENCE_STEPS);
    const open = affordable.filter((p) => p.load.type === 'rate');
    const subset = [...open, ...stratified(affordable.filter((p) => p.load.type !== 'rate'), REPLAY_POINTS - open.length)];
    const replayLoss = (c: K): number => loss(subset.map((p) => ({ p, value: replayPoint(p, file, { calibrated: false, coefficients: c, quick: true }) })));
    k = coordinateDescent(k, terms.filter((t) => REPLAY_TERMS.includes(t.name)), replayLoss, 2, 4, `replay of ${subset.length} runs`);
  }
  family.coefficients = rounded(k);
  family.points_used = fitPoints.map((p) => p.id);
  const clients = clientTimes(
    fitPoints.filter((p) => clientTimeApplies(p) && p.load.type === 'concurrency' && p.load.concurrency <= STEADY_TTFT_MAX_CONCURRENCY)
      .map((p) => ({ p, value: useReplay && family.name === file.default_family ? replayPoint(p, file, { calibrated: false, coefficients: family.coefficients, quick: true }) : steadyState(p, family.coefficients) })),
  );
  for (const [source, ms] of Object.entries(clients)) clientMs[source] = round(ms, 1);

  // Per-configuration factors from that configuration's own points (steady state, with the fitted terms).
  const groups = new Map<string, BenchmarkPoint[]>();
  for (const p of fitPoints) groups.set([p.model, p.gpu, p.tensor_parallel, p.weights_dtype].join('|'), [...(groups.get([p.model, p.gpu, p.tensor_parallel, p.weights_dtype].join('|')) ?? []), p]);
  for (const [key, set] of groups) {
    const [model, gpu, tp, weights] = key.split('|');
    // The newest family's TTFTs carry their clients' collisions and overheads: its corrections fit the decode only.
    const hasTtft = family.name !== file.default_family && set.some((p) => p.compare.includes('ttft'));
    const base = set.map((p) => ({ p, value: steadyState(p, family.coefficients) }));
    const lossOf = (f: Factors): number => loss(set.map((p) => ({ p, value: steadyState(p, family.coefficients, f) })), true, clientMs);
    let best: Factors = { decode_factor: 1, prefill_factor: 1 };
    let bestLoss = loss(base, true, clientMs);
    for (const d of [0.7, 0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15, 1.2, 1.3, 1.5])
      for (const pf of hasTtft ? [0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.35, 1.5, 1.75, 2] : [family.name === file.default_family ? 1 : d]) {
        const l = lossOf({ decode_factor: d, prefill_factor: pf });
        if (l < bestLoss - 1e-9) [best, bestLoss] = [{ decode_factor: d, prefill_factor: pf }, l];
      }
    if (best.decode_factor === 1 && best.prefill_factor === 1) continue;
    family.corrections.push({ model, gpu, tensor_parallel: Number(tp), weights_dtype: weights as ConfigCorrection['weights_dtype'], ...best, points: set.map((p) => p.id) });
  }
  console.log(`  coefficients ${JSON.stringify(family.coefficients)}`);
  console.log(`  client time of the aiperf sources ${JSON.stringify(clients)}; ${family.corrections.length} configuration corrections`);
}

const out: StepModelFile = {
  fitted_at: new Date().toISOString().slice(0, 10),
  method:
    'bench/fit.ts: per release family, coordinate descent from the kernel-derived defaults over every term within physical bounds (GEMM efficiency 0.72-0.88 around the kernel-measured 0.8, the API server\'s time 1-25 ms) on the steady-state approximation (4 rounds, 17-point grids, halving spans), then for the newest family over the load-deciding terms on engine replays of 60 fitted runs (2 rounds, 5-point grids); loss = mean squared log error of TTFT/ITL/E2E over the family\'s points with usable=true, holdout=false, flagged figures left out, ITL weighted 1, TTFT and E2E 0.5 (on the steady state, not the TTFT of closed loops above concurrency 8), the aiperf sources\' TTFT and E2E plus their client time (median TTFT residual at concurrency <= 8, >= 0; benches only); then per-configuration decode/prefill factors on a grid, from that configuration\'s points only (the newest family: decode factors only, prefill left at 1).',
  default_family: file.default_family,
  families: file.families,
  client_ms: clientMs,
};
writeFileSync(join(DATA_DIR, 'step-model.json'), JSON.stringify(out, null, 2) + '\n');
console.log('\nwrote data/step-model.json');
