import { TestApp, bootApp, post } from './support/app';
import { parseExposition, poll, promtoolCheckMetrics, RunningPrometheus, sample, startPrometheus } from './support/prometheus';

/*
 * llm-d-inference-sim's fake metrics, for autoscaler tests: fixed numbers and generators reported
 * instead of the engine's, set at start-up and through /admin, scraped by a real Prometheus.
 */
const FAKE = {
  'running-requests': 7,
  'waiting-requests': 'squarewave:0:12:4s',
  'kv-cache-usage': 0.42,
  'ttft-buckets-values': [0, 0, 0, 0, 0, 0, 0, 10, 30, 10],
  'request-success-total': { stop: 40, length: 10 },
  'request-prompt-tokens': [100, 200, 300],
  loras: [{ running: 'sql-lora', waiting: 'doc-lora', timestamp: 1700000000 }],
};

describe('Fake metrics scraped by a real Prometheus', () => {
  let app: TestApp;
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    app = await bootApp({ fake_metrics: JSON.stringify(FAKE), enable_lora: true });
    prometheus = await startPrometheus(new URL(app.url).host);
  }, 40_000);

  afterAll(async () => {
    await prometheus?.stop();
    await app?.close();
  });

  const value = async (expr: string) => {
    const r = await prometheus!.query(expr);
    return r.length > 0 ? Number(r[0].value![1]) : undefined;
  };

  it('reports the fixed numbers, the generators and the histograms, clearly marked, while the engine runs underneath', async () => {
    await poll('Prometheus to scrape the fake numbers', async () => ((await value('vllm:num_requests_running')) === 7 ? true : undefined), 20_000, 250);
    expect(await value('vllm:kv_cache_usage_perc')).toBe(0.42);
    expect(await value('sum(vllm:request_success_total)')).toBe(50);
    expect(await value('vllm_sim:fake_metrics_active')).toBe(1);
    // 30 of 50 first tokens in the (0.1, 0.25] bucket: the median is inside it.
    const median = await value('histogram_quantile(0.5, sum by (le) (vllm:time_to_first_token_seconds_bucket))');
    expect(median).toBeGreaterThan(0.1);
    expect(median).toBeLessThanOrEqual(0.25);
    // The square wave goes 0 -> 12 every 4 s: Prometheus sees both levels.
    await poll('the square wave to reach 12', async () => ((await value('vllm:num_requests_waiting')) === 12 ? true : undefined), 10_000, 250);
    await poll('the square wave to come back to 0', async () => ((await value('vllm:num_requests_waiting')) === 0 ? true : undefined), 10_000, 250);
    expect(await value('vllm:lora_requests_info{running_lora_adapters="sql-lora",waiting_lora_adapters="doc-lora"}')).toBe(1700000000);

    // A real request runs, but the numbers reported stay the fake ones.
    expect((await post(`${app.url}/v1/completions`, { prompt: 'hi', max_tokens: 2 })).status).toBe(200);
    const m = parseExposition(await (await fetch(`${app.url}/metrics`)).text());
    expect(sample(m, 'vllm:request_success_total')).toBe(50);
    const status = (await (await fetch(`${app.url}/admin/status`)).json()) as { fake_metrics: { active: boolean; spec: object } };
    expect(status.fake_metrics).toMatchObject({ active: true, spec: FAKE });
  }, 40_000);

  it('is set and cleared through /admin/fake-metrics; a bad spec is a 400 that changes nothing', async () => {
    const res = await fetch(`${app.url}/admin/fake-metrics`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'running-requests': 3 }) });
    expect(res.status).toBe(200);
    await poll('Prometheus to scrape the new number', async () => ((await value('vllm:num_requests_running')) === 3 ? true : undefined), 20_000, 250);

    const bad = await fetch(`${app.url}/admin/fake-metrics`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'kv-cache-usage': 7 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/kv-cache-usage must be between 0 and 1/);

    const cleared = await fetch(`${app.url}/admin/fake-metrics`, { method: 'DELETE' });
    expect(((await cleared.json()) as { active: boolean }).active).toBe(false);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const m = parseExposition(text);
    // The engine's own counts again: the one real request of the first test.
    expect(sample(m, 'vllm:request_success_total')).toBe(1);
    expect(sample(m, 'vllm_sim:fake_metrics_active')).toBe(0);
  }, 40_000);

  it('keeps an exposition that promtool accepts, fake or not', async () => {
    await fetch(`${app.url}/admin/fake-metrics`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(FAKE) });
    const { findings } = promtoolCheckMetrics(await (await fetch(`${app.url}/metrics`)).text());
    // Only the lints vLLM's own names trigger: ':' in names, `_total` on the vllm:iteration_tokens_total histogram.
    const unexpected = findings.filter(
      (f) => !/ metric names should not contain ':'$/.test(f) && f !== 'vllm:iteration_tokens_total non-counter metrics should not have "_total" suffix',
    );
    expect(unexpected).toEqual([]);
  });
});

describe('Fake metrics at start-up', () => {
  it('refuses a malformed spec whole, naming the field', async () => {
    await expect(bootApp({ fake_metrics: JSON.stringify({ 'running-requests': 'wobble:1:2:3s' }) })).rejects.toThrow(/Invalid --fake-metrics: running-requests: unknown generator 'wobble'/);
    await expect(bootApp({ fake_metrics: '{oops' })).rejects.toThrow(/not valid JSON/);
  });
});
