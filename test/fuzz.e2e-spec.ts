import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../src/common/random';
import { bootApp, post, TestApp } from './support/app';
import { PROJECT_ROOT } from './support/child';
import { FuzzRoute, fuzzGenerate, fuzzRequest, fuzzRoutes, randomValue, sendFuzz, sendGenerate, watchHealth } from './support/fuzz';
import { clientsFor } from './support/grpc';

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';

function randomBody(r: Random): string {
  const kind = r.int(6);
  if (kind === 0) return JSON.stringify(randomValue(r)).slice(0, r.int(200)); // truncated JSON
  if (kind === 1) return String.fromCharCode(...Array.from({ length: r.int(100) }, () => r.int(256)));
  const base: Record<string, unknown> =
    kind === 2 ? { model: MODEL, prompt: 'hi', max_tokens: 2 } : { model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 };
  const fields = Object.keys(base).concat(['n', 'stop', 'logprobs', 'top_logprobs', 'stream', 'stream_options', 'temperature', 'top_p', 'seed', 'echo', 'min_tokens', 'ignore_eos', 'max_completion_tokens', 'stop_token_ids', 'return_token_ids']);
  for (let i = 0; i < 1 + r.int(3); i++) base[fields[r.int(fields.length)]] = randomValue(r);
  return JSON.stringify(base);
}

describe('fuzzing the HTTP API with malformed and random bodies', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp();
  });
  afterAll(() => app.close());

  it('never answers 5xx and stays healthy', async () => {
    const r = new Random(2024);
    const routes = ['/v1/completions', '/v1/chat/completions', '/tokenize', '/detokenize'];
    const failures: string[] = [];
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const route = routes[r.int(routes.length)];
          const body = randomBody(r);
          const res = await post(`${app.url}${route}`, body);
          if (res.status >= 500 || (res.status >= 400 && !res.json?.error?.message)) failures.push(`${route} ${res.status} ${body.slice(0, 200)} -> ${res.text.slice(0, 200)}`);
        }),
      );
    }
    expect(failures).toEqual([]);
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    const ok = await app.openai.completions.create({ model: MODEL, prompt: 'still there?', max_tokens: 3 });
    expect(ok.choices).toHaveLength(1);
    expect(app.server.app.get((await import('../src/modules/engine/engine')).Engine).inFlight).toBe(0);
  });

  it('treats null fields as absent, never as a crash', async () => {
    const cases: [string, object][] = [
      ['/tokenize', { messages: null }],
      ['/tokenize', { prompt: null }],
      ['/tokenize', { prompt: null, messages: null }],
    ];
    for (const [route, body] of cases) {
      const res = await post(`${app.url}${route}`, JSON.stringify(body));
      expect({ route, body, status: res.status, type: res.json?.error?.type }).toEqual({ route, body, status: 400, type: 'BadRequestError' });
    }
    const both = await post(`${app.url}/tokenize`, JSON.stringify({ prompt: 'hi', messages: null }));
    expect(both.status).toBe(200);
  });
});

describe('fuzzing every route and gRPC with malformed, oversized and adversarial requests (seeded)', () => {
  let app: TestApp;
  let dir: string;
  let grpcClients: ReturnType<typeof clientsFor>;
  let routes: FuzzRoute[];
  beforeAll(async () => {
    // Pattern edits the fuzz makes go to a copy, never to the tracked file.
    dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    const patterns = join(dir, 'responses.yaml');
    copyFileSync(join(PROJECT_ROOT, 'config/responses.yaml'), patterns);
    app = await bootApp({ grpc_port: 0, responses_file: patterns });
    grpcClients = clientsFor(app.grpcPort!);
    routes = fuzzRoutes((await (await fetch(`${app.url}/openapi.json`)).json()) as Parameters<typeof fuzzRoutes>[0]);
  });
  afterAll(async () => {
    Object.values(grpcClients ?? {}).forEach((c) => c.close());
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every HTTP request below 500, each error in vLLM shape, and /health throughout', async () => {
    // The routes come from the server's own document: every route it serves is fuzzed, new ones too.
    const paths = routes.map((route) => `${route.method} ${route.path}`);
    for (const p of ['POST /v1/chat/completions', 'POST /v1/responses', 'POST /v1/messages', 'POST /v1/embeddings', 'POST /inference/v1/generate', 'PUT /admin/fake-metrics']) expect(paths).toContain(p);
    const r = new Random(13);
    const problems: string[] = [];
    let slowest = 0;
    const run = async (): Promise<void> => {
      for (let batch = 0; batch < 50; batch++) {
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            const req = fuzzRequest(r, routes);
            const out = await sendFuzz(app.url, req);
            slowest = Math.max(slowest, out.ms);
            if (out.problem) problems.push(`${req.method} ${req.path} [${req.kind}] ${(req.body ?? '').slice(0, 160)} -> ${out.problem}`);
          }),
        );
      }
    };
    const { slowestMs, failures } = await watchHealth(app.url, run());
    expect(problems).toEqual([]);
    expect(failures).toBe(0);
    // Bounds far above a healthy answer, far below what a frozen server shows.
    expect(slowestMs).toBeLessThan(2000);
    expect(slowest).toBeLessThan(10_000);
    const ok = await app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'still there?' }], max_tokens: 3 });
    expect(ok.choices).toHaveLength(1);
  });

  it('answers every fuzzed gRPC Generate without a server-side failure status', async () => {
    const r = new Random(31);
    const problems: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          const req = fuzzGenerate(r);
          const out = await sendGenerate(grpcClients.engine, req);
          if (out.problem) problems.push(`${JSON.stringify(req).slice(0, 200)} -> ${out.problem}`);
        }),
      );
    }
    expect(problems).toEqual([]);
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });
});
