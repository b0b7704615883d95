import { planWorkload } from './plan-workload';
import { PlannedWorkload } from './planned-request';
import { DisaggregationConfig, EngineConfig, KvLinkConfig, resolveDisaggregation, resolveEngine, simulateDisaggregated, simulatePlan } from './simulation';
import { parseWorkloadSpec } from './workload-spec';

/*
 * Prefill/decode pools on the virtual clock, with the real engine and the default model's profile
 * (Mistral-7B on L4): the decode side pulls the KV over the link the live server's decode side uses.
 */

const ENGINE: EngineConfig = { model: 'mistralai/Mistral-7B-Instruct-v0.3', gpu: 'NVIDIA-L4', tensor_parallel_size: 1, gpu_memory_utilization: 0.9, enable_prefix_caching: true, seed: 1 };
const LINK: KvLinkConfig = { kv_transfer_gb_per_s: 25, kv_transfer_latency_ms: 1 };

function pd(prefill: number, decode: number, link: KvLinkConfig = LINK, engine: Partial<EngineConfig> = {}): DisaggregationConfig {
  return {
    prefill: { engine: { ...ENGINE, ...engine }, replicas: prefill, routing: 'round_robin' },
    decode: { engine: { ...ENGINE, ...engine }, replicas: decode, routing: 'least_requests' },
    link,
  };
}

function workload(prompt: number, output: number, rate: number, duration: number, seed = 1): PlannedWorkload {
  return planWorkload(
    parseWorkloadSpec({ seed, prompt_tokens: { distribution: 'fixed', value: prompt }, output_tokens: { distribution: 'fixed', value: output }, stages: [{ rate, duration }] }, 'test'),
  );
}

/** `n` requests of `prompt` distinct tokens, one every `gapMs` (far enough apart never to meet). */
function spaced(n: number, prompt: number, output: number, gapMs: number): PlannedWorkload {
  const requests = Array.from({ length: n }, (_, i) => ({ arrival: i * gapMs, promptTokenIds: Array.from({ length: prompt }, (_, k) => 1000 + i * prompt + k), outputTokens: output, stage: 0 }));
  return { requests, stages: [{ start: 0, end: n * gapMs }], classes: ['default'], end: n * gapMs };
}

describe('simulate: prefill/decode pools', () => {
  it('puts the KV transfer into TTFT and nowhere into ITL, costed as the live decode side costs it', () => {
    const plan = spaced(5, 2000, 20, 10_000);
    const fast = simulateDisaggregated(plan, resolveDisaggregation(pd(1, 1, { kv_transfer_gb_per_s: 1000, kv_transfer_latency_ms: 0 })));
    const slowPd = resolveDisaggregation(pd(1, 1, { kv_transfer_gb_per_s: 2, kv_transfer_latency_ms: 40 }));
    const slow = simulateDisaggregated(plan, slowPd);
    const bytesPerToken = slowPd.decode.resolved.profile.kvBytesPerTokenPerGpu!;
    const decodeFrontendMs = slowPd.decode.resolved.profile.stepTime.host?.frontendMs(2000) ?? 0;
    expect(decodeFrontendMs).toBeGreaterThan(0);
    expect(bytesPerToken).toBeGreaterThan(0);
    const slowTransfer = 40 + ((2000 * bytesPerToken) / 2e9) * 1000;
    const fastTransfer = ((2000 * bytesPerToken) / 1000e9) * 1000;
    const [, decode] = slow.figures.pools!;
    expect(decode.transfer_ms!.mean).toBeCloseTo(slowTransfer, 6);
    expect(decode.transferred_tokens).toBe(5 * 2000);
    expect(decode.transferred_bytes).toBe(5 * 2000 * bytesPerToken);
    // Each request alone: TTFT is the prefill, the transfer and the first decode step, so the two runs differ by the transfer exactly.
    const ttft = (r: typeof slow) => r.result.records.map((rec) => rec.firstToken! - rec.sent);
    ttft(slow).forEach((t, i) => expect(t - ttft(fast)[i]).toBeCloseTo(slowTransfer - fastTransfer, 6));
    for (const rec of slow.result.records) {
      const legs = rec.legs!;
      expect(rec.firstToken! - rec.sent).toBeGreaterThan(legs.prefill.finishedTime - rec.sent + slowTransfer);
      // The decode side's API server takes the request first (tokenizing it), as vLLM's does; then the pull starts.
      expect(legs.transfer!.startTime).toBeCloseTo(legs.prefill.finishedTime + decodeFrontendMs, 9);
    }
    const fastItls = fast.result.itls.view();
    expect(slow.result.itls.length).toBe(5 * 19);
    slow.result.itls.view().forEach((gap, k) => expect(gap).toBeCloseTo(fastItls[k], 9));
    expect(slow.figures.overall.ttft_ms.mean - fast.figures.overall.ttft_ms.mean).toBeCloseTo(slowTransfer - fastTransfer, 2);
  });

  it('counts only the decode side\'s tokens and ends as output (the prefill side\'s one token is the handoff)', () => {
    const run = simulateDisaggregated(spaced(10, 500, 30, 2000), resolveDisaggregation(pd(2, 1)));
    const [prefill, decode] = run.figures.pools!;
    expect(run.figures.overall.completed).toBe(10);
    expect(run.result.records.every((r) => r.outputTokens === 30)).toBe(true);
    expect(run.figures.overall.achieved.output_tokens_per_s).toBeCloseTo((10 * 30) / run.figures.simulated_seconds, 0);
    expect(prefill.achieved.output_tokens_per_s).toBe(0);
    expect(decode.achieved.output_tokens_per_s).toBe(run.figures.overall.achieved.output_tokens_per_s);
    expect(prefill.replicas).toBe(2);
    expect(run.result.records.map((r) => r.legs!.prefillEngine).sort()).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(run.result.records.every((r) => r.replica === 2)).toBe(true);
  });

  it('saturates a decode pool too small for long replies while the prefill pool keeps up', () => {
    // 3 req/s of 1,000-token replies need ~3,000 tokens/s of decode; 600 prompt tokens/s are little prefill.
    const run = simulateDisaggregated(workload(200, 1000, 3, 60), resolveDisaggregation(pd(1, 1)));
    const [prefill, decode] = run.figures.pools!;
    expect(decode.saturated).toBe(true);
    expect(prefill.saturated).toBe(false);
    expect(run.figures.saturated).toBe(true);
    expect(prefill.ttft_ms.p99).toBeLessThan(1000);
  });

  it('saturates a prefill pool too small for long prompts while the decode pool keeps up', () => {
    // 3 req/s of 8,000-token prompts: 24,000 prompt tokens/s, more than one L4 prefills.
    const run = simulateDisaggregated(workload(8000, 10, 3, 60), resolveDisaggregation(pd(1, 1)));
    const [prefill, decode] = run.figures.pools!;
    expect(prefill.saturated).toBe(true);
    expect(decode.saturated).toBe(false);
    expect(run.figures.saturated).toBe(true);
    // What reaches the decode side is paced by the prefill side: its own TTFT stays small.
    expect(decode.ttft_ms.p99).toBeLessThan(1000);
  });

  it('on a prefill-heavy workload, trades TTFT for ITL against an aggregated cluster of the same two GPUs', () => {
    const plan = workload(3000, 100, 1, 120);
    const split = simulateDisaggregated(plan, resolveDisaggregation(pd(1, 1))).figures;
    const together = simulatePlan(plan, resolveEngine(ENGINE), { replicas: 2, routing: 'round_robin' }).figures;
    expect(split.saturated).toBe(false);
    expect(together.saturated).toBe(false);
    // No prefill shares a decode step: decode ITL stays flat, where the aggregated replicas' p99 is a prefill step.
    expect(split.overall.itl_ms.p99).toBeLessThan(together.overall.itl_ms.p99 / 3);
    // One GPU prefills what two did, and the KV crosses the link: TTFT is longer.
    expect(split.overall.ttft_ms.mean).toBeGreaterThan(together.overall.ttft_ms.mean);
    expect(split.overall.ttft_ms.mean).toBeGreaterThan(split.pools![0].ttft_ms.mean + split.pools![1].transfer_ms!.mean);
    // The same work is done either way.
    expect(split.overall.completed).toBe(together.overall.completed);
  });

  it('uses the decode side\'s prefix cache: a later turn pulls only the blocks the decode engine lacks', () => {
    // The same 1,000-token prompt twice, far apart: the second finds it in both caches.
    const prompt = Array.from({ length: 1000 }, (_, k) => 7000 + k);
    const plan: PlannedWorkload = {
      requests: [0, 10_000].map((arrival) => ({ arrival, promptTokenIds: prompt, outputTokens: 5, stage: 0 })),
      stages: [{ start: 0, end: 20_000 }],
      classes: ['default'],
      end: 20_000,
    };
    const run = simulateDisaggregated(plan, resolveDisaggregation(pd(1, 1)));
    const [first, second] = run.result.records;
    expect(first.legs!.transfer!.tokens).toBe(1000);
    // 62 full blocks of 16 cached on the decode side; the last (partial) block's tokens are pulled.
    expect(second.legs!.transfer!.tokens).toBe(1000 - 62 * 16);
    expect(second.cachedTokens).toBe(62 * 16);
    expect(run.figures.pools![1].prefix_cache.cached_tokens).toBe(62 * 16);
  });

  it('refuses, when sent, a request the decode side\'s KV cache cannot hold', () => {
    const config = pd(1, 1, LINK);
    const resolved = resolveDisaggregation({ ...config, decode: { ...config.decode, engine: { ...ENGINE, gpu_memory_utilization: 0.7 } } });
    const decodeTokens = resolved.decode.resolved.profile.kvCacheBlocks * resolved.decode.resolved.profile.blockSize;
    const plan = spaced(1, decodeTokens - 10, 100, 1000);
    const run = simulateDisaggregated(plan, { ...resolved, maxModelLen: 1e9 });
    expect(run.result.records[0].refused).toMatch(/decode side's whole cache/);
    expect(run.figures.pools![0].requests).toBe(0);
  });

  it('is deterministic under a seed, and another seed gives another run', () => {
    const config = resolveDisaggregation(pd(2, 2));
    const a = simulateDisaggregated(workload(1500, 200, 3, 30, 7), config).figures;
    const b = simulateDisaggregated(workload(1500, 200, 3, 30, 7), config).figures;
    const c = simulateDisaggregated(workload(1500, 200, 3, 30, 8), config).figures;
    expect(b).toEqual(a);
    expect(c.overall.ttft_ms).not.toEqual(a.overall.ttft_ms);
  });

  it('rejects pools of two models', () => {
    const config = pd(1, 1);
    expect(() => resolveDisaggregation({ ...config, decode: { ...config.decode, engine: { ...ENGINE, model: 'Qwen/Qwen2.5-7B-Instruct' } } })).toThrow(/same model/);
  });
});
