import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeConfig } from '../src/config/runtime-config';
import { TestApp, bootApp } from './support/app';
import { dashboardQueries, parseExposition, poll, promtoolCheckMetrics, sample, sampleOrZero, seriesNames } from './support/prometheus';

const RESPONSES = `patterns:
  - name: greeting
    match:
      keywords: [hello]
    responses:
      - "Hello! This is a simulated answer with a handful of words in it."
fallback:
  responses:
    - "I am a simulated model. This fallback reply is long enough to be cut by a small max_tokens."
`;

let dir: string;
let responsesFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vllm-sim-metrics-'));
  responsesFile = join(dir, 'responses.yaml');
  writeFileSync(responsesFile, RESPONSES);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function scrape(app: TestApp): Promise<Map<string, number>> {
  const res = await fetch(`${app.url}/metrics`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

function modelLabel(app: TestApp): string {
  return `model_name="${app.settings.served_model_name[0] ?? app.settings.model}"`;
}

describe('/metrics after known traffic (latency_scale 0)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ responses_file: responsesFile });
  });
  afterAll(() => app.close());

  it('serves text format 0.0.4 with the engine label', async () => {
    const res = await fetch(`${app.url}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain(`vllm:num_requests_running{${modelLabel(app)},engine="0"} 0`);
    expect(text).toMatch(/^vllm:cache_config_info\{.*block_size="16".*num_gpu_blocks="\d+".*\} 1$/m);
  });

  it('moves token counters, finish reasons and histogram counts by exactly what usage says', async () => {
    const before = await scrape(app);
    const model = app.settings.model;
    const usages: Array<{ prompt: number; completion: number; finish: string; maxTokens: number }> = [];

    for (const [prompt, maxTokens] of [['hello there', 50], ['tell me something else', 4], ['hello again, friend', 3]] as const) {
      const r = await app.openai.completions.create({ model, prompt, max_tokens: maxTokens });
      usages.push({ prompt: r.usage!.prompt_tokens, completion: r.usage!.completion_tokens, finish: r.choices[0].finish_reason, maxTokens });
    }
    const chat = await app.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }], max_tokens: 40 });
    usages.push({ prompt: chat.usage!.prompt_tokens, completion: chat.usage!.completion_tokens, finish: chat.choices[0].finish_reason, maxTokens: 40 });
    const stream = await app.openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'something unmatched' }],
      max_tokens: 7,
      stream: true,
      stream_options: { include_usage: true },
    });
    let finish = '';
    let streamUsage: { prompt_tokens: number; completion_tokens: number } | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) streamUsage = chunk.usage;
    }
    usages.push({ prompt: streamUsage!.prompt_tokens, completion: streamUsage!.completion_tokens, finish, maxTokens: 7 });

    const after = await poll('the last request to be counted', async () => {
      const m = await scrape(app);
      return sample(m, 'vllm:e2e_request_latency_seconds_count') - sample(before, 'vllm:e2e_request_latency_seconds_count') >= usages.length ? m : undefined;
    });
    const delta = (name: string, ...labels: string[]) => sample(after, name, ...labels) - sampleOrZero(before, name, ...labels);
    const sum = (f: (u: (typeof usages)[number]) => number) => usages.reduce((a, u) => a + f(u), 0);

    expect(usages.map((u) => u.finish)).toEqual(expect.arrayContaining(['stop', 'length']));
    expect(delta('vllm:prompt_tokens_total')).toBe(sum((u) => u.prompt));
    expect(delta('vllm:generation_tokens_total')).toBe(sum((u) => u.completion));
    for (const reason of ['stop', 'length', 'abort', 'error']) {
      expect(delta('vllm:request_success_total', `finished_reason="${reason}"`)).toBe(usages.filter((u) => u.finish === reason).length);
    }
    const n = usages.length;
    for (const h of [
      'vllm:e2e_request_latency_seconds',
      'vllm:time_to_first_token_seconds',
      'vllm:request_queue_time_seconds',
      'vllm:request_prefill_time_seconds',
      'vllm:request_decode_time_seconds',
      'vllm:request_inference_time_seconds',
      'vllm:request_time_per_output_token_seconds',
      'vllm:request_prompt_tokens',
      'vllm:request_generation_tokens',
      'vllm:request_max_num_generation_tokens',
      'vllm:request_params_max_tokens',
      'vllm:request_params_n',
    ]) {
      expect([h, delta(`${h}_count`)]).toEqual([h, n]);
      expect([h, delta(`${h}_bucket`, 'le="+Inf"')]).toEqual([h, n]);
    }
    expect(delta('vllm:request_prompt_tokens_sum')).toBe(sum((u) => u.prompt));
    expect(delta('vllm:request_generation_tokens_sum')).toBe(sum((u) => u.completion));
    expect(delta('vllm:request_max_num_generation_tokens_sum')).toBe(sum((u) => u.completion));
    expect(delta('vllm:request_params_max_tokens_sum')).toBe(sum((u) => u.maxTokens));
    expect(delta('vllm:request_params_n_sum')).toBe(n);
    expect(delta('vllm:inter_token_latency_seconds_count')).toBe(sum((u) => Math.max(0, u.completion - 1)));
    expect(delta('vllm:iteration_tokens_total_sum')).toBe(sum((u) => u.prompt + u.completion - 1));

    // HTTP metrics as vLLM's instrumentator labels them; /metrics itself is not counted.
    expect(delta('http_requests_total', 'method="POST"', 'status="2xx"', 'handler="/v1/completions"')).toBe(3);
    expect(delta('http_requests_total', 'method="POST"', 'status="2xx"', 'handler="/v1/chat/completions"')).toBe(2);
    expect(delta('http_request_duration_seconds_count', 'handler="/v1/chat/completions"')).toBe(2);
    expect([...after.keys()].some((k) => k.includes('handler="/metrics"'))).toBe(false);
  });

  it('leaves the probes out of the HTTP metrics, as vLLM excludes them', async () => {
    for (const path of ['/health', '/health/live', '/health/ready', '/ping', '/version', '/load']) await fetch(`${app.url}${path}`);
    const m = await scrape(app);
    expect([...m.keys()].filter((k) => /handler="\/(metrics|health|ping|version|load)/.test(k))).toEqual([]);
    expect([...m.keys()].some((k) => k.includes('handler="/v1/completions"'))).toBe(true);
  });

  it('counts a rejected request in HTTP metrics only', async () => {
    const before = await scrape(app);
    const res = await fetch(`${app.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"x","max_tokens":0}' });
    expect(res.status).toBe(400);
    const after = await poll('the 400 to be counted', async () => {
      const m = await scrape(app);
      return sample(m, 'http_requests_total', 'status="4xx"', 'handler="/v1/completions"') > 0 ? m : undefined;
    });
    expect(sample(after, 'vllm:e2e_request_latency_seconds_count')).toBe(sample(before, 'vllm:e2e_request_latency_seconds_count'));
  });

  it('shows the live latency scale', async () => {
    app.server.app.get(RuntimeConfig).update({ latency_scale: 0.25 });
    expect(sample(await scrape(app), 'vllm_sim:latency_scale')).toBe(0.25);
    app.server.app.get(RuntimeConfig).update({ latency_scale: 0 });
  });

  it('has every series the shipped dashboards read', async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const present = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    const missing = queries.flatMap((q) => seriesNames(q.expr).filter((s) => !present.has(s)).map((s) => `${q.dashboard} / ${q.panel}: ${s}`));
    expect(missing).toEqual([]);
  });

  it('passes promtool check metrics with only the lints vLLM\'s own names trigger', async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const { findings } = promtoolCheckMetrics(text);
    // vLLM names its metrics `vllm:...` and its per-step histogram `vllm:iteration_tokens_total`;
    // promtool lints both. Anything else is a real defect of the exposition.
    const unexpected = findings.filter(
      (f) =>
        !/^[a-zA-Z_:][a-zA-Z0-9_:]* metric names should not contain ':'$/.test(f) &&
        f !== 'vllm:iteration_tokens_total non-counter metrics should not have "_total" suffix',
    );
    expect(unexpected).toEqual([]);
    expect(findings.length).toBeGreaterThan(0); // promtool really ran and saw the vllm: names
  });
});

describe('/metrics under load (latency_scale 1, itl 20 ms)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ responses_file: responsesFile, latency_scale: 1, itl_ms: 20, ttft_ms: 10, max_num_seqs: 2 });
  });
  afterAll(() => app.close());

  it('moves running, waiting and KV usage while busy and returns them to 0', async () => {
    const L = modelLabel(app);
    const requests = Array.from({ length: 4 }, (_, i) =>
      app.openai.completions.create({ model: app.settings.model, prompt: `request number ${i}`, max_tokens: 25, ignore_eos: true } as never),
    );
    const busy = await poll('running 2 and waiting 2', async () => {
      const m = await scrape(app);
      return sample(m, 'vllm:num_requests_running', L) === 2 && sample(m, 'vllm:num_requests_waiting', L) === 2 ? m : undefined;
    }, 10_000, 20);
    expect(sample(busy, 'vllm:kv_cache_usage_perc', L)).toBeGreaterThan(0);
    expect(sample(busy, 'vllm:kv_cache_usage_perc', L)).toBeLessThanOrEqual(1);

    const done = await Promise.all(requests);
    expect(done.every((r) => (r as { usage: { completion_tokens: number } }).usage.completion_tokens === 25)).toBe(true);
    const idle = await scrape(app);
    expect(sample(idle, 'vllm:num_requests_running', L)).toBe(0);
    expect(sample(idle, 'vllm:num_requests_waiting', L)).toBe(0);
    expect(sample(idle, 'vllm:kv_cache_usage_perc', L)).toBe(0);
    // Two requests queued behind the first two: their queue time shows, and so does the ITL.
    expect(sample(idle, 'vllm:request_queue_time_seconds_sum')).toBeGreaterThan(0.3);
    expect(sample(idle, 'vllm:inter_token_latency_seconds_bucket', 'le="0.025"')).toBeGreaterThan(0);
  });

  it('counts an aborted stream once as abort and frees its slot', async () => {
    const before = await scrape(app);
    const controller = new AbortController();
    const stream = await app.openai.chat.completions.create(
      { model: app.settings.model, messages: [{ role: 'user', content: 'hello' }], max_tokens: 200, ignore_eos: true, stream: true } as never,
      { signal: controller.signal },
    );
    let chunks = 0;
    try {
      for await (const _ of stream as unknown as AsyncIterable<unknown>) {
        if (++chunks === 3) controller.abort();
      }
    } catch {
      // the SDK may end the iteration or throw an abort error: either way the client is gone
    }
    expect(chunks).toBe(3);
    const L = modelLabel(app);
    const after = await poll('the abort to be counted and the slot freed', async () => {
      const m = await scrape(app);
      const aborted = sample(m, 'vllm:request_success_total', 'finished_reason="abort"') - sample(before, 'vllm:request_success_total', 'finished_reason="abort"');
      return aborted >= 1 && sample(m, 'vllm:num_requests_running', L) === 0 ? m : undefined;
    }, 5_000, 20);
    // Several more steps' worth of time: nothing else may be counted for it.
    await new Promise((r) => setTimeout(r, 150));
    const settled = await scrape(app);
    for (const m of [after, settled]) {
      expect(sample(m, 'vllm:request_success_total', 'finished_reason="abort"') - sample(before, 'vllm:request_success_total', 'finished_reason="abort"')).toBe(1);
      expect(sample(m, 'vllm:request_success_total', 'finished_reason="stop"')).toBe(sample(before, 'vllm:request_success_total', 'finished_reason="stop"'));
      expect(sample(m, 'vllm:request_success_total', 'finished_reason="length"')).toBe(sample(before, 'vllm:request_success_total', 'finished_reason="length"'));
      expect(sample(m, 'vllm:e2e_request_latency_seconds_count') - sample(before, 'vllm:e2e_request_latency_seconds_count')).toBe(1);
    }
    expect(sample(settled, 'vllm:kv_cache_usage_perc', L)).toBe(0);
    const generated = sample(settled, 'vllm:generation_tokens_total') - sample(before, 'vllm:generation_tokens_total');
    expect(generated).toBeGreaterThanOrEqual(2);
    expect(generated).toBeLessThan(200);
  });
});
