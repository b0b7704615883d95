/**
 * How the tools behind the measured points of data/benchmarks.json sent their requests and what
 * they reported, so bench/fidelity.ts can replay each point the way it was run. Every model says
 * where its semantics come from; a source whose tool is not stated says so.
 *
 * What the replay needs from a tool: when each request falls due, how many may be in flight
 * (client-side concurrency), which requests the reported figures cover (warm-up excluded), and
 * which statistic the figure is (mean, median, or the run's duration).
 */
import { Random } from '../../src/common/random';
import type { BenchmarkPoint, Metric } from '../../src/modules/benchmarks/measurements';
import type { PlannedRequest } from '../../src/modules/simulate';

/** The statistic a figure is, once a source's "unspecified"/"approx" labels are resolved. */
export type Statistic = 'mean' | 'median' | 'duration';

/** ITL as a tool computes it: pooled gaps between tokens (vLLM's ITL) or per request, (E2E − TTFT)/(tokens − 1) (vLLM's TPOT, AIPerf's ITL). */
export type ItlKind = 'gaps' | 'per-request';

/** One replay of a point: the client's schedule and what it measures. */
export interface ToolRun {
  requests: PlannedRequest[];
  /** Client-side limit on requests in flight (undefined: open loop). */
  maxConcurrency?: number;
  /** Index range [from, to) of the requests the reported figures cover. */
  measured: { from: number; to: number };
}

export interface BenchmarkTool {
  /** What ran the point, as the source says (or "not stated"). */
  name: string;
  /** One line: how the replay runs the point. */
  describe(p: BenchmarkPoint): string;
  /** Replays with different seeds to average over (random arrivals or client phases); 1 if deterministic. */
  seeds(p: BenchmarkPoint): number;
  /** `cycleMs`: a client's cycle at the point's load (one request's E2E), estimated by the caller. */
  plan(p: BenchmarkPoint, seed: number, cycleMs: number): ToolRun;
  /** The statistic behind a figure the source labels `label` (mean, median, p50, unspecified, approx). */
  statistic(label: string, metric: Metric): Statistic;
  itl(p: BenchmarkPoint): ItlKind;
}

/** Distinct prompts (no prefix-cache hits) of the point's lengths, exact output lengths (ignore_eos). */
function requestsOf(p: BenchmarkPoint, n: number, due: (i: number) => number): PlannedRequest[] {
  const input = Math.max(1, Math.round(p.input_tokens!));
  const output = Math.max(1, Math.round(p.output_tokens!));
  return Array.from({ length: n }, (_, i) => ({
    arrival: due(i),
    promptTokenIds: Array.from({ length: input }, (_, k) => i * 1_000_003 + k),
    outputTokens: output,
    stage: 0,
  }));
}

const byLabel = (label: string): Statistic => (label === 'median' || label === 'p50' ? 'median' : 'mean');

/**
 * vLLM's serving benchmark (`benchmarks/benchmark_serving.py`, `vllm bench serve`). Requests are
 * created as `get_request` yields them: all at once for `--request-rate inf`, else the first at
 * once and then after gamma-distributed intervals (burstiness 1 = exponential: Poisson arrivals),
 * as in vLLM 0.8.5's script (later `vllm bench serve` also delays the first request and rescales
 * the intervals to end at n / rate). With `--max-concurrency`, each request then waits on an
 * asyncio semaphore, and `request_func` starts its timer only after acquiring it: TTFT and E2E
 * exclude that wait. Metrics cover every request of `--num-prompts` (the initial single test
 * request is not counted); ITL pools the gaps of all requests, TPOT averages per request.
 */
export function vllmBenchServe(opts: {
  name: string;
  numPrompts: (p: BenchmarkPoint) => number;
  numPromptsNote?: string;
  statistic?: (label: string, metric: Metric) => Statistic;
}): BenchmarkTool {
  const rateOf = (p: BenchmarkPoint): number | null => (p.load.type === 'rate' ? p.load.rate_qps : null);
  const limitOf = (p: BenchmarkPoint): number | undefined =>
    p.load.type === 'concurrency' ? p.load.concurrency : p.load.type === 'rate' ? (p.load.max_concurrency ?? undefined) : undefined;
  return {
    name: opts.name,
    seeds: (p) => (rateOf(p) === null ? 1 : 5),
    describe: (p) => {
      const rate = rateOf(p);
      const limit = limitOf(p);
      return `${opts.numPrompts(p)} prompts${opts.numPromptsNote ? ` (${opts.numPromptsNote})` : ''}, ${rate === null ? 'request rate inf (all due at 0)' : `Poisson ${rate}/s, first at 0`}, ${limit === undefined ? 'no max concurrency' : `max concurrency ${limit} (semaphore; latency from send)`}; all requests measured`;
    },
    plan: (p, seed) => {
      const n = opts.numPrompts(p);
      const rate = rateOf(p);
      const random = new Random(seed);
      const arrivals = [0];
      for (let i = 1; i < n; i++) arrivals.push(rate === null ? 0 : arrivals[i - 1] + random.exponential(1000 / rate));
      return { requests: requestsOf(p, n, (i) => arrivals[i]), maxConcurrency: limitOf(p), measured: { from: 0, to: n } };
    },
    statistic: opts.statistic ?? byLabel,
    itl: (p) => (p.itl_ms ? 'gaps' : 'per-request'),
  };
}

/**
 * A closed loop of c clients measured in steady state: NVIDIA's NIM tables (AIPerf/GenAI-Perf,
 * `--concurrency c`). NVIDIA's published sweep recipe sends 2×c warm-up requests (discarded) and
 * then 10×c measured ones (`--warmup-request-count`, `--request-count`); the replay uses those
 * counts. What the figures themselves say about the run:
 * - they are a steady state: at every concurrency, throughput = c × OSL / (TTFT + (OSL − 1) × ITL)
 *   within 0.3 %, which holds for means over a window with c requests always in flight, not for a
 *   run that starts with a burst (at c = 25 a burst of 25 × 5000-token prefills alone would add
 *   > 0.5 s to the mean TTFT of 250 requests; the table says 0.69 s in all) or ends with a drain;
 * - the clients were spread out: TTFT at c = 5 (547 ms) is 1.3× the c = 1 prefill (407 ms), while
 *   clients in step would queue behind each other's 5000-token prefills (≥ 2×).
 * A closed loop keeps the phases it starts with (requests that start together finish together), so
 * the replay starts the c clients evenly spread over one cycle (a request's E2E at concurrency c),
 * each sending its next request when the previous ends, discards the warm-up requests and holds the
 * load until the measured ones have ended. Even spacing is the no-collision limit: where prefills
 * of different clients do meet in the real run, TTFT is higher than the replay's.
 */
export function aiperfSteadyState(
  name: string,
  rounds: { warmup: number; measured: number } = { warmup: 2, measured: 10 },
  phases: 'even' | 'random' | 'burst' = 'even',
): BenchmarkTool {
  const concurrency = (p: BenchmarkPoint): number => (p.load.type === 'concurrency' ? p.load.concurrency : 1);
  return {
    name,
    seeds: () => (phases === 'random' ? 3 : 1),
    describe: (p) => {
      const c = concurrency(p);
      return `closed loop, ${c} clients started ${phases === 'random' ? 'at random phases (3 seeds)' : 'evenly'} over one cycle (E2E at c), ${rounds.warmup * c} warm-up requests discarded, next ${rounds.measured * c} measured, load held until they end`;
    },
    plan: (p, seed, cycleMs) => {
      const c = concurrency(p);
      // Client k's first request at k/c of a cycle (or at a random phase); the rest queue on the c slots (each sent when one ends).
      const random = new Random(seed);
      const phase = Array.from({ length: c }, (_, k) => (phases === 'burst' ? 0 : phases === 'random' ? random.next() * cycleMs : (k * cycleMs) / c)).sort((a, b) => a - b);
      const offset = (k: number): number => phase[k];
      return {
        requests: requestsOf(p, (rounds.warmup + rounds.measured + 1) * c, (i) => offset(Math.min(i, c - 1))),
        maxConcurrency: c,
        measured: { from: rounds.warmup * c, to: (rounds.warmup + rounds.measured) * c },
      };
    },
    // Unlabelled statistics: means (Little's law above holds for means, not medians).
    statistic: byLabel,
    itl: () => 'per-request',
  };
}

/**
 * vLLM's offline latency benchmark (`benchmarks/benchmark_latency.py`, `vllm bench latency`): one
 * `LLM.generate` of a batch of identical prompts, timed end to end, averaged over iterations after
 * warm-up ones. The figure is the time for the whole batch.
 */
export const vllmBenchLatency: BenchmarkTool = {
  name: 'vllm benchmark_latency',
  seeds: () => 1,
  describe: (p) => `one batch of ${p.load.type === 'batch' ? p.load.batch_size : '?'} prompts at 0, figure = time until the last finishes`,
  plan: (p) => {
    const n = p.load.type === 'batch' ? p.load.batch_size : 1;
    return { requests: requestsOf(p, n, () => 0), measured: { from: 0, to: n } };
  },
  statistic: (_label, metric) => (metric === 'e2e' ? 'duration' : 'mean'),
  itl: () => 'per-request',
};

/**
 * The DO-Solutions sweeps (data/sources/do-solutions-poisson-vllm-0.14.json): `vllm bench serve`
 * of vLLM 0.14.1, 300 prompts per rate, Poisson arrivals from a first request at 0, no max
 * concurrency, every request measured. The rates ran in increasing order on one server with the
 * same 300 prompts, so from the second rate on the prefix cache held what the previous run left:
 * the replay serves the prompts once at the same rate before the measured run (far enough ahead
 * for it to drain), so each measured prompt is found in the prefix cache but its last block.
 */
function vllmBenchServeSweep(name: string, numPrompts: number): BenchmarkTool {
  const PASS_GAP_MS = 600_000;
  // ShareGPT prompts: distinct (no chat template on /v1/completions), of the point's mean lengths.
  const promptsOf = (p: BenchmarkPoint): PlannedRequest[] => requestsOf(p, numPrompts, () => 0);
  return {
    name,
    seeds: () => 5,
    describe: (p) =>
      `${numPrompts} ${p.workload?.dataset ?? ''} prompts, Poisson ${p.load.type === 'rate' ? p.load.rate_qps : '?'}/s from a first request at 0, no max concurrency${p.workload?.warm_cache ? '; served once before (the previous rate\'s run), then measured' : '; cold prefix cache'}`,
    plan: (p, seed) => {
      const rate = p.load.type === 'rate' ? (p.load.rate_qps ?? 1) : 1;
      const prompts = promptsOf(p);
      const random = new Random(seed);
      const pass = (start: number): PlannedRequest[] => {
        let t = start;
        return prompts.map((q, i) => {
          if (i > 0) t += random.exponential(1000 / rate);
          return { arrival: t, promptTokenIds: q.promptTokenIds, outputTokens: q.outputTokens, stage: 0 };
        });
      };
      if (!p.workload?.warm_cache) return { requests: pass(0), measured: { from: 0, to: prompts.length } };
      const warm = pass(0);
      const measuredStart = warm[warm.length - 1].arrival + PASS_GAP_MS;
      return { requests: [...warm, ...pass(measuredStart)], measured: { from: prompts.length, to: 2 * prompts.length } };
    },
    statistic: byLabel,
    itl: () => 'gaps',
  };
}

/** Default number of prompts of `vllm bench serve` (`--num-prompts`, 1000) where a source does not state it. */
const VLLM_DEFAULT_NUM_PROMPTS = 1000;

/** The tool behind each source group of data/benchmarks.json. */
export const TOOLS: Record<string, BenchmarkTool> = {
  // github:DO-Solutions/gtc-2026-doks phase 0 reports: vllm bench serve 0.14.1, 300 prompts per rate, Poisson.
  'do-solutions-vllm-bench-serve': vllmBenchServeSweep('vllm bench serve 0.14.1 (rate sweep, same prompts every rate)', 300),
  // docs.nvidia.com/nim/benchmarking/llm/1.0.0/performance: "see Using AIPerf to Benchmark".
  'nvidia-nim-benchmarking': aiperfSteadyState('AIPerf (NIM benchmarking guide), steady state'),
  // aiconfigurator's silicon measurements: its generated benchmark runs aiperf at --concurrency c with
  // c x 20 requests after c x 2 warm-up ones (bench_run.sh.j2); the replay keeps the closed loop in steady
  // state with 1 x c warm-up and 4 x c measured requests, which the means of a steady state do not depend on.
  'aiconfigurator-silicon': aiperfSteadyState('aiperf --concurrency c (aiconfigurator benchmark), steady state', { warmup: 1, measured: 4 }, 'random'),
  // Buildkite nightly "latency tests": benchmark_latency, batch 8, 32 in / 128 out.
  'vllm-buildkite-performance-benchmark': vllmBenchLatency,
  // AMD ROCm performance results, latency rows: vLLM's latency benchmark, whole-batch time.
  'amd-rocm-performance-results': vllmBenchLatency,
  // IOG-Foundation results JSON: benchmark_serving.py of vLLM 0.8.5, num_prompts 200, burstiness 1, max_concurrency null.
  'iog-llm-inference-benchmarks': vllmBenchServe({ name: 'vllm benchmark_serving.py 0.8.5', numPrompts: () => 200 }),
  // ai.wmx.dev/benchmarks: "vllm bench serve", "--request-rate inf at fixed max-concurrency"; --num-prompts not stated.
  'ai.wmx.dev-benchmarks': vllmBenchServe({
    name: 'vllm bench serve',
    numPrompts: () => VLLM_DEFAULT_NUM_PROMPTS,
    numPromptsNote: 'not stated: the tool default',
  }),
  // johnmusgrave.com: a vLLM 0.23 concurrency sweep, C=1 decode speed; tool options not stated.
  'johnmusgrave-vllm-sweep': vllmBenchServe({
    name: 'vllm bench serve (assumed)',
    numPrompts: () => VLLM_DEFAULT_NUM_PROMPTS,
    numPromptsNote: 'not stated: the tool default',
  }),
  // yobitelcomm.github.io/bench: a concurrency sweep against vLLM 0.21; load generator not stated.
  'yobitel-inferencebench': vllmBenchServe({
    name: 'not stated (closed loop at c, as vllm bench serve)',
    numPrompts: () => VLLM_DEFAULT_NUM_PROMPTS,
    numPromptsNote: 'not stated',
  }),
  // databasemart.com: vLLM's serving-benchmark summary (duration, total generated, req/s) for 50
  // requests at concurrency 50; the point's E2E is the benchmark duration (first send to last end).
  'databasemart-a40': vllmBenchServe({
    name: 'vllm serving benchmark (50 requests, concurrency 50)',
    numPrompts: (p) => (p.load.type === 'concurrency' ? (p.load.num_requests ?? p.load.concurrency) : 1),
    statistic: (label, metric) => (metric === 'e2e' && label === 'approx' ? 'duration' : byLabel(label)),
  }),
};

/** A source group's tool: by its name, or by the part before ':' (one tool, several collections). */
export function toolFor(p: BenchmarkPoint): BenchmarkTool {
  const tool = TOOLS[p.source_group] ?? TOOLS[p.source_group.split(':')[0]];
  if (!tool) throw new Error(`no load model for source ${p.source_group} (add it to bench/support/benchmark-tools.ts)`);
  return tool;
}
