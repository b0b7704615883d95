import { bootApp, post, TestApp } from './support/app';
import { freePort } from './support/child';

/* llm-d's conventions, so its manifests and e2e suites run against the simulator with only the image changed. */
describe("llm-d's conventions", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await bootApp({ pod_name: 'sim-decode-0', pod_namespace: 'llm-d', enable_kvcache: true, zmq_endpoint: `tcp://127.0.0.1:${await freePort()}` });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('names the pod, port and namespace that answered, and echoes X-Request-Id', async () => {
    const res = await post(`${app.url}/v1/completions`, { prompt: 'hello', max_tokens: 2 }, { 'x-request-id': 'req-42' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-inference-pod')).toBe('sim-decode-0');
    expect(res.headers.get('x-inference-port')).toBe(String(app.server.port));
    expect(res.headers.get('x-inference-namespace')).toBe('llm-d');
    expect(res.headers.get('x-request-id')).toBe('req-42');
    const stream = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(stream.headers.get('x-inference-pod')).toBe('sim-decode-0');
    await stream.text();
  });

  it('answers X-Return-Error: <status> with that status in vLLM\'s error shape', async () => {
    const res = await post(`${app.url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'hi' }] }, { 'x-return-error': '429' });
    expect(res.status).toBe(429);
    expect(res.json.error).toEqual({ message: 'Simulated error triggered by X-Return-Error header (code 429)', type: 'RateLimitError', param: null, code: 429 });
    expect((await post(`${app.url}/v1/completions`, { prompt: 'x' }, { 'x-return-error': '503' })).status).toBe(503);
    const bad = await post(`${app.url}/v1/completions`, { prompt: 'x' }, { 'x-return-error': 'oops' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('x-return-error');
  });

  it('ends a request below its cache_hit_threshold at once with finish_reason "cache_threshold", from the real prefix cache', async () => {
    const prompt = Array.from({ length: 64 }, (_, i) => 500 + i);
    const cold = await post(`${app.url}/v1/completions`, { prompt, max_tokens: 4, cache_hit_threshold: 0.5 });
    expect(cold.status).toBe(200);
    expect(cold.json.choices[0]).toMatchObject({ text: '', finish_reason: 'cache_threshold' });
    expect(cold.json.usage.completion_tokens).toBe(0);
    // Computed once without a threshold, its blocks are cached: 48 of 64 tokens (the last block is always computed) is above 0.5.
    expect((await post(`${app.url}/v1/completions`, { prompt, max_tokens: 1 })).status).toBe(200);
    const warm = await post(`${app.url}/v1/completions`, { prompt, max_tokens: 4, ignore_eos: true, cache_hit_threshold: 0.5 });
    expect(warm.json.choices[0].finish_reason).toBe('length');
    const forced = await post(`${app.url}/v1/completions`, { prompt, max_tokens: 4 }, { 'x-cache-threshold-finish-reason': 'true' });
    expect(forced.json.choices[0].finish_reason).toBe('cache_threshold');
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/^vllm:request_success_total\{.*finished_reason="cache_threshold".*\} 2$/m);
  });
});

describe('Fault rules from start-up', () => {
  it("injects llm-d-inference-sim's --failure-injection-rate with --failure-types, listed as rules", async () => {
    const app = await bootApp({ failure_injection_rate: 100, failure_types: ['rate_limit'] });
    try {
      const res = await post(`${app.url}/v1/completions`, { prompt: 'x', max_tokens: 1 });
      expect(res.status).toBe(429);
      const { faults } = (await (await fetch(`${app.url}/admin/faults`)).json()) as { faults: Array<Record<string, unknown>> };
      expect(faults).toEqual([expect.objectContaining({ type: 'rate_limit', probability: 1 })]);
    } finally {
      await app.close();
    }
  });

  it("applies the config file's faults section, validated as POST /admin/faults validates a rule", async () => {
    const app = await bootApp({ faults: [{ type: 'server_error', route: '/v1/completions' }] });
    try {
      expect((await post(`${app.url}/v1/completions`, { prompt: 'x', max_tokens: 1 })).status).toBe(500);
      expect((await post(`${app.url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 })).status).toBe(200);
    } finally {
      await app.close();
    }
    await expect(bootApp({ faults: [{ type: 'nope' }] })).rejects.toThrow(/faults\[0\]: type must be one of/);
  });
});
