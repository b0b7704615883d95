import * as grpc from '@grpc/grpc-js';
import { Socket } from 'node:net';
import { Engine } from '../src/modules/engine/engine';
import { bootApp, post, TestApp } from './support/app';
import { clientsFor, generate, unary } from './support/grpc';
import { openSocket, parseResponse, rawExchange, readUntilClosed } from './support/raw-http';

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';
const chat = (extra: object = {}) => ({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, ...extra });

/** vLLM's error body, with the status it was sent with. */
function expectVllmError(status: number, body: unknown, code = status): void {
  expect(body).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: (body as { error?: { param?: unknown } }).error?.param ?? null, code } });
  const param = (body as { error: { param: unknown } }).error.param;
  expect(param === null || typeof param === 'string').toBe(true);
  expect(status).toBe(code);
}

/** The request as bytes, closing the connection after its answer. */
const http = (method: string, path: string, body = '', headers: Record<string, string> = {}): string =>
  [`${method} ${path} HTTP/1.1`, 'Host: localhost', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ...(body ? [`Content-Length: ${Buffer.byteLength(body)}`] : []), '', body].join('\r\n');


describe('work one request may cause is bounded (regressions of the hardening issue)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ grpc_port: 0 });
  });
  afterAll(() => app.close());

  it.each([
    ['n: 1000000', '/v1/chat/completions', chat({ n: 1_000_000 }), /^n must be at most 128, got 1000000\./, 'n'],
    ['n: 100000 on completions', '/v1/completions', { model: MODEL, prompt: 'hi', n: 100_000 }, /^n must be at most 128/, 'n'],
    ['100,000 prompts', '/v1/completions', { model: MODEL, prompt: Array(100_000).fill('hi'), max_tokens: 1 }, /100000 prompts × n=1 = 100000 sequences; at most 1024/, 'prompt'],
    ['prompts × n over the limit', '/v1/completions', { model: MODEL, prompt: Array(100).fill('hi'), n: 20, max_tokens: 1 }, /100 prompts × n=20 = 2000 sequences/, 'n'],
    ['10,000 tools', '/v1/chat/completions', chat({ tools: Array.from({ length: 10_000 }, (_, i) => ({ type: 'function', function: { name: `f${i}` } })) }), /^tools: at most 128 items are accepted, got 10000/, 'tools'],
    ['20,000 messages', '/v1/chat/completions', chat({ messages: Array(20_000).fill({ role: 'user', content: 'a' }) }), /^messages: at most 2048 items/, 'messages'],
    ['10,000 stop strings', '/v1/chat/completions', chat({ stop: Array.from({ length: 10_000 }, (_, i) => `s${i}`) }), /^stop: at most 64 stop strings/, 'stop'],
    ['a 100 kB stop string', '/v1/completions', { model: MODEL, prompt: 'hi', stop: ['x'.repeat(100_000)] }, /a stop string may have at most 1024 characters/, 'stop'],
    ['5,000 stop token ids', '/v1/completions', { model: MODEL, prompt: 'hi', stop_token_ids: Array(5000).fill(3) }, /^stop_token_ids: at most 1024/, 'stop_token_ids'],
    ['top_logprobs 21', '/v1/chat/completions', chat({ logprobs: true, top_logprobs: 21 }), /greater than max allowed: 20/, 'top_logprobs'],
    ['logprobs 1000', '/v1/completions', { model: MODEL, prompt: 'hi', logprobs: 1000 }, /greater than max allowed: 20/, 'logprobs'],
    ['detokenize of a million ids', '/detokenize', { model: MODEL, tokens: Array(1_000_000).fill(1000) }, /maximum context length is 32768 tokens. However, your request has 1000000 tokens/, 'tokens'],
  ])('refuses %s with a 400 naming the field', async (_name, route, body, message, param) => {
    const res = await post(`${app.url}${route}`, body);
    expectVllmError(res.status, res.json, 400);
    expect(res.json.error.message).toMatch(message);
    expect(res.json.error.param).toBe(param);
  });

  it('refuses n above the limit through gRPC as INVALID_ARGUMENT', async () => {
    const c = clientsFor(app.grpcPort!);
    try {
      const err = await generate(c.engine, { text: 'hi', sampling_params: { n: 1_000_000, max_tokens: 2 }, stream: false }).catch((e: grpc.ServiceError) => e);
      expect(err).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/^n must be at most 128/) });
    } finally {
      c.engine.close();
    }
  });

  it('still serves the largest allowed n and a long prompt list in full', async () => {
    const many = await app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], n: 128, max_tokens: 3 });
    expect(many.choices).toHaveLength(128);
    const prompts = await app.openai.completions.create({ model: MODEL, prompt: Array(1024).fill('hello'), max_tokens: 2 });
    expect(prompts.choices).toHaveLength(1024);
  });

  it('answers a body nested 3,000 levels deep with a 400 on every JSON route, admin included', async () => {
    const deep = '['.repeat(3000) + ']'.repeat(3000);
    for (const route of ['/v1/chat/completions', '/v1/completions', '/tokenize', '/detokenize', '/admin/faults', '/admin/patterns']) {
      const res = await post(`${app.url}${route}`, `{"model":"${MODEL}","x":${deep}}`);
      expectVllmError(res.status, res.json, 400);
      expect(res.json.error.message).toMatch(/nested more than 64 levels/);
    }
  });

  it('answers a body over the size limit with 413 in vLLM shape', async () => {
    const res = await post(`${app.url}/detokenize`, { model: MODEL, tokens: Array(3_000_000).fill(12345) });
    expectVllmError(res.status, res.json, 413);
  });

  it('answers /health while a list of 1,024 prompts is planned and served', async () => {
    const work = app.openai.completions.create({ model: MODEL, prompt: Array(1024).fill('hello there'), max_tokens: 8 });
    const probes: number[] = [];
    for (let i = 0; i < 5; i++) probes.push((await fetch(`${app.url}/health`)).status);
    expect((await work).choices).toHaveLength(1024);
    expect(probes).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('--api-key cannot be walked around', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ api_key: 'sekret', grpc_port: 0 });
  });
  afterAll(() => app.close());

  it.each(['/%76%31/chat/completions', '/v%31/chat/completions', '/v1/chat/%63ompletions'])('guards the route the router matched (%s)', async (path) => {
    const res = await post(`${app.url}${path}`, chat());
    expectVllmError(res.status, res.json, 401);
  });

  it.each(['/%76%31/models', '/v%31/models'])('guards GET %s', async (path) => {
    const res = await fetch(`${app.url}${path}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('AuthenticationError');
  });

  it('serves the key holder, and leaves /health and /metrics open as vLLM does', async () => {
    const ok = await fetch(`${app.url}/%76%31/models`, { headers: { authorization: 'Bearer sekret' } });
    expect(ok.status).toBe(200);
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    expect((await fetch(`${app.url}/metrics`)).status).toBe(200);
  });

  it('guards gRPC calls by their authorization metadata, leaving HealthCheck and grpc.health.v1 open', async () => {
    const c = clientsFor(app.grpcPort!);
    try {
      const noKey = await generate(c.engine, { text: 'hi', sampling_params: { max_tokens: 2 }, stream: false }).catch((e: grpc.ServiceError) => e);
      expect(noKey).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: 'Invalid or missing API key.' });
      const wrong = new grpc.Metadata();
      wrong.set('authorization', 'Bearer nope');
      await expect(unary(c.engine, 'GetModelInfo', {}, wrong)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      const right = new grpc.Metadata();
      right.set('authorization', 'Bearer sekret');
      const msgs = await generate(c.engine, { text: 'hi', sampling_params: { max_tokens: 2, ignore_eos: true }, stream: false }, right);
      expect(msgs[0].complete.completion_tokens).toBe(2);
      expect(await unary(c.engine, 'HealthCheck')).toMatchObject({ healthy: true });
      expect(await unary(c.health, 'Check', { service: '' })).toMatchObject({ status: 'SERVING' });
    } finally {
      Object.values(c).forEach((client) => client.close());
    }
  });
});

describe('connections, headers and error shapes', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ timeout_keep_alive: 0.5, headers_timeout: 1, request_timeout: 2 });
  });
  afterAll(() => app.close());

  it.each([
    ['non-ASCII', 'héllo-wörld'],
    ['control characters', 'a\tb'],
    ['16 kB', 'x'.repeat(8_000)],
  ])('answers whatever a client puts in X-Request-Id (%s), echoing only what a header can carry', async (_name, value) => {
    const res = await rawExchange(app.server.port, http('POST', '/v1/chat/completions', JSON.stringify(chat()), { 'Content-Type': 'application/json', 'X-Request-Id': value }));
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('echoes a valid X-Request-Id', async () => {
    const res = await fetch(`${app.url}/v1/models`, { headers: { 'x-request-id': 'my-trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('my-trace-123');
  });

  it('answers headers too large for the server with 431 in vLLM shape', async () => {
    const res = await rawExchange(app.server.port, http('GET', '/v1/models', '', { 'X-Request-Id': 'x'.repeat(1_000_000) }));
    expectVllmError(res.status, JSON.parse(res.body), 431);
  });

  it.each([
    ['broken framing', 'GARBAGE NOT HTTP\r\n\r\n', 400],
    ['a bad percent-encoding', http('GET', '/v1/%E0%A4%A'), 400],
    ['an over-long path parameter', http('DELETE', `/admin/patterns/${'p'.repeat(500)}`), 414],
    ['an unknown route', http('GET', '/v1/nope'), 404],
    ['a form body', http('POST', '/v1/completions', 'prompt=hi', { 'Content-Type': 'application/x-www-form-urlencoded' }), 400],
  ])('answers %s in vLLM error shape', async (_name, bytes, status) => {
    const res = await rawExchange(app.server.port, bytes);
    expectVllmError(res.status, JSON.parse(res.body), status);
  });

  it('accepts DELETE /admin/faults with a JSON content type and no body, and clears the faults', async () => {
    await post(`${app.url}/admin/faults`, { type: 'rate_limit' });
    const res = await fetch(`${app.url}/admin/faults`, { method: 'DELETE', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(await (await fetch(`${app.url}/admin/faults`)).json()).toMatchObject({ faults: [] });
  });

  it('closes an idle keep-alive connection after timeout_keep_alive', async () => {
    const socket = await openSocket(app.server.port);
    const closed = readUntilClosed(socket);
    socket.write(['GET /health HTTP/1.1', 'Host: localhost', '', ''].join('\r\n'));
    const raw = await closed;
    expect(parseResponse(raw).status).toBe(200);
  });

  it('answers 408 to a client that never finishes its headers', async () => {
    const socket = await openSocket(app.server.port);
    const closed = readUntilClosed(socket);
    socket.write('POST /v1/completions HTTP/1.1\r\nHost: localhost\r\n');
    const res = parseResponse(await closed);
    expectVllmError(res.status, JSON.parse(res.body), 408);
  });

  it('answers 408 to a client that never finishes its body', async () => {
    const socket = await openSocket(app.server.port);
    const closed = readUntilClosed(socket);
    socket.write('POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":');
    const res = parseResponse(await closed);
    expectVllmError(res.status, JSON.parse(res.body), 408);
  });
});

describe('a client that does not read its stream', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ stream_buffer_kb: 32 });
  });
  afterAll(() => app.close());

  it('costs a bounded buffer while the engine finishes, then gets every token, merged, and [DONE]', async () => {
    const serverSockets: Socket[] = [];
    app.server.app.getHttpServer().on('connection', (s: Socket) => serverSockets.push(s));
    const socket = await openSocket(app.server.port);
    socket.pause();
    const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20_000, ignore_eos: true, stream: true });
    socket.write(http('POST', '/v1/chat/completions', body, { 'Content-Type': 'application/json' }));
    const engine = app.server.app.get(Engine);
    // The engine runs the request to its end whatever the reader does, as vLLM's engine does.
    await new Promise<void>((resolve) => {
      const off = engine.events.on('finished', () => {
        off();
        resolve();
      });
    });
    const buffered = serverSockets.reduce((n, s) => n + s.writableLength, 0);
    // The bound, plus at most one step's chunk that was already rendered when it was crossed.
    expect(buffered).toBeLessThan(32 * 1024 + 4096);
    const text = readUntilClosed(socket);
    socket.resume();
    const res = parseResponse(await text);
    const events = res.body.split('\n\n').filter(Boolean);
    expect(events[events.length - 1]).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)));
    const tokens = chunks.filter((c) => c.choices[0]?.delta?.content !== undefined && c.choices[0].delta.role === undefined);
    // Merged: far fewer chunks than tokens, yet the whole reply, ending with its finish reason.
    expect(tokens.length).toBeLessThan(20_000);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('length');
    // The same request read at once gives the same seeded reply.
    const whole = await post(`${app.url}/v1/chat/completions`, { ...JSON.parse(body), stream: false });
    expect(tokens.map((c) => c.choices[0].delta.content).join('')).toBe(whole.json.choices[0].message.content);
  });
});
