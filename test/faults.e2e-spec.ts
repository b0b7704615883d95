 
import OpenAI from 'openai';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bootApp, post, readSse, TestApp } from './support/app';

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';
const CHAT = '/v1/chat/completions';
const COMPLETIONS = '/v1/completions';

const chatBody = (over: Record<string, unknown> = {}) => ({ model: MODEL, messages: [{ role: 'user', content: 'Tell me a story' }], max_tokens: 20, ignore_eos: true, ...over });
const completionBody = (over: Record<string, unknown> = {}) => ({ model: MODEL, prompt: 'Tell me a story', max_tokens: 5, ignore_eos: true, ...over });

describe('Fault injection', () => {
  let app: TestApp;
  let dir: string;
  const addRule = async (rule: Record<string, unknown>) => {
    const res = await post(`${app.url}/admin/faults`, rule);
    expect(res.status).toBe(201);
    return res.json;
  };
  const clearRules = () => fetch(`${app.url}/admin/faults`, { method: 'DELETE' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sim-faults-'));
    const file = join(dir, 'responses.yaml');
    const repoFile = resolve(__dirname, '../config/responses.yaml');
    if (existsSync(repoFile)) copyFileSync(repoFile, file);
    else writeFileSync(file, 'patterns: []\nfallback:\n  responses: ["I am a simulated model and this reply is long enough to be cut into several tokens."]\n');
    app = await bootApp({ responses_file: file });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await clearRules();
  });

  describe('error faults reach the openai SDK as its matching error classes', () => {
    const cases: Array<[string, number, new (...args: never[]) => Error]> = [
      ['rate_limit', 429, OpenAI.RateLimitError],
      ['server_error', 500, OpenAI.InternalServerError],
      ['unavailable', 503, OpenAI.InternalServerError],
      ['invalid_api_key', 401, OpenAI.AuthenticationError],
      ['model_not_found', 404, OpenAI.NotFoundError],
      ['context_length', 400, OpenAI.BadRequestError],
    ];

    it.each(cases)('%s (x-simulate-fault header) -> %i', async (type, status, errorClass) => {
      const err = await app.openai.chat.completions.create(chatBody() as never, { headers: { 'x-simulate-fault': type } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(errorClass);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
      // The raw body is vLLM's error shape.
      const raw = await post(`${app.url}${COMPLETIONS}`, completionBody(), { 'x-simulate-fault': type });
      expect(raw.status).toBe(status);
      expect(raw.json).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: raw.json.error.param, code: status } });
    });

    it.each(cases)('%s (rule) -> %i, also for streaming requests', async (type, status, errorClass) => {
      await addRule({ type });
      const err = await app.openai.completions.create(completionBody() as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(errorClass);
      const streamErr = await (async () => {
        const stream = await app.openai.chat.completions.create({ ...chatBody(), stream: true } as never);
        for await (const _ of stream as unknown as AsyncIterable<unknown>) void _;
      })().catch((e: unknown) => e);
      expect(streamErr).toBeInstanceOf(errorClass);
      expect((streamErr as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
    });

    it("rate_limit sends Retry-After: the rule's retry_after, else 1 s (header path too); the SDK sees it", async () => {
      const viaHeader = await fetch(`${app.url}${CHAT}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-simulate-fault': 'rate_limit' }, body: JSON.stringify(chatBody()) });
      expect(viaHeader.status).toBe(429);
      expect(viaHeader.headers.get('retry-after')).toBe('1');
      await viaHeader.arrayBuffer();
      await addRule({ type: 'rate_limit', retry_after: 12 });
      const err = (await app.openai.chat.completions.create(chatBody() as never).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect(err.headers?.get('retry-after')).toBe('12');
      // Only rate_limit rules take it.
      expect((await post(`${app.url}/admin/faults`, { type: 'server_error', retry_after: 3 })).status).toBe(400);
    });

    it('names the model in model_not_found, with vLLM message', async () => {
      const raw = await post(`${app.url}${CHAT}`, chatBody(), { 'x-simulate-fault': 'model_not_found' });
      expect(raw.json.error.message).toBe(`The model \`${MODEL}\` does not exist.`);
      expect(raw.json.error.type).toBe('NotFoundError');
    });

    it('rejects an unknown x-simulate-fault type with a 400', async () => {
      const raw = await post(`${app.url}${CHAT}`, chatBody(), { 'x-simulate-fault': 'meteor' });
      expect(raw.status).toBe(400);
      expect(raw.json.error.message).toContain('meteor');
    });
  });

  it('disconnect: the connection drops without a response', async () => {
    await addRule({ type: 'disconnect', route: CHAT });
    await expect(fetch(`${app.url}${CHAT}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chatBody()) })).rejects.toThrow();
    const err = await app.openai.chat.completions.create(chatBody() as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    // Other routes are not affected by a route-scoped rule.
    expect((await post(`${app.url}${COMPLETIONS}`, completionBody())).status).toBe(200);
  });

  it('stream_abort: a stream is cut after N tokens with an error event and [DONE]', async () => {
    await addRule({ type: 'stream_abort', after_tokens: 3 });
    const res = await fetch(`${app.url}${CHAT}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chatBody({ stream: true, max_tokens: 30 })) });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events[events.length - 1]).toBe('[DONE]');
    const payloads = events.slice(0, -1).map((e) => JSON.parse(e));
    const error = payloads[payloads.length - 1];
    expect(error).toEqual({ error: { message: expect.any(String), type: 'InternalServerError', param: null, code: 500 } });
    const chunks = payloads.slice(0, -1);
    const tokenChunks = chunks.filter((c) => c.choices?.[0]?.delta?.role === undefined);
    expect(tokenChunks).toHaveLength(3);
    expect(chunks.every((c) => c.choices[0].finish_reason === null)).toBe(true);
    // The SDK sees the error event as an APIError.
    const stream = await app.openai.chat.completions.create({ ...chatBody({ max_tokens: 30 }), stream: true } as never, { headers: { 'x-simulate-fault': 'stream_abort' } });
    const sdkErr = await (async () => {
      for await (const _ of stream as unknown as AsyncIterable<unknown>) void _;
    })().catch((e: unknown) => e);
    expect(sdkErr).toBeInstanceOf(OpenAI.APIError);
  });

  it('stream_abort on a non-streaming request answers 500 after N tokens', async () => {
    await addRule({ type: 'stream_abort', after_tokens: 2 });
    const res = await post(`${app.url}${COMPLETIONS}`, completionBody({ max_tokens: 20 }));
    expect(res.status).toBe(500);
  });

  describe('timeout', () => {
    it('holds the request delay_ms, then answers 504', async () => {
      await addRule({ type: 'timeout', delay_ms: 300 });
      const t0 = Date.now();
      const res = await post(`${app.url}${CHAT}`, chatBody());
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      expect(res.status).toBe(504);
      expect(res.json.error.code).toBe(504);
    });

    it('with then: "answer", answers normally after the delay', async () => {
      await addRule({ type: 'timeout', delay_ms: 300, then: 'answer' });
      const t0 = Date.now();
      const res = await post(`${app.url}${CHAT}`, chatBody());
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      expect(res.status).toBe(200);
      expect(res.json.choices[0].message.content.length).toBeGreaterThan(0);
    });

    it('a held request counts in /load (the engine does not see it yet), and leaves it with its answer', async () => {
      await addRule({ type: 'timeout', delay_ms: 400, then: 'answer' });
      const load = async () => ((await (await fetch(`${app.url}/load`)).json()) as { server_load: number }).server_load;
      const held = post(`${app.url}${CHAT}`, chatBody({ n: 3 }));
      let seen = 0;
      for (let i = 0; i < 100 && seen === 0; i++) seen = await load();
      // One request, though it will run as 3 sequences: vLLM counts requests.
      expect(seen).toBe(1);
      expect((await held).status).toBe(200);
      expect(await load()).toBe(0);
    });

    it('a client with a shorter timeout sees its own timeout error', async () => {
      await addRule({ type: 'timeout', delay_ms: 3000 });
      const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 200 });
      const t0 = Date.now();
      const err = await client.chat.completions.create(chatBody() as never).catch((e: unknown) => e);
      // APIConnectionTimeoutError outside Jest; Jest's VM realm defeats the SDK's AbortError check, so
      // it surfaces here as its parent class. What matters: the client gave up long before the server.
      expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
      expect(Date.now() - t0).toBeLessThan(2000);
    });
  });

  it('slow: multiplies the request latency by factor', async () => {
    await fetch(`${app.url}/admin/config`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latency_scale: 1, ttft_ms: 5, itl_ms: 5 }) });
    try {
      const timed = async (headers: Record<string, string> = {}) => {
        const t0 = Date.now();
        const res = await post(`${app.url}${COMPLETIONS}`, completionBody({ max_tokens: 20 }), headers);
        expect(res.status).toBe(200);
        expect(res.json.usage.completion_tokens).toBe(20);
        return Date.now() - t0;
      };
      const normal = await timed();
      await addRule({ type: 'slow', factor: 4 });
      const slow = await timed();
      expect(slow).toBeGreaterThan(normal * 2);
      expect(slow).toBeGreaterThanOrEqual(4 * 19 * 5 * 0.8);
    } finally {
      await fetch(`${app.url}/admin/config`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latency_scale: 0, ttft_ms: null, itl_ms: null }) });
    }
  });

  it('count: exactly N of many concurrent requests fail, then the rule is gone', async () => {
    await addRule({ type: 'rate_limit', count: 7 });
    const statuses = await Promise.all(Array.from({ length: 40 }, () => post(`${app.url}${COMPLETIONS}`, completionBody()).then((r) => r.status)));
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect(statuses.filter((s) => s === 200)).toHaveLength(33);
    expect(((await (await fetch(`${app.url}/admin/faults`)).json()) as any).faults).toEqual([]);
  });

  it('probability: the failure rate stays within statistical bounds (seeded)', async () => {
    await addRule({ type: 'server_error', probability: 0.3, route: COMPLETIONS });
    let failed = 0;
    const total = 400;
    for (let batch = 0; batch < total / 50; batch++) {
      const statuses = await Promise.all(Array.from({ length: 50 }, () => post(`${app.url}${COMPLETIONS}`, completionBody({ max_tokens: 1 })).then((r) => r.status)));
      failed += statuses.filter((s) => s === 500).length;
      expect(statuses.every((s) => s === 200 || s === 500)).toBe(true);
    }
    // Binomial(400, 0.3): mean 120, sd ≈ 9.2; ±5 sd.
    expect(failed).toBeGreaterThan(74);
    expect(failed).toBeLessThan(166);
  }, 60_000);

  it('scopes rules by route and model', async () => {
    await addRule({ type: 'rate_limit', route: CHAT });
    await addRule({ type: 'server_error', model: 'some-other-model' });
    expect((await post(`${app.url}${COMPLETIONS}`, completionBody())).status).toBe(200);
    expect((await post(`${app.url}${CHAT}`, chatBody())).status).toBe(429);
  });

  it('counts injected faults in vllm_sim:injected_faults_total and shows them in the request log', async () => {
    const count = async () => {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('vllm_sim:injected_faults_total{') && l.includes('type="unavailable"'));
      return line ? Number(line.split(' ').pop()) : NaN;
    };
    const before = await count();
    await post(`${app.url}${CHAT}`, chatBody(), { 'x-simulate-fault': 'unavailable', 'x-request-id': 'fault-logged-1' });
    expect(await count()).toBe(before + 1);
    const log = (await (await fetch(`${app.url}/admin/requests?limit=5`)).json()) as any;
    expect(log.requests.find((r: any) => r.id === 'fault-logged-1')).toMatchObject({ route: CHAT, status: 503, fault: 'unavailable' });
    // Streams and dropped connections are logged too.
    const stream = await fetch(`${app.url}${CHAT}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'fault-logged-2', 'x-simulate-fault': 'stream_abort' }, body: JSON.stringify(chatBody({ stream: true })) });
    await stream.text();
    await fetch(`${app.url}${COMPLETIONS}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'fault-logged-3', 'x-simulate-fault': 'disconnect' }, body: JSON.stringify(completionBody()) }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const later = (await (await fetch(`${app.url}/admin/requests?limit=5`)).json()) as any;
    expect(later.requests.find((r: any) => r.id === 'fault-logged-2')).toMatchObject({ route: CHAT, status: 200, fault: 'stream_abort', completion_tokens: 5, finish_reason: 'abort' });
    expect(later.requests.find((r: any) => r.id === 'fault-logged-3')).toMatchObject({ route: COMPLETIONS, status: null, fault: 'disconnect' });
  });
});
