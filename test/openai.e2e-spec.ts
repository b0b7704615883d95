import { connect } from 'node:net';
import OpenAI from 'openai';
import { Engine } from '../src/modules/engine/engine';
import { ServerLoad } from '../src/modules/lifecycle/server-load';
import { bootApp, post, readSse, TestApp } from './support/app';
import { pollUntil } from './support/child';

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';

describe('OpenAI-compatible HTTP API (openai SDK v6 against the real app)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await bootApp();
  });
  afterAll(async () => {
    await app.close();
  });

  describe('/v1/models', () => {
    it('lists the served model in vLLM shape', async () => {
      const res = await fetch(`${app.url}/v1/models`);
      const body = (await res.json()) as any;
      expect(body.object).toBe('list');
      expect(body.data).toHaveLength(1);
      expect(body.data[0]).toMatchObject({ id: MODEL, object: 'model', owned_by: 'vllm', root: MODEL, parent: null, max_model_len: 32768 });
      expect(typeof body.data[0].created).toBe('number');
      expect(body.data[0].permission[0].id).toMatch(/^modelperm-[0-9a-f]{32}$/);
      const listed = await app.openai.models.list();
      expect(listed.data.map((m) => m.id)).toEqual([MODEL]);
    });
  });

  describe('/v1/completions', () => {
    it('answers with vLLM ids, shapes and exact usage', async () => {
      const res = await app.openai.completions.create({ model: MODEL, prompt: 'Write a python function that adds two numbers', max_tokens: 30 });
      expect(res.id).toMatch(/^cmpl-[0-9a-f]{32}$/);
      expect(res.object).toBe('text_completion');
      expect(res.model).toBe(MODEL);
      expect(res.choices).toHaveLength(1);
      expect(res.choices[0].text.length).toBeGreaterThan(0);
      expect(['stop', 'length']).toContain(res.choices[0].finish_reason);
      const tok = await post(`${app.url}/tokenize`, { prompt: 'Write a python function that adds two numbers' });
      expect(res.usage!.prompt_tokens).toBe(tok.json.count);
      expect(res.usage!.completion_tokens).toBeLessThanOrEqual(30);
      expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
    });

    it('defaults max_tokens to 16 and cuts with finish_reason length', async () => {
      const res = await app.openai.completions.create({ model: MODEL, prompt: 'Tell me a long story about a dragon', ignore_eos: true } as never);
      expect(res.usage!.completion_tokens).toBe(16);
      expect(res.choices[0].finish_reason).toBe('length');
    });

    it('generates exactly max_tokens with ignore_eos', async () => {
      for (const max of [1, 7, 300]) {
        const res = await app.openai.completions.create({ model: MODEL, prompt: 'hi', max_tokens: max, ignore_eos: true } as never);
        expect(res.usage!.completion_tokens).toBe(max);
      }
    });

    it('serves n choices and several prompts, indexed as vLLM does', async () => {
      const res = await app.openai.completions.create({ model: MODEL, prompt: ['one', 'two'], n: 2, max_tokens: 5 });
      expect(res.choices.map((c) => c.index).sort()).toEqual([0, 1, 2, 3]);
    });

    it('accepts token-id prompts', async () => {
      const res = await app.openai.completions.create({ model: MODEL, prompt: [1, 2, 3, 4, 5], max_tokens: 3 });
      expect(res.usage!.prompt_tokens).toBe(5);
    });

    it('echoes the prompt and returns logprobs', async () => {
      const res = await app.openai.completions.create({ model: MODEL, prompt: 'Hello there', max_tokens: 4, echo: true, logprobs: 2, ignore_eos: true } as never);
      expect(res.choices[0].text.startsWith('Hello there')).toBe(true);
      const lp = res.choices[0].logprobs!;
      expect(lp.tokens).toHaveLength(4);
      expect(lp.token_logprobs!.every((v) => v! <= 0)).toBe(true);
      expect(Object.keys(lp.top_logprobs![0]!).length).toBeGreaterThanOrEqual(1);
    });

    it('streams text_completion chunks, a usage chunk and [DONE]', async () => {
      const res = await fetch(`${app.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, prompt: 'hello', max_tokens: 5, ignore_eos: true, stream: true, stream_options: { include_usage: true } }),
      });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const events = await readSse(res);
      expect(events[events.length - 1]).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
      const usageChunk = chunks[chunks.length - 1];
      expect(usageChunk.choices).toEqual([]);
      expect(usageChunk.usage.completion_tokens).toBe(5);
      const textChunks = chunks.slice(0, -1);
      expect(textChunks).toHaveLength(5);
      for (const c of textChunks) expect(c).toMatchObject({ object: 'text_completion', model: MODEL });
      expect(textChunks[4].choices[0].finish_reason).toBe('length');
      expect(textChunks[0].choices[0].finish_reason).toBeNull();
    });
  });

  describe('/v1/chat/completions', () => {
    it('answers a chat with the vLLM message shape', async () => {
      const res = await app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hello! How are you?' }] });
      expect(res.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
      expect(res.object).toBe('chat.completion');
      expect(res.choices[0].message.role).toBe('assistant');
      expect(res.choices[0].message.content!.length).toBeGreaterThan(0);
      expect(res.choices[0].finish_reason).toBe('stop');
      const tok = await post(`${app.url}/tokenize`, { messages: [{ role: 'user', content: 'Hello! How are you?' }] });
      expect(res.usage!.prompt_tokens).toBe(tok.json.count);
    });

    it('honours max_completion_tokens over max_tokens', async () => {
      const res = await app.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'Write a long poem' }],
        max_completion_tokens: 3,
        max_tokens: 50,
      });
      expect(res.usage!.completion_tokens).toBe(3);
      expect(res.choices[0].finish_reason).toBe('length');
    });

    it('cuts at a stop string with finish_reason stop', async () => {
      const first = await app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Write a python function' }], seed: 1 });
      const text = first.choices[0].message.content!;
      const stop = text.slice(20, 24);
      const res = await app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Write a python function' }], seed: 1, stop: [stop] });
      expect(res.choices[0].finish_reason).toBe('stop');
      expect(res.choices[0].message.content).toBe(text.slice(0, text.indexOf(stop)));
    });

    it('is reproducible with a seed', async () => {
      const ask = () => app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Tell me a joke' }], seed: 7 });
      const [a, b] = await Promise.all([ask(), ask()]);
      expect(a.choices[0].message.content).toBe(b.choices[0].message.content);
    });

    it('streams: role chunk with the first token, content chunks, finish, usage, [DONE]', async () => {
      const stream = await app.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'Say hello' }],
        stream: true,
        max_tokens: 6,
        stream_options: { include_usage: true },
      });
      const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      expect(chunks[0].object).toBe('chat.completion.chunk');
      const last = chunks[chunks.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage!.completion_tokens).toBeLessThanOrEqual(6);
      const content = chunks.slice(1, -1).map((c) => c.choices[0].delta.content).join('');
      expect(content.length).toBeGreaterThan(0);
      expect(chunks[chunks.length - 2].choices[0].finish_reason).not.toBeNull();
    });

    it("streams chunks with vLLM's fields, null where not asked for", async () => {
      const res = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 2, ignore_eos: true, stream: true }),
      });
      const [role, first, last] = (await readSse(res)).slice(0, -1).map((e) => JSON.parse(e));
      const base = { id: expect.stringMatching(/^chatcmpl-/), object: 'chat.completion.chunk', created: expect.any(Number), model: MODEL };
      expect(role).toEqual({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], prompt_token_ids: null });
      expect(first).toEqual({ ...base, choices: [{ index: 0, delta: { content: expect.any(String) }, logprobs: null, finish_reason: null, token_ids: null }] });
      expect(last).toEqual({ ...base, choices: [{ index: 0, delta: { content: expect.any(String) }, logprobs: null, finish_reason: 'length', stop_reason: null, token_ids: null }] });
    });

    it('sends usage on every chunk with continuous_usage_stats', async () => {
      const res = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, ignore_eos: true, stream: true, stream_options: { include_usage: true, continuous_usage_stats: true } }),
      });
      const events = await readSse(res);
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
      for (const c of chunks) expect(c.usage).toBeDefined();
      expect(chunks.map((c) => c.usage.completion_tokens)).toEqual([1, 1, 2, 3, 3]);
    });

    it('gives n streamed choices their own role chunk', async () => {
      const res = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2, n: 3, stream: true }),
      });
      const chunks = (await readSse(res)).slice(0, -1).map((e) => JSON.parse(e));
      const roles = chunks.filter((c) => c.choices[0].delta.role === 'assistant').map((c) => c.choices[0].index);
      expect(roles.sort()).toEqual([0, 1, 2]);
    });

    it('returns chat logprobs', async () => {
      const res = await app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, logprobs: true, top_logprobs: 3 });
      const content = res.choices[0].logprobs!.content!;
      expect(content.length).toBe(res.usage!.completion_tokens);
      expect(content[0].top_logprobs).toHaveLength(3);
      expect(content[0].logprob).toBeLessThanOrEqual(0);
    });
  });

  describe('errors in vLLM shape', () => {
    it('404s an unknown model with vLLM message, as NotFoundError in the SDK', async () => {
      await expect(app.openai.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      const res = await post(`${app.url}/v1/completions`, { model: 'nope', prompt: 'x' });
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ error: { message: 'The model `nope` does not exist.', type: 'NotFoundError', param: 'model', code: 404 } });
    });

    it('400s a prompt longer than the context window', async () => {
      const res = await post(`${app.url}/v1/completions`, { model: MODEL, prompt: 'word '.repeat(40000) });
      expect(res.status).toBe(400);
      expect(res.json.error.type).toBe('BadRequestError');
      expect(res.json.error.message).toMatch(/^This model's maximum context length is 32768 tokens\. However, your request has \d+ input tokens\. Please reduce the length of the input messages\.$/);
    });

    it('400s max_tokens beyond the context window', async () => {
      const res = await post(`${app.url}/v1/chat/completions`, { model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 40000 });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toMatch(/^'max_tokens' or 'max_completion_tokens' is too large: 40000\. This model's maximum context length is 32768 tokens and your request has \d+ input tokens \(40000 > 32768 - \d+\)\.$/);
    });

    it.each([
      ['malformed JSON', '{"model": ', 'application/json'],
      ['wrong content type', 'prompt=hi', 'application/x-www-form-urlencoded'],
      ['a JSON array', '[1,2]', 'application/json'],
      ['null', 'null', 'application/json'],
    ])('400s %s', async (_name, body, type) => {
      const res = await post(`${app.url}/v1/completions`, body, { 'content-type': type });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ type: 'BadRequestError', code: 400 });
    });

    it.each([
      [{ model: MODEL }, 'prompt'],
      [{ model: MODEL, prompt: 'x', n: 0 }, 'n'],
      [{ model: MODEL, prompt: 'x', max_tokens: 0 }, 'max_tokens'],
      [{ model: MODEL, prompt: 'x', max_tokens: 'ten' }, 'max_tokens'],
      [{ model: MODEL, prompt: 'x', temperature: -1 }, 'temperature'],
      [{ model: MODEL, prompt: 'x', top_p: 2 }, 'top_p'],
      [{ model: MODEL, prompt: 'x', logprobs: 50 }, 'logprobs'],
      [{ model: MODEL, prompt: 'x', stream_options: { include_usage: true } }, 'stream_options'],
      [{ model: MODEL, prompt: 12 }, 'prompt'],
    ])('400s a bad completions field (%j)', async (body, field) => {
      const res = await post(`${app.url}/v1/completions`, body);
      expect(res.status).toBe(400);
      expect(res.json.error.param).toBe(field);
      expect(res.json.error.message.toLowerCase()).toContain(field.replace('_', ' ').split(' ')[0]);
    });

    it('400s a chat without messages, naming the field', async () => {
      const res = await post(`${app.url}/v1/chat/completions`, { model: MODEL });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toContain('messages');
      await expect(app.openai.chat.completions.create({ model: MODEL, messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    });

    it('ignores unknown extra fields, as vLLM does', async () => {
      const res = await post(`${app.url}/v1/completions`, { model: MODEL, prompt: 'x', max_tokens: 2, some_future_field: { a: 1 } });
      expect(res.status).toBe(200);
    });

    it('answers unknown routes with the error shape', async () => {
      const res = await fetch(`${app.url}/v1/nothing`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.code).toBe(404);
    });
  });

  describe('vLLM extras', () => {
    it('tokenizes and detokenizes with the served tokenizer', async () => {
      const tok = await post(`${app.url}/tokenize`, { prompt: 'Hello world', return_token_strs: true });
      expect(tok.status).toBe(200);
      expect(tok.json.max_model_len).toBe(32768);
      expect(tok.json.count).toBe(tok.json.tokens.length);
      expect(tok.json.token_strs).toHaveLength(tok.json.count);
      const plain = await post(`${app.url}/tokenize`, { prompt: 'Hello world', add_special_tokens: false });
      const detok = await post(`${app.url}/detokenize`, { tokens: plain.json.tokens });
      expect(detok.json).toEqual({ prompt: 'Hello world' });
    });

    it('echoes X-Request-Id and uses it in the completion id', async () => {
      const res = await post(`${app.url}/v1/completions`, { model: MODEL, prompt: 'x', max_tokens: 1 }, { 'x-request-id': 'abc123' });
      expect(res.headers.get('x-request-id')).toBe('abc123');
      expect(res.json.id).toBe('cmpl-abc123');
    });

    it('serves /health, /ping, /version, /load and the Kubernetes probes', async () => {
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      expect(await (await fetch(`${app.url}/health`)).text()).toBe('');
      expect((await fetch(`${app.url}/ping`)).status).toBe(200);
      expect((await fetch(`${app.url}/ping`, { method: 'POST' })).status).toBe(200);
      expect(await (await fetch(`${app.url}/version`)).json()).toEqual({ version: expect.any(String) });
      expect(await (await fetch(`${app.url}/load`)).json()).toEqual({ server_load: 0 });
      const live = await fetch(`${app.url}/health/live`);
      expect(live.status).toBe(200);
      const ready = await fetch(`${app.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as any).status).toBe("ok");
    });
  });
});

describe('--api-key', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ api_key: 'sekret' });
  });
  afterAll(() => app.close());

  it('requires the bearer key on /v1 and not on /health', async () => {
    const denied = await post(`${app.url}/v1/completions`, { model: MODEL, prompt: 'x' });
    expect(denied.status).toBe(401);
    expect(denied.json.error.type).toBe('AuthenticationError');
    const ok = await app.openai.completions.create({ model: MODEL, prompt: 'x', max_tokens: 1 });
    expect(ok.choices).toHaveLength(1);
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    const wrong = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe('usage.prompt_tokens_details, as vLLM reports it', () => {
  // Long enough for several full KV blocks, so a repeat is served from the prefix cache.
  const prompt = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
  const completion = (url: string, extra: object = {}) =>
    fetch(`${url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, prompt, max_tokens: 2, ignore_eos: true, ...extra }),
    });
  const streamedUsage = async (res: Response) => {
    const chunks = (await readSse(res)).slice(0, -1).map((e) => JSON.parse(e));
    return chunks[chunks.length - 1].usage;
  };

  it('is null by default, even for a prompt served from the prefix cache, and absent from streamed usage', async () => {
    const app = await bootApp();
    try {
      await completion(app.url);
      const body = (await (await completion(app.url)).json()) as { usage: Record<string, unknown> };
      expect(body.usage.prompt_tokens_details).toBeNull();
      const usage = await streamedUsage(await completion(app.url, { stream: true, stream_options: { include_usage: true } }));
      expect(usage).toEqual({ prompt_tokens: expect.any(Number), total_tokens: expect.any(Number), completion_tokens: 2 });
    } finally {
      await app.close();
    }
  });

  it('with --enable-prompt-tokens-details: the cached tokens once some are, in bodies and streamed usage', async () => {
    const app = await bootApp({ enable_prompt_tokens_details: true });
    try {
      const first = (await (await completion(app.url)).json()) as { usage: { prompt_tokens: number; prompt_tokens_details: unknown } };
      expect(first.usage.prompt_tokens_details).toBeNull();
      const again = (await (await completion(app.url)).json()) as { usage: { prompt_tokens_details: { cached_tokens: number } } };
      const cached = again.usage.prompt_tokens_details.cached_tokens;
      // Whole blocks of 16, short of the whole prompt (its last token is always computed).
      expect(cached % 16).toBe(0);
      expect(cached).toBeGreaterThan(0);
      expect(cached).toBeLessThan(first.usage.prompt_tokens);
      const usage = await streamedUsage(await completion(app.url, { stream: true, stream_options: { include_usage: true } }));
      expect(usage.prompt_tokens_details).toEqual({ cached_tokens: cached });
      const chat = (await (await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: prompt }], max_tokens: 2, stream: true, stream_options: { include_usage: true, continuous_usage_stats: true } }),
      })).text()).split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)));
      // Chat's per-chunk usage has no details field (vLLM dumps chat chunks with exclude_unset).
      for (const c of chat.slice(0, -1)) expect(Object.keys(c.usage).sort()).toEqual(['completion_tokens', 'prompt_tokens', 'total_tokens']);
    } finally {
      await app.close();
    }
  });
});

describe('a client that leaves', () => {
  let app: TestApp;
  beforeAll(async () => {
    // Real step times: 200 tokens take over 10 s, so whatever ends sooner was aborted.
    app = await bootApp({ latency_scale: 1 });
  });
  afterAll(() => app.close());

  const load = async (): Promise<number> => ((await (await fetch(`${app.url}/load`)).json()) as { server_load: number }).server_load;

  it('with pipelined requests on its connection: every one leaves /load and the engine, also those still waiting their turn', async () => {
    const request = (stream: boolean): string => {
      const body = JSON.stringify({ model: MODEL, prompt: 'Tell me a story', max_tokens: 200, ignore_eos: true, stream });
      return `POST /v1/completions HTTP/1.1\r\nhost: sim\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    const socket = connect(Number(new URL(app.url).port), '127.0.0.1');
    await new Promise((ok) => socket.once('connect', ok));
    // Node answers pipelined requests in order: the second and third responses wait behind the first.
    socket.write(request(false) + request(true) + request(false));
    await pollUntil('three requests in flight', async () => ((await load()) === 3 ? true : undefined), 10_000);
    socket.destroy();
    await pollUntil('nothing left in flight', async () => ((await load()) === 0 && app.server.app.get(Engine).inFlight === 0 ? true : undefined), 5_000);
  });
});

describe('a drain while a prompt is still being encoded', () => {
  it('counts the request from the moment it is let in, and refuses it if the server stops first', async () => {
    const app = await bootApp();
    const load = app.server.app.get(ServerLoad);
    const engine = app.server.app.get(Engine);
    // ~30k tokens: encoded in slices, with the event loop turning between them.
    const prompt = Array.from({ length: 7000 }, (_, i) => `w${i % 977}`).join(' ');
    const answer = fetch(`${app.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, prompt, max_tokens: 2 }),
    });
    try {
      // Between two slices: in the server load, not yet in the engine.
      await pollUntil('the request counted before it reaches the engine', async () => (load.requests === 1 && engine.inFlight === 0 ? true : undefined), 10_000, 0);
      expect(await app.server.shutdown(0)).toBe(false);
      const res = await answer;
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe('The server is shutting down.');
    } finally {
      await app.close();
    }
  });
});
