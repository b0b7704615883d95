import { Registry } from 'prom-client';
import { Random } from '../../common/random';
import { RuntimeValues } from '../../config/runtime-config';
import { StepBatch } from '../benchmarks/profile.types';
import { Engine } from '../engine/engine';
import { GenerationRequest } from '../engine/engine.types';
import { BlockPool } from '../engine/block-pool';
import { StepTiming } from '../engine/step-timing';
import { VirtualClock } from '../engine/virtual-clock';
import { HttpMetrics, statusGroup } from './http-metrics';
import { VLLM_FINISH_REASONS, VllmMetrics, cacheConfigLabels } from './vllm-metrics';

/** 10 ms per step + 0.1 ms per prefill token + 1 ms per decode: timings add up by hand. */
function rig(blocks = 10_000) {
  const clock = new VirtualClock();
  const values: RuntimeValues = {
    latency_scale: 1,
    ttft_ms: null,
    itl_ms: null,
    prefill_ms_per_token: null,
    latency_jitter: 0,
    max_num_seqs: 256,
    response_mode: 'patterns',
  };
  const kv = new BlockPool(blocks, 16, true);
  const timing = new StepTiming({ stepTimeMs: (b: StepBatch) => 10 + 0.1 * b.prefillTokens + 1 * b.decodeSeqs }, () => values, new Random(1));
  const engine = new Engine(clock, kv, timing, { maxNumSeqs: () => values.max_num_seqs, maxNumBatchedTokens: 8192 });
  const registry = new Registry();
  const metrics = new VllmMetrics({
    registry,
    modelName: 'test-model',
    maxModelLen: 4096,
    cache: { block_size: 16, cache_dtype: 'auto', enable_prefix_caching: true, gpu_memory_utilization: 0.9, num_gpu_blocks: blocks },
    state: () => engine.state,
  });
  const ev = engine.events;
  ev.on('queued', (e) => metrics.onQueued(e.requestId, e.promptTokens, e.time));
  ev.on('tokens', (e) => metrics.onTokens(e));
  ev.on('step', (e) => metrics.onStep(e));
  ev.on('prefixCache', (e) => metrics.onPrefixCache(e));
  ev.on('preempted', () => metrics.onPreempted());
  ev.on('finished', (e) => metrics.onFinished(e));
  ev.on('promptSources', (e) => metrics.onPromptSources(e));
  return { clock, engine, registry, metrics };
}

function req(id: string, promptLen: number, outputLen: number, extra: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    id,
    promptTokenIds: Array.from({ length: promptLen }, (_, i) => 1000 + i),
    outputTokenIds: Array.from({ length: outputLen }, (_, i) => 5 + i),
    finishReason: 'stop',
    maxTokens: outputLen,
    n: 1,
    ...extra,
  };
}

const noop = { onTokens: () => undefined, onFinished: () => undefined };

/** Parses the exposition into `name{labels}` -> value (labels in printed order). */
async function scrape(registry: Registry): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await registry.metrics()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const L = 'model_name="test-model",engine="0"';

describe('VllmMetrics', () => {
  it('exposes every vLLM family with its type and help text, before any traffic', async () => {
    const { registry } = rig();
    const text = await registry.metrics();
    const types: Record<string, string> = {
      'vllm:num_requests_running': 'gauge',
      'vllm:num_requests_waiting': 'gauge',
      'vllm:kv_cache_usage_perc': 'gauge',
      'vllm:cache_config_info': 'gauge',
      'vllm:engine_sleep_state': 'gauge',
      'vllm:prompt_tokens_total': 'counter',
      'vllm:generation_tokens_total': 'counter',
      'vllm:request_success_total': 'counter',
      'vllm:num_preemptions_total': 'counter',
      'vllm:prefix_cache_queries_total': 'counter',
      'vllm:prefix_cache_hits_total': 'counter',
      'vllm:time_to_first_token_seconds': 'histogram',
      'vllm:inter_token_latency_seconds': 'histogram',
      'vllm:request_time_per_output_token_seconds': 'histogram',
      'vllm:e2e_request_latency_seconds': 'histogram',
      'vllm:request_queue_time_seconds': 'histogram',
      'vllm:request_inference_time_seconds': 'histogram',
      'vllm:request_prefill_time_seconds': 'histogram',
      'vllm:request_decode_time_seconds': 'histogram',
      'vllm:request_prompt_tokens': 'histogram',
      'vllm:request_generation_tokens': 'histogram',
      'vllm:request_max_num_generation_tokens': 'histogram',
      'vllm:request_params_max_tokens': 'histogram',
      'vllm:request_params_n': 'histogram',
      'vllm:iteration_tokens_total': 'histogram',
    };
    for (const [name, type] of Object.entries(types)) {
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
    }
    // prom-client prints a counter's name as given; the exposition must carry vLLM's _total names.
    expect(text).not.toMatch(/_total_total/);
    expect(text).toContain('# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.\n');
    expect(text).toContain('# HELP vllm:request_success_total Count of successfully processed requests.\n');
    expect(text).toContain('# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.\n');
  });

  it('pre-creates every finished_reason and zero-valued series', async () => {
    const { registry } = rig();
    const m = await scrape(registry);
    for (const reason of VLLM_FINISH_REASONS) expect(m.get(`vllm:request_success_total{${L},finished_reason="${reason}"}`)).toBe(0);
    expect(m.get(`vllm:prompt_tokens_total{${L}}`)).toBe(0);
    expect(m.get(`vllm:e2e_request_latency_seconds_count{${L}}`)).toBe(0);
    expect(m.get(`vllm:num_requests_running{${L}}`)).toBe(0);
    expect(m.get(`vllm:engine_sleep_state{${L},sleep_state="awake"}`)).toBe(1);
  });

  it('uses 1-2-5 buckets up to max_model_len for the token histograms', async () => {
    const { registry } = rig();
    const m = await scrape(registry);
    const les = [...m.keys()].filter((k) => k.startsWith('vllm:request_prompt_tokens_bucket')).map((k) => /le="([^"]+)"/.exec(k)![1]);
    expect(les).toEqual(['1', '2', '5', '10', '20', '50', '100', '200', '500', '1000', '2000', '+Inf']);
  });

  it('labels vllm:cache_config_info with the cache settings, spelled as vLLM prints them', async () => {
    const { registry } = rig(1234);
    const text = await registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith('vllm:cache_config_info{'))!;
    expect(line).toContain('block_size="16"');
    expect(line).toContain('num_gpu_blocks="1234"');
    expect(line).toContain('enable_prefix_caching="True"');
    expect(line).toContain('gpu_memory_utilization="0.9"');
    expect(line).toContain('cache_dtype="auto"');
    expect(line).toContain('engine="0"');
    expect(line).toMatch(/ 1$/);
    expect(Object.keys(cacheConfigLabels({ block_size: 16, cache_dtype: 'fp8', enable_prefix_caching: false, gpu_memory_utilization: 0.5, num_gpu_blocks: 1 }))).toEqual(
      expect.arrayContaining(['block_size', 'cache_dtype', 'num_gpu_blocks', 'sliding_window']),
    );
  });

  it('records one request exactly, in seconds', async () => {
    const { clock, engine, registry } = rig();
    engine.submit(req('a', 20, 5), noop);
    clock.runUntilIdle();
    const m = await scrape(registry);
    // Steps: prefill 20 -> 12 ms (first token at 12), then 4 decodes of 11 ms (tokens at 23, 34, 45, 56).
    expect(m.get(`vllm:prompt_tokens_total{${L}}`)).toBe(20);
    expect(m.get(`vllm:generation_tokens_total{${L}}`)).toBe(5);
    expect(m.get(`vllm:request_success_total{${L},finished_reason="stop"}`)).toBe(1);
    expect(m.get(`vllm:time_to_first_token_seconds_sum{${L}}`)).toBeCloseTo(0.012, 9);
    expect(m.get(`vllm:inter_token_latency_seconds_count{${L}}`)).toBe(4);
    expect(m.get(`vllm:inter_token_latency_seconds_sum{${L}}`)).toBeCloseTo(0.044, 9);
    expect(m.get(`vllm:e2e_request_latency_seconds_sum{${L}}`)).toBeCloseTo(0.056, 9);
    expect(m.get(`vllm:request_queue_time_seconds_sum{${L}}`)).toBeCloseTo(0, 9);
    expect(m.get(`vllm:request_prefill_time_seconds_sum{${L}}`)).toBeCloseTo(0.012, 9);
    expect(m.get(`vllm:request_decode_time_seconds_sum{${L}}`)).toBeCloseTo(0.044, 9);
    expect(m.get(`vllm:request_inference_time_seconds_sum{${L}}`)).toBeCloseTo(0.056, 9);
    expect(m.get(`vllm:request_time_per_output_token_seconds_sum{${L}}`)).toBeCloseTo(0.011, 9);
    expect(m.get(`vllm:request_prompt_tokens_sum{${L}}`)).toBe(20);
    expect(m.get(`vllm:request_generation_tokens_sum{${L}}`)).toBe(5);
    expect(m.get(`vllm:request_params_max_tokens_sum{${L}}`)).toBe(5);
    expect(m.get(`vllm:request_params_n_sum{${L}}`)).toBe(1);
    expect(m.get(`vllm:request_max_num_generation_tokens_sum{${L}}`)).toBe(5);
    expect(m.get(`vllm:iteration_tokens_total_count{${L}}`)).toBe(5);
    expect(m.get(`vllm:iteration_tokens_total_sum{${L}}`)).toBe(24);
    expect(m.get(`vllm:time_to_first_token_seconds_bucket{le="0.02",${L}}`)).toBe(1);
    expect(m.get(`vllm:time_to_first_token_seconds_bucket{le="0.01",${L}}`)).toBe(0);
  });

  it('observes n and the longest choice once per request when n > 1', async () => {
    const { clock, engine, registry } = rig();
    engine.submit(req('r-0', 10, 3, { n: 2, group: 'r#0' }), noop);
    engine.submit(req('r-1', 10, 7, { n: 2, group: 'r#0' }), noop);
    engine.submit(req('r-2', 10, 4, { n: 2, group: 'r#1' }), noop);
    engine.submit(req('r-3', 10, 2, { n: 2, group: 'r#1' }), noop);
    clock.runUntilIdle();
    const m = await scrape(registry);
    // Two groups (vLLM parent requests) of two choices each.
    expect(m.get(`vllm:request_params_n_count{${L}}`)).toBe(2);
    expect(m.get(`vllm:request_params_n_sum{${L}}`)).toBe(4);
    expect(m.get(`vllm:request_max_num_generation_tokens_count{${L}}`)).toBe(2);
    expect(m.get(`vllm:request_max_num_generation_tokens_sum{${L}}`)).toBe(11);
    expect(m.get(`vllm:request_success_total{${L},finished_reason="stop"}`)).toBe(4);
    expect(m.get(`vllm:e2e_request_latency_seconds_count{${L}}`)).toBe(4);
  });

  it('counts an abort once, without prompt tokens when it never produced a token', async () => {
    const { clock, engine, registry } = rig();
    const h = engine.submit(req('a', 100, 50), noop);
    h.abort();
    h.abort();
    clock.runUntilIdle();
    const m = await scrape(registry);
    expect(m.get(`vllm:request_success_total{${L},finished_reason="abort"}`)).toBe(1);
    expect(m.get(`vllm:prompt_tokens_total{${L}}`)).toBe(0);
    expect(m.get(`vllm:e2e_request_latency_seconds_count{${L}}`)).toBe(1);
  });

  it('reads running, waiting and KV usage live at scrape time', async () => {
    const { clock, engine, registry } = rig();
    const h = engine.submit(req('a', 64, 50), noop);
    clock.advance(30);
    let m = await scrape(registry);
    expect(m.get(`vllm:num_requests_running{${L}}`)).toBe(1);
    expect(m.get(`vllm:kv_cache_usage_perc{${L}}`)).toBeGreaterThan(0);
    h.abort();
    m = await scrape(registry);
    expect(m.get(`vllm:num_requests_running{${L}}`)).toBe(0);
    expect(m.get(`vllm:num_requests_waiting{${L}}`)).toBe(0);
    expect(m.get(`vllm:kv_cache_usage_perc{${L}}`)).toBe(0);
  });

  it('counts prefix cache queries and hits in tokens', async () => {
    const { clock, engine, registry } = rig();
    engine.submit(req('a', 64, 2), noop);
    clock.runUntilIdle();
    engine.submit(req('b', 64, 2), noop);
    clock.runUntilIdle();
    const m = await scrape(registry);
    expect(m.get(`vllm:prefix_cache_queries_total{${L}}`)).toBe(128);
    expect(m.get(`vllm:prefix_cache_hits_total{${L}}`)).toBe(48); // 3 full blocks; the last token is always computed
  });

  it('counts preemptions', async () => {
    // 8 blocks of 16: two requests that each grow past half the cache force a preemption.
    const { clock, engine, registry } = rig(8);
    engine.submit(req('a', 30, 40, { promptTokenIds: Array.from({ length: 30 }, (_, i) => i) }), noop);
    engine.submit(req('b', 30, 40, { promptTokenIds: Array.from({ length: 30 }, (_, i) => 500 + i) }), noop);
    clock.runUntilIdle();
    const m = await scrape(registry);
    expect(m.get(`vllm:num_preemptions_total{${L}}`)).toBeGreaterThan(0);
    expect(m.get(`vllm:request_success_total{${L},finished_reason="stop"}`)).toBe(2);
    // Recomputing a preempted prompt does not count its prompt again (vLLM counts at first token).
    expect(m.get(`vllm:prompt_tokens_total{${L}}`)).toBe(60);
  });
});

describe('HttpMetrics', () => {
  it('groups status codes, and labels a request no route matched "none"', async () => {
    const registry = new Registry();
    const http = new HttpMetrics(registry);
    const base = { method: 'POST', durationSeconds: 0.2, requestBytes: 10, responseBytes: 20 };
    http.observe({ ...base, route: '/v1/chat/completions', statusCode: 200 });
    http.observe({ ...base, route: '/v1/chat/completions', statusCode: 404 });
    http.observe({ ...base, route: undefined, statusCode: 404 });
    const m = await scrape(registry);
    expect(m.get('http_requests_total{method="POST",status="2xx",handler="/v1/chat/completions"}')).toBe(1);
    expect(m.get('http_requests_total{method="POST",status="4xx",handler="/v1/chat/completions"}')).toBe(1);
    expect(m.get('http_requests_total{method="POST",status="4xx",handler="none"}')).toBe(1);
    expect(m.get('http_request_duration_seconds_bucket{le="0.5",method="POST",handler="/v1/chat/completions"}')).toBe(2);
    expect(m.get('http_request_duration_highr_seconds_count')).toBe(3);
    expect(m.get('http_request_size_bytes_sum{handler="none"}')).toBe(10);
    expect(statusGroup(503)).toBe('5xx');
  });
});

describe("VllmMetrics: vLLM's newer families, fed by the engine", () => {
  it('counts prompt tokens by source, cached and recomputed, and the KV each prefill computed', async () => {
    const { clock, engine, registry } = rig();
    engine.submit(req('a', 33, 2), noop);
    clock.runUntilIdle();
    engine.submit(req('b', 33, 2), noop);
    clock.runUntilIdle();
    const m = await scrape(registry);
    // b found a's two full blocks (32 tokens): the whole prompt but its last token was cached, which vLLM counts as 1 recomputed.
    expect(m.get(`vllm:prompt_tokens_by_source_total{${L},source="local_compute"}`)).toBe(33 + 1);
    expect(m.get(`vllm:prompt_tokens_by_source_total{${L},source="local_cache_hit"}`)).toBe(33);
    expect(m.get(`vllm:prompt_tokens_by_source_total{${L},source="external_kv_transfer"}`)).toBe(0);
    expect(m.get(`vllm:prompt_tokens_cached_total{${L}}`)).toBe(32);
    expect(m.get(`vllm:prompt_tokens_recomputed_total{${L}}`)).toBe(1);
    expect(m.get(`vllm:request_prefill_kv_computed_tokens_sum{${L}}`)).toBe(33 + 1);
  });

  it('splits the waiting requests by reason at scrape time', async () => {
    const { engine, registry } = rig();
    engine.submit(req('a', 10, 2), noop);
    const m = await scrape(registry);
    expect(m.get(`vllm:num_requests_waiting_by_reason{${L},reason="capacity"}`)).toBe(1);
    expect(m.get(`vllm:num_requests_waiting_by_reason{${L},reason="deferred"}`)).toBe(0);
  });

  it('labels every cache setting of vLLM on vllm:cache_config_info, with the engine index', () => {
    const labels = cacheConfigLabels({ block_size: 16, cache_dtype: 'auto', enable_prefix_caching: true, gpu_memory_utilization: 0.9, num_gpu_blocks: 8, engine: '3', num_gpu_blocks_override: 8, prefix_caching_hash_algo: 'sha256_cbor' });
    expect(labels).toMatchObject({ engine: '3', num_gpu_blocks_override: '8', prefix_caching_hash_algo: 'sha256_cbor', kv_offloading_backend: 'None', mamba_cache_dtype: 'auto' });
    expect(Object.keys(labels)).toEqual([...Object.keys(labels)].sort());
  });
});
