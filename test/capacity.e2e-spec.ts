import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { validateSettings } from '../src/config/load-settings';
import { resolveProfile } from '../src/modules/benchmarks/resolve-profile';
import { GRPC_LOADER_OPTIONS, VLLM_ENGINE_PROTO } from '../src/modules/grpc/proto';
import { bootApp, post, TestApp } from './support/app';
import { cleanEnv, exitWithin, freePort, SimulatorProcess, spawnSimulator, waitForHttp } from './support/child';

// Two tests start the simulator as a process (exit code, start-up log).
jest.setTimeout(120_000);

/** 131072 tokens of context; one L4 holds the weights and a KV cache of about 40k tokens. */
const LLAMA = 'meta-llama/Llama-3.1-8B-Instruct';
const LLAMA_CONTEXT = 131072;

/** What the KV cache of a configuration holds, in tokens (whole blocks), as the profile resolves it. */
function kvTokensOf(overrides: Record<string, unknown>): number {
  return resolveProfile(validateSettings(overrides as never)).kvCapacity.tokens;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a model whose context is larger than the KV cache (Llama-3.1-8B on one L4)', () => {
  let app: TestApp;
  let kvTokens: number;

  beforeAll(async () => {
    kvTokens = kvTokensOf({ model: LLAMA, gpu_type: 'NVIDIA-L4' });
    app = await bootApp({ model: LLAMA, gpu_type: 'NVIDIA-L4' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('serves max_model_len capped at the KV cache capacity, in whole blocks', async () => {
    expect(kvTokens).toBeLessThan(LLAMA_CONTEXT);
    expect(kvTokens % 16).toBe(0);
    const models = (await (await fetch(`${app.url}/v1/models`)).json()) as { data: Array<{ max_model_len: number }> };
    expect(models.data[0].max_model_len).toBe(kvTokens);
    const tok = await post(`${app.url}/tokenize`, { prompt: 'hi' });
    expect(tok.json.max_model_len).toBe(kvTokens);
  });

  it('answers a max_tokens beyond the window with 400 in vLLM shape (was a 500)', async () => {
    const prompt = 'Tell me a story';
    const promptTokens = (await post(`${app.url}/tokenize`, { prompt })).json.count as number;
    const res = await post(`${app.url}/v1/completions`, { prompt, max_tokens: 50_000, ignore_eos: true });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.json).toEqual({
      error: {
        message: `'max_tokens' or 'max_completion_tokens' is too large: 50000. This model's maximum context length is ${kvTokens} tokens and your request has ${promptTokens} input tokens (50000 > ${kvTokens} - ${promptTokens}).`,
        type: 'BadRequestError',
        param: 'max_tokens',
        code: 400,
      },
    });
  });

  it('answers a streaming request beyond the window with 400 before any stream starts (openai SDK)', async () => {
    const call = app.openai.chat.completions.create({ model: LLAMA, messages: [{ role: 'user', content: 'hi' }], max_tokens: 50_000, stream: true });
    await expect(call).rejects.toMatchObject({ status: 400, error: { type: 'BadRequestError', code: 400 } });
  });

  it('answers a prompt longer than the window with 400 (was a 500)', async () => {
    const prompt = 'hello '.repeat(kvTokens + 100);
    const res = await post(`${app.url}/v1/completions`, { prompt, max_tokens: 1 });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ type: 'BadRequestError', code: 400 });
    expect(res.json.error.message).toMatch(new RegExp(`^This model's maximum context length is ${kvTokens} tokens\\. However, your request has \\d+ input tokens\\.`));
  });

  it('serves a request that fills the whole window', async () => {
    const prompt = 'Tell me a story';
    const promptTokens = (await post(`${app.url}/tokenize`, { prompt })).json.count as number;
    const res = await app.openai.completions.create({ model: LLAMA, prompt, max_tokens: kvTokens - promptTokens, ignore_eos: true } as never);
    expect(res.usage!.completion_tokens).toBe(kvTokens - promptTokens);
    expect(res.choices[0].finish_reason).toBe('length');
  });
});

describe('start-up against the KV cache', () => {
  const running: SimulatorProcess[] = [];
  afterEach(async () => {
    running.forEach((s) => s.kill('SIGKILL'));
    await Promise.all(running.splice(0).map((s) => s.exited));
  });

  it('refuses an explicit --max-model-len larger than the KV cache: vLLM message, exit 2', async () => {
    const kvTokens = kvTokensOf({ model: LLAMA, gpu_type: 'NVIDIA-L4' });
    const sim = spawnSimulator(['serve', LLAMA, '--gpu-type', 'NVIDIA-L4', '--max-model-len', String(LLAMA_CONTEXT), '--port', String(await freePort()), '--no-grpc'], cleanEnv());
    running.push(sim);
    const { code } = await exitWithin(sim, 60_000);
    expect(code).toBe(2);
    expect(sim.stderr()).toContain(
      `The model's max seq len (${LLAMA_CONTEXT}) is larger than the maximum number of tokens that can be stored in KV cache (${kvTokens}). ` +
        'Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.',
    );
  });

  it('caps the default max_model_len with one warning saying what and why', async () => {
    const kvTokens = kvTokensOf({ model: LLAMA, gpu_type: 'NVIDIA-L4' });
    const port = await freePort();
    const sim = spawnSimulator(['serve', LLAMA, '--gpu-type', 'NVIDIA-L4', '--port', String(port), '--no-grpc', '--host', '127.0.0.1'], cleanEnv());
    running.push(sim);
    await waitForHttp(sim, `http://127.0.0.1:${port}/health`);
    const models = (await (await fetch(`http://127.0.0.1:${port}/v1/models`)).json()) as { data: Array<{ max_model_len: number }> };
    expect(models.data[0].max_model_len).toBe(kvTokens);
    const warnings = sim.output().match(/max_model_len capped at \d+ tokens[^\n]*/g) ?? [];
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`max_model_len capped at ${kvTokens} tokens (the model's context length is ${LLAMA_CONTEXT})`);
    expect(warnings[0]).toContain('NVIDIA-L4');
  });
});

type Client = grpc.Client & Record<string, any>;

/** Reads an SSE response event by event (raw `data:` payloads), calling `onEvent` as each arrives. */
async function readEvents(res: Response, onEvent: (data: string, index: number) => void = () => undefined): Promise<string[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: string[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!event.startsWith('data: ') || event.includes('\n')) throw new Error(`Not a single data line: ${JSON.stringify(event)}`);
      events.push(event.slice(6));
      onEvent(event.slice(6), events.length - 1);
    }
  }
  expect(buffer).toBe('');
  return events;
}

function streamRequest(app: TestApp, route: string, requestId: string, body: object): Promise<Response> {
  return fetch(`${app.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ model: app.settings.model, stream: true, stream_options: { include_usage: true }, ...body }),
  });
}

/** Parsed chunks with choices (usage-only chunk and [DONE] left out). */
const choiceChunks = (events: string[]) =>
  events
    .filter((e) => e !== '[DONE]')
    .map((e) => JSON.parse(e))
    .filter((c) => c.choices?.length);

describe('a stream the server aborts ends with finish_reason "abort", as vLLM does', () => {
  let app: TestApp;
  let engine: Client;
  const abort = (ids: string[]) =>
    new Promise((resolve, reject) => engine.Abort({ request_ids: ids }, new grpc.Metadata(), (err: grpc.ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res))));

  beforeAll(async () => {
    app = await bootApp({ grpc_port: 0, latency_scale: 1, itl_ms: 20, ttft_ms: 20, max_num_seqs: 1 });
    const def = grpc.loadPackageDefinition(protoLoader.loadSync(VLLM_ENGINE_PROTO, GRPC_LOADER_OPTIONS)) as any;
    engine = new def.vllm.grpc.engine.VllmEngine(`127.0.0.1:${app.grpcPort}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    engine?.close();
    await app?.close();
  });

  it('chat: gRPC Abort mid-stream sends a closing chunk with finish_reason "abort", usage, then [DONE]', async () => {
    const res = await streamRequest(app, '/v1/chat/completions', 'sse-abort-chat', { messages: [{ role: 'user', content: 'hello' }], max_tokens: 500, ignore_eos: true });
    expect(res.status).toBe(200);
    const events = await readEvents(res, (_e, i) => {
      if (i === 3) void abort(['sse-abort-chat']);
    });
    expect(events[events.length - 1]).toBe('[DONE]');
    const chunks = choiceChunks(events);
    const usage = JSON.parse(events[events.length - 2]);
    expect(usage.choices).toEqual([]);
    expect(usage.usage.completion_tokens).toBeGreaterThanOrEqual(3);
    expect(usage.usage.completion_tokens).toBeLessThan(500);
    // One role chunk (the first), one finish reason (the last), nothing after it but usage and [DONE].
    expect(chunks.filter((c) => c.choices[0].delta.role === 'assistant')).toHaveLength(1);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const finished = chunks.filter((c) => c.choices[0].finish_reason !== null);
    expect(finished).toHaveLength(1);
    const last = chunks[chunks.length - 1];
    expect(last.choices[0]).toMatchObject({ index: 0, delta: { content: '' }, finish_reason: 'abort' });
    expect(last.object).toBe('chat.completion.chunk');
  });

  it('completions: the closing chunk has empty text and finish_reason "abort"', async () => {
    const res = await streamRequest(app, '/v1/completions', 'sse-abort-cmpl', { prompt: 'hello', max_tokens: 500, ignore_eos: true });
    const events = await readEvents(res, (_e, i) => {
      if (i === 2) void abort(['sse-abort-cmpl']);
    });
    expect(events[events.length - 1]).toBe('[DONE]');
    const chunks = choiceChunks(events);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null)).toBe(true);
    expect(chunks[chunks.length - 1].choices[0]).toMatchObject({ index: 0, text: '', finish_reason: 'abort' });
  });

  it('the closing chunk of an aborted stream has stop_reason null, though its reply would have ended at a stop token', async () => {
    const body = { prompt: 'hello', max_tokens: 60, seed: 7, ignore_eos: true };
    const full = await post(`${app.url}/v1/completions`, { ...body, return_token_ids: true });
    const ids: number[] = full.json.choices[0].token_ids;
    const k = ids.findIndex((id, i) => i >= 20 && ids.indexOf(id) === i);
    expect(k).toBeGreaterThanOrEqual(20);
    const res = await streamRequest(app, '/v1/completions', 'sse-abort-stop', { ...body, stop_token_ids: [ids[k]] });
    const events = await readEvents(res, (_e, i) => {
      if (i === 2) void abort(['sse-abort-stop']);
    });
    const chunks = choiceChunks(events);
    expect(chunks[chunks.length - 1].choices[0]).toMatchObject({ finish_reason: 'abort', stop_reason: null });
  });

  it('a queued request aborted before its first token gets the role chunk only, as vLLM skips an output without tokens', async () => {
    // max_num_seqs 1: the second request waits behind the first.
    const first = await streamRequest(app, '/v1/chat/completions', 'sse-running', { messages: [{ role: 'user', content: 'a' }], max_tokens: 500, ignore_eos: true });
    const firstEvents = readEvents(first);
    const queued = await streamRequest(app, '/v1/chat/completions', 'sse-queued', { messages: [{ role: 'user', content: 'b' }], max_tokens: 5 });
    expect(queued.status).toBe(200);
    await sleep(100);
    await abort(['sse-queued']);
    const events = await readEvents(queued);
    await abort(['sse-running']);
    await firstEvents;
    expect(events[events.length - 1]).toBe('[DONE]');
    const chunks = choiceChunks(events);
    expect(chunks.map((c) => c.choices[0])).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    expect(JSON.parse(events[events.length - 2]).usage).toMatchObject({ completion_tokens: 0 });
  });

  it('non-streaming: an aborted request answers 200 with what was generated and finish_reason "abort"', async () => {
    const res = fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'json-abort' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 500, ignore_eos: true }),
    });
    await sleep(200);
    await abort(['json-abort']);
    const answer = await res;
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as any;
    expect(body.choices[0].finish_reason).toBe('abort');
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBeLessThan(500);
    expect(body.choices[0].message.content.length).toBeGreaterThan(0);
  });
});

describe('shutdown past the grace period', () => {
  it('ends a running stream with finish_reason "abort" and [DONE]', async () => {
    const app = await bootApp({ latency_scale: 1, itl_ms: 20, ttft_ms: 20 });
    let closing: Promise<void> | undefined;
    try {
      const res = await streamRequest(app, '/v1/completions', 'sse-shutdown', { prompt: 'hello', max_tokens: 500, ignore_eos: true });
      const events = await readEvents(res, (_e, i) => {
        if (i === 2) closing = app.close(); // grace 0: engine.abortAll()
      });
      expect(events[events.length - 1]).toBe('[DONE]');
      const chunks = choiceChunks(events);
      expect(chunks[chunks.length - 1].choices[0]).toMatchObject({ text: '', finish_reason: 'abort' });
    } finally {
      await (closing ?? app.close());
    }
  });
});
