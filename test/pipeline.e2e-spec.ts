import * as grpc from '@grpc/grpc-js';
import { Body, Controller, HttpCode, Inject, Module, Post, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { InferenceRoute } from '../src/modules/api/route-kind';
import { HttpResponder, Renderer } from '../src/modules/http/http-responder';
import { SseWriter } from '../src/modules/http/sse';
import { HttpModule } from '../src/modules/http/http.module';
import { LifecycleService } from '../src/modules/lifecycle/lifecycle.service';
import { ModelsModule } from '../src/modules/models/models.module';
import { ServedModel } from '../src/modules/models/served-model';
import { TokenizerModule } from '../src/modules/tokenizer/tokenizer.module';
import { TOKENIZER, Tokenizer } from '../src/modules/tokenizer/tokenizer.types';
import { bootApp, post, readSse, TestApp } from './support/app';
import { pollUntil } from './support/child';
import { clientsFor } from './support/grpc';

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';

/** The smallest renderer a new route could bring: the text of each choice. */
const textRenderer: Renderer = {
  tokenChunks: (choice, event) => [{ text: choice.plan.pieces.slice(event.generated - event.tokenIds.length, event.generated).join('') }],
  finishChunks: (_choice, outcome) => [{ finish_reason: outcome.finishReason }],
  usageChunk: (usage) => ({ usage }),
  body: (choices, usage) => ({ texts: choices.map((c) => c.plan.pieces.slice(0, c.generated).join('')), usage }),
};

/** A route family a test adds: it declares itself an inference route, and that is all it does. */
@Controller('v1/echo-test')
class EchoTestController {
  constructor(
    private readonly responder: HttpResponder,
    private readonly served: ServedModel,
    @Inject(TOKENIZER) private readonly tokenizer: Tokenizer,
  ) {}

  @Post()
  @HttpCode(200)
  @InferenceRoute()
  create(@Body() body: { prompt?: string; stream?: boolean; max_tokens?: number }, @Res({ passthrough: true }) reply: FastifyReply): Promise<object | string | void> {
    const prompt = body.prompt ?? 'hello';
    const maxTokens = body.max_tokens ?? 8;
    return this.responder.respond(reply, {
      work: {
        model: this.served.name,
        n: 1,
        maxTokensParam: maxTokens,
        prompts: [
          {
            tokenIds: this.tokenizer.encodePrompt(prompt),
            reply: (choiceIndex) => ({ kind: 'completion', prompt, choiceIndex, maxTokens, minTokens: 0, ignoreEos: true, stop: [] }),
          },
        ],
      },
      renderer: textRenderer,
      stream: body.stream === true,
      includeUsage: false,
      continuousUsage: false,
    });
  }
}

@Module({ imports: [HttpModule, ModelsModule, TokenizerModule], controllers: [EchoTestController] })
class EchoTestModule {}

describe('a route declared as an inference route gets the whole pipeline with no edit elsewhere', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ latency_scale: 1, itl_ms: 20, ttft_ms: 5 }, { modules: [EchoTestModule] });
  });
  afterAll(() => app.close());

  const load = async (): Promise<number> => ((await (await fetch(`${app.url}/load`)).json()) as { server_load: number }).server_load;

  it('is served, counts in /load while it runs, and shows in the request log and HTTP metrics', async () => {
    const running = post(`${app.url}/v1/echo-test`, { max_tokens: 40 }, { 'x-request-id': 'echo-1' });
    await pollUntil('the request to count in /load', async () => ((await load()) === 1 ? true : undefined), 5_000, 5);
    const res = await running;
    expect(res.status).toBe(200);
    expect(res.json.usage).toMatchObject({ completion_tokens: 40 });
    expect(await load()).toBe(0);
    const log = (await (await fetch(`${app.url}/admin/requests?limit=5`)).json()) as { requests: Array<Record<string, unknown>> };
    expect(log.requests.find((r) => r.id === 'echo-1')).toMatchObject({ route: '/v1/echo-test', status: 200, completion_tokens: 40, finish_reason: 'length' });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{method="POST",status="2xx",handler="\/v1\/echo-test"\} 1/);
    expect(metrics).toMatch(/vllm:generation_tokens_total\{[^}]*\} 40/);
  });

  it('takes injected faults: a header, and a rule scoped to its route', async () => {
    const limited = await post(`${app.url}/v1/echo-test`, {}, { 'x-simulate-fault': 'rate_limit' });
    expect(limited.status).toBe(429);
    expect(limited.json.error.type).toBe('RateLimitError');
    await post(`${app.url}/admin/faults`, { type: 'unavailable', route: '/v1/echo-test', count: 1 });
    expect((await post(`${app.url}/v1/echo-test`, {})).status).toBe(503);
    expect((await post(`${app.url}/v1/echo-test`, {})).status).toBe(200);
    const cut = await fetch(`${app.url}/v1/echo-test`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-simulate-fault': 'stream_abort' }, body: JSON.stringify({ stream: true, max_tokens: 30 }) });
    const events = await readSse(cut);
    expect(JSON.parse(events[events.length - 2]).error.code).toBe(500);
    expect(events[events.length - 1]).toBe('[DONE]');
  });

  it('is refused while the server drains', async () => {
    const held = post(`${app.url}/v1/echo-test`, { max_tokens: 60 });
    await pollUntil('the request to run', async () => ((await load()) === 1 ? true : undefined), 5_000, 5);
    const drained = app.server.app.get(LifecycleService).drain(10_000);
    const refused = await post(`${app.url}/v1/echo-test`, {});
    expect(refused.status).toBe(503);
    expect(refused.json.error.message).toBe('The server is shutting down.');
    expect((await held).status).toBe(200);
    expect(await drained).toBe(true);
  });
});

type Door = 'http' | 'grpc';

/** What a client sees from a request that took `fault`, in each door's terms. */
async function outcomeOf(app: TestApp, door: Door, fault: string): Promise<string> {
  if (door === 'http') {
    const res = await fetch(`${app.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(fault ? { 'x-simulate-fault': fault } : {}) },
      body: JSON.stringify({ model: MODEL, prompt: 'hi', max_tokens: 12, ignore_eos: true, stream: true }),
    }).catch(() => null);
    if (!res) return 'dropped';
    if (res.status !== 200) return `error ${res.status}`;
    const events = await readSse(res);
    const parsed = events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e) as { error?: unknown; choices?: unknown[] });
    const error = parsed.find((e) => e.error);
    const tokens = parsed.filter((e) => (e.choices?.length ?? 0) > 0).length;
    return error ? `cut after ${tokens} chunks` : `served ${tokens} chunks`;
  }
  const c = clientsFor(app.grpcPort!);
  try {
    const metadata = new grpc.Metadata();
    if (fault) metadata.set('x-simulate-fault', fault);
    const chunks: number[] = [];
    const call = c.engine.Generate({ text: 'hi', sampling_params: { max_tokens: 12, ignore_eos: true }, stream: true }, metadata);
    return await new Promise<string>((resolve) => {
      call.on('data', (m: { chunk?: unknown }) => {
        if (m.chunk) chunks.push(1);
      });
      call.on('error', (e: grpc.ServiceError) => {
        if (e.code === grpc.status.CANCELLED) resolve(chunks.length > 0 || e.details.includes('mid-stream') ? `cut after ${chunks.length} chunks` : 'dropped');
        else resolve(`error ${grpcToHttp[e.code] ?? e.code}`);
      });
      call.on('end', () => resolve(`served ${chunks.length} chunks`));
    });
  } finally {
    c.engine.close();
  }
}

/** The HTTP status each gRPC code stands for (SPEC: faults map to these codes). */
const grpcToHttp: Record<number, number> = {
  [grpc.status.RESOURCE_EXHAUSTED]: 429,
  [grpc.status.INTERNAL]: 500,
  [grpc.status.UNAVAILABLE]: 503,
  [grpc.status.UNAUTHENTICATED]: 401,
  [grpc.status.NOT_FOUND]: 404,
  [grpc.status.INVALID_ARGUMENT]: 400,
  [grpc.status.DEADLINE_EXCEEDED]: 504,
};

describe('every fault type gives the same answer through HTTP and gRPC', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ grpc_port: 0, latency_scale: 1, itl_ms: 5, ttft_ms: 1 });
  });
  afterAll(() => app.close());

  it.each<[string, string]>([
    ['rate_limit', 'error 429'],
    ['server_error', 'error 500'],
    ['unavailable', 'error 503'],
    ['invalid_api_key', 'error 401'],
    ['model_not_found', 'error 404'],
    ['context_length', 'error 400'],
    ['disconnect', 'dropped'],
    ['stream_abort', 'cut after 5 chunks'],
    ['slow', 'served 12 chunks'],
  ])('%s: %s on both doors', async (fault, expected) => {
    expect({ http: await outcomeOf(app, 'http', fault), grpc: await outcomeOf(app, 'grpc', fault) }).toEqual({ http: expected, grpc: expected });
  });

  it.each<['error' | 'answer', string]>([
    ['error', 'error 504'],
    ['answer', 'served 12 chunks'],
  ])('timeout then %s: %s on both doors, after the hold', async (then, expected) => {
    for (const route of ['/v1/completions', 'grpc']) await post(`${app.url}/admin/faults`, { type: 'timeout', delay_ms: 50, then, route, count: 1 });
    expect({ http: await outcomeOf(app, 'http', ''), grpc: await outcomeOf(app, 'grpc', '') }).toEqual({ http: expected, grpc: expected });
  });
});

describe('two apps in one process share nothing', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    [a, b] = await Promise.all([bootApp({ latency_scale: 1, itl_ms: 10, ttft_ms: 1 }), bootApp({ latency_scale: 1, itl_ms: 10, ttft_ms: 1 })]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it("keeps their streams apart: own writer, own engine, each stream its own app's reply, ended once", async () => {
    expect(a.server.app.get(SseWriter)).not.toBe(b.server.app.get(SseWriter));
    const body = (prompt: string, stream: boolean) => ({ model: MODEL, prompt, max_tokens: 30, ignore_eos: true, stream, seed: 1 });
    const stream = (app: TestApp, prompt: string) =>
      fetch(`${app.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body(prompt, true)) }).then(readSse);
    const [fromA, fromB] = await Promise.all([stream(a, 'Write a python function'), stream(b, 'Tell me a story')]);
    for (const [events, app, prompt] of [[fromA, a, 'Write a python function'], [fromB, b, 'Tell me a story']] as const) {
      expect(events.filter((e) => e === '[DONE]')).toHaveLength(1);
      expect(events[events.length - 1]).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { id: string; choices: Array<{ text: string }> });
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      const whole = await post(`${app.url}/v1/completions`, body(prompt, false));
      expect(chunks.map((c) => c.choices[0].text).join('')).toBe(whole.json.choices[0].text);
    }
  });
});
