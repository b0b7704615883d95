 
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { bootApp, TestApp } from './support/app';

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';

/** A fresh copy of the repo's responses file (or a minimal one) in a temp dir, so tests never touch config/. */
function tempResponsesFile(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sim-admin-'));
  const file = join(dir, 'responses.yaml');
  const repoFile = resolve(__dirname, '../config/responses.yaml');
  if (existsSync(repoFile)) copyFileSync(repoFile, file);
  else writeFileSync(file, 'patterns:\n  - name: greeting\n    match:\n      keywords: [hello]\n    responses: ["Hello there!"]\nfallback:\n  responses: ["I am a simulated model."]\n');
  return { dir, file };
}

async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

function expectError(res: { status: number; json: any }, status: number) {
  expect(res.status).toBe(status);
  expect(Object.keys(res.json)).toEqual(['error']);
  expect(res.json.error).toMatchObject({ message: expect.any(String), type: expect.any(String), code: status });
  expect(Object.keys(res.json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
}

const pattern = (name: string, keyword = name) => ({ name, match: { keywords: [keyword] }, responses: [`reply from ${name}`] });

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 4000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Admin API (/admin)', () => {
  let app: TestApp;
  let dir: string;
  let file: string;
  const admin = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => call(app.url, method, path, body, headers);

  beforeAll(async () => {
    ({ dir, file } = tempResponsesFile());
    app = await bootApp({ responses_file: file });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('GET /admin/status', () => {
    it('reports uptime, engine state, the responses file and active faults', async () => {
      const res = await admin('GET', '/admin/status');
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        uptime_seconds: expect.any(Number),
        engine: { running: 0, waiting: 0, kv_cache_usage: expect.any(Number) },
        responses_file: { path: file, loaded_at: expect.any(String), pattern_count: expect.any(Number), last_error: null },
        faults: [],
      });
    });
  });

  describe('/admin/config', () => {
    it('answers the effective runtime configuration', async () => {
      const res = await admin('GET', '/admin/config');
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ latency_scale: 0, max_num_seqs: 256, response_mode: expect.any(String), ttft_ms: null, itl_ms: null });
    });

    it('applies a partial update and answers the new configuration', async () => {
      const res = await admin('PATCH', '/admin/config', { max_num_seqs: 8, ttft_ms: 12.5, latency_jitter: 0.1 });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ max_num_seqs: 8, ttft_ms: 12.5, latency_jitter: 0.1, latency_scale: 0 });
      const merge = await admin('PATCH', '/admin/config', '{"ttft_ms":null,"max_num_seqs":256,"latency_jitter":0}', { 'content-type': 'application/merge-patch+json' });
      expect(merge.status).toBe(200);
      expect(merge.json).toMatchObject({ ttft_ms: null, max_num_seqs: 256, latency_jitter: 0 });
    });

    it.each([
      [{ latency_scale: -1 }, 'latency_scale'],
      [{ latency_scale: null }, 'latency_scale'],
      [{ max_num_seqs: 0 }, 'max_num_seqs'],
      [{ max_num_seqs: 2.5 }, 'max_num_seqs'],
      [{ response_mode: 'poetry' }, 'response_mode'],
      [{ ttft_ms: 'fast' }, 'ttft_ms'],
      [{ model: 'other' }, 'model'],
    ])('rejects %j with a 400 naming %s and changes nothing', async (body, field) => {
      const before = (await admin('GET', '/admin/config')).json;
      const res = await admin('PATCH', '/admin/config', { max_num_seqs: 3, ...body });
      expectError(res, 400);
      expect(res.json.error.message).toContain(field);
      expect((await admin('GET', '/admin/config')).json).toEqual(before);
    });

    it('switches the response mode live (echo repeats the prompt)', async () => {
      expect((await admin('PATCH', '/admin/config', { response_mode: 'echo' })).json.response_mode).toBe('echo');
      const res = await app.openai.completions.create({ model: MODEL, prompt: 'repeat these words please', max_tokens: 50 });
      expect(res.choices[0].text).toContain('repeat these words please');
      expect((await admin('PATCH', '/admin/config', { response_mode: 'patterns' })).json.response_mode).toBe('patterns');
    });
  });

  describe('/admin/patterns', () => {
    it('GET answers the document with an ETag', async () => {
      const res = await admin('GET', '/admin/patterns');
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
      expect(Array.isArray(res.json.patterns)).toBe(true);
      expect(res.json.fallback.responses.length).toBeGreaterThan(0);
    });

    it('POST adds a pattern (persisted to the file, used at once); 409 on a duplicate name', async () => {
      const res = await admin('POST', '/admin/patterns', { ...pattern('zebra-facts', 'zebra'), priority: 1_000_000 });
      expect(res.status).toBe(201);
      expect(res.json.patterns.map((p: any) => p.name)).toContain('zebra-facts');
      const onDisk = parseYaml(readFileSync(file, 'utf8'));
      expect(onDisk.patterns.map((p: any) => p.name)).toContain('zebra-facts');
      const answer = await app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'zebra' }], max_tokens: 50 });
      expect(answer.choices[0].message.content).toBe('reply from zebra-facts');
      expectError(await admin('POST', '/admin/patterns', pattern('zebra-facts', 'other')), 409);
    });

    it.each([
      ['an empty name', { name: '', match: { keywords: ['x'] }, responses: ['r'] }],
      ['no replies', { name: 'a', match: { keywords: ['x'] }, responses: [] }],
      ['no rule', { name: 'a', match: {}, responses: ['r'] }],
      ['a regex that does not compile', { name: 'a', match: { regex: ['(unclosed'] }, responses: ['r'] }],
      ['a backtracking regex (backreference)', { name: 'a', match: { regex: ['(a+)\\1'] }, responses: ['r'] }],
      ['an unknown field', { name: 'a', match: { keywords: ['x'] }, responses: ['r'], weight: 3 }],
    ])('POST rejects %s with a 400 and changes nothing', async (_what, body) => {
      const before = await admin('GET', '/admin/patterns');
      const fileBefore = readFileSync(file, 'utf8');
      expectError(await admin('POST', '/admin/patterns', body), 400);
      const after = await admin('GET', '/admin/patterns');
      expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
      expect(readFileSync(file, 'utf8')).toBe(fileBefore);
    });

    it('PUT /{name} creates (201) then replaces (200); DELETE removes, 404 when absent', async () => {
      const created = await admin('PUT', '/admin/patterns/upsert-me', { match: { keywords: ['upsertable'] }, responses: ['one'] });
      expect(created.status).toBe(201);
      const replaced = await admin('PUT', '/admin/patterns/upsert-me', pattern('upsert-me', 'upsertable'));
      expect(replaced.status).toBe(200);
      expect(replaced.json.patterns.find((p: any) => p.name === 'upsert-me').responses).toEqual(['reply from upsert-me']);
      expectError(await admin('PUT', '/admin/patterns/upsert-me', { name: 'other-name', match: { keywords: ['x'] }, responses: ['r'] }), 400);
      const deleted = await admin('DELETE', '/admin/patterns/upsert-me');
      expect(deleted.status).toBe(200);
      expect(deleted.json.patterns.map((p: any) => p.name)).not.toContain('upsert-me');
      expectError(await admin('DELETE', '/admin/patterns/upsert-me'), 404);
    });

    it('PUT replaces everything; a stale If-Match answers 412 and changes nothing', async () => {
      const current = await admin('GET', '/admin/patterns');
      const etag = current.headers.get('etag')!;
      const doc = { patterns: [...current.json.patterns, pattern('replaced-all')], fallback: current.json.fallback };
      const ok = await admin('PUT', '/admin/patterns', doc, { 'if-match': etag });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('etag')).not.toBe(etag);
      const stale = await admin('PUT', '/admin/patterns', { patterns: [], fallback: current.json.fallback }, { 'if-match': etag });
      expectError(stale, 412);
      expect((await admin('GET', '/admin/patterns')).json.patterns.map((p: any) => p.name)).toContain('replaced-all');
      expectError(await admin('DELETE', '/admin/patterns/replaced-all', undefined, { 'if-match': etag }), 412);
      expectError(await admin('PUT', '/admin/patterns', { patterns: [pattern('dup'), pattern('dup')], fallback: current.json.fallback }), 400);
      expectError(await admin('PUT', '/admin/patterns', { patterns: [] }), 400);
    });

    it('serialises 25 concurrent writes: none is lost, in the API or the file', async () => {
      const names = Array.from({ length: 25 }, (_, i) => `concurrent-${i}`);
      const results = await Promise.all(names.map((n) => admin('POST', '/admin/patterns', pattern(n))));
      expect(results.map((r) => r.status)).toEqual(names.map(() => 201));
      const listed = (await admin('GET', '/admin/patterns')).json.patterns.map((p: any) => p.name);
      const onDisk = parseYaml(readFileSync(file, 'utf8')).patterns.map((p: any) => p.name);
      for (const n of names) {
        expect(listed).toContain(n);
        expect(onDisk).toContain(n);
      }
      // Atomic writes leave no temporary files behind.
      expect(readdirSync(dir)).toEqual(['responses.yaml']);
      // The watcher saw only our own writes: no reload was counted.
      await new Promise((r) => setTimeout(r, 400));
      expect((await admin('GET', '/admin/status')).json.responses_file.last_error).toBeNull();
    });

    it('reports a broken file in the status, keeps the last good patterns, and recovers', async () => {
      const good = readFileSync(file, 'utf8');
      const before = (await admin('GET', '/admin/patterns')).json.patterns.length;
      writeFileSync(file, 'patterns: [unclosed\n');
      const broken = await until(() => admin('GET', '/admin/status'), (r) => r.json.responses_file.last_error !== null);
      expect(broken.json.responses_file.last_error).toEqual({ message: expect.stringContaining('YAML'), at: expect.any(String) });
      expect(broken.json.responses_file.pattern_count).toBe(before);
      writeFileSync(file, good);
      const fixed = await until(() => admin('GET', '/admin/status'), (r) => r.json.responses_file.last_error === null);
      expect(fixed.json.responses_file.last_error).toBeNull();
    });

    it('keeps API-made changes across a restart', async () => {
      await admin('POST', '/admin/patterns', pattern('survives-restart'));
      await app.close();
      app = await bootApp({ responses_file: file });
      const names = (await admin('GET', '/admin/patterns')).json.patterns.map((p: any) => p.name);
      expect(names).toEqual(expect.arrayContaining(['survives-restart', 'zebra-facts', 'concurrent-24']));
    });
  });

  describe('/admin/faults', () => {
    afterEach(async () => {
      await admin('DELETE', '/admin/faults');
    });

    it('adds a rule (answering it with its id), lists, removes one and all', async () => {
      const a = await admin('POST', '/admin/faults', { type: 'rate_limit', probability: 0.5, count: 3, route: '/v1/completions', model: MODEL });
      expect(a.status).toBe(201);
      expect(a.json).toMatchObject({ id: expect.any(String), type: 'rate_limit', probability: 0.5, count: 3, remaining: 3, route: '/v1/completions', model: MODEL });
      const b = await admin('POST', '/admin/faults', { type: 'timeout', delay_ms: 10, then: 'answer' });
      expect((await admin('GET', '/admin/faults')).json.faults.map((f: any) => f.id)).toEqual([a.json.id, b.json.id]);
      expect((await admin('GET', '/admin/status')).json.faults).toHaveLength(2);
      expect((await admin('DELETE', `/admin/faults/${a.json.id}`)).status).toBe(200);
      expectError(await admin('DELETE', `/admin/faults/${a.json.id}`), 404);
      expect((await admin('DELETE', '/admin/faults')).json).toEqual({ removed: 1 });
      expect((await admin('GET', '/admin/faults')).json.faults).toEqual([]);
    });

    it.each([
      [{ type: 'explode' }, 'type'],
      [{}, 'type'],
      [{ type: 'rate_limit', probability: 1.5 }, 'probability'],
      [{ type: 'rate_limit', count: 0 }, 'count'],
      [{ type: 'rate_limit', delay_ms: 100 }, 'delay_ms'],
      [{ type: 'timeout', delay_ms: -1 }, 'delay_ms'],
      [{ type: 'timeout', then: 'maybe' }, 'then'],
      [{ type: 'stream_abort', after_tokens: 1.5 }, 'after_tokens'],
      [{ type: 'slow', factor: 0.5 }, 'factor'],
      [{ type: 'rate_limit', route: 'v1/chat' }, 'route'],
      [{ type: 'rate_limit', colour: 'red' }, 'colour'],
    ])('rejects %j with a 400 naming %s', async (body, field) => {
      const res = await admin('POST', '/admin/faults', body);
      expectError(res, 400);
      expect(res.json.error.message).toContain(field);
      expect((await admin('GET', '/admin/faults')).json.faults).toEqual([]);
    });
  });

  describe('GET /admin/requests', () => {
    it('lists the most recent requests, newest first', async () => {
      await app.openai.completions.create({ model: MODEL, prompt: 'first', max_tokens: 3, ignore_eos: true } as never);
      await app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'second' }], max_tokens: 4, ignore_eos: true } as never);
      const res = await until(() => admin('GET', '/admin/requests?limit=2'), (r) => r.json.requests.length === 2);
      expect(res.status).toBe(200);
      const [chat, completion] = res.json.requests;
      expect(chat).toMatchObject({ id: expect.any(String), time: expect.any(String), route: '/v1/chat/completions', model: MODEL, status: 200, completion_tokens: 4, ttft_ms: expect.any(Number), duration_ms: expect.any(Number), fault: null });
      expect(chat.prompt_tokens).toBeGreaterThan(0);
      expect(completion).toMatchObject({ route: '/v1/completions', status: 200, completion_tokens: 3 });
      expect((await admin('GET', '/admin/requests?limit=1')).json.requests).toHaveLength(1);
    });

    it.each(['0', '1001', 'abc'])('rejects limit=%s', async (limit) => {
      expectError(await admin('GET', `/admin/requests?limit=${limit}`), 400);
    });
  });

  describe('OpenAPI', () => {
    it('documents the admin API', async () => {
      const res = await fetch(`${app.url}/openapi.json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as any;
      for (const path of ['/admin/status', '/admin/config', '/admin/patterns', '/admin/patterns/{name}', '/admin/faults', '/admin/faults/{id}', '/admin/requests']) {
        expect(doc.paths[path]).toBeDefined();
      }
      expect(doc.components.schemas.CreateFaultRuleDto.properties.type.enum).toContain('stream_abort');
      expect(doc.components.schemas.PatchConfigDto.properties).toHaveProperty('latency_scale');
    });
  });
});

describe('Admin authorization', () => {
  it('with ADMIN_API_KEY: 401 without or with a wrong key, 200 with it; /v1 keys are independent', async () => {
    const app = await bootApp({ admin_api_key: 'admin-secret' });
    try {
      expectError(await call(app.url, 'GET', '/admin/status'), 401);
      expectError(await call(app.url, 'GET', '/admin/status', undefined, { authorization: 'Bearer wrong' }), 401);
      expectError(await call(app.url, 'GET', '/admin/faults', undefined, { authorization: 'Bearer admin-secret-but-longer' }), 401);
      expect((await call(app.url, 'GET', '/admin/status', undefined, { authorization: 'Bearer admin-secret' })).status).toBe(200);
      // No --api-key: /v1 stays open whatever the admin key.
      expect((await call(app.url, 'GET', '/v1/models')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('without ADMIN_API_KEY: loopback clients are allowed', async () => {
    const app = await bootApp({ api_key: 'v1-key' });
    try {
      expect((await call(app.url, 'GET', '/admin/status')).status).toBe(200);
      // The /v1 key is not an admin key and the admin routes do not need it.
      expectError(await call(app.url, 'GET', '/v1/models'), 401);
    } finally {
      await app.close();
    }
  });
});
