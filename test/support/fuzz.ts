import * as grpc from '@grpc/grpc-js';
import { Random } from '../../src/common/random';
import { Client } from './grpc';

/**
 * Seeded generators of the requests careless clients and attackers send, shared by the fuzz
 * test (a few hundred, in `npm test`) and `npm run bench:fuzz` (thousands, with counts).
 */

export const FUZZ_MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';

const FIELDS = [
  'model', 'prompt', 'messages', 'role', 'content', 'max_tokens', 'max_completion_tokens', 'n', 'stream', 'stop',
  'logprobs', 'top_logprobs', 'stream_options', 'temperature', 'top_p', 'top_k', 'seed', 'tokens', 'echo',
  'include_usage', 'tools', 'tool_choice', 'response_format', 'min_tokens', 'ignore_eos', 'stop_token_ids',
  'return_token_ids', 'input', 'instructions', 'previous_response_id', 'system', 'documents', 'query', 'text_1',
  'text_2', 'encoding_format', 'dimensions', 'truncate_prompt_tokens', 'token_ids', 'sampling_params',
  'kv_transfer_params', 'cache_hit_threshold', 'lora_name', 'lora_path', 'type', 'probability', 'count', 'delay_ms', 'after_tokens', 'factor', 'responses', 'match', 'keywords', 'regex', 'name', 'priority', 'json_schema', 'schema',
];

/** Random JSON-ish values: the shapes clients get wrong. */
export function randomValue(r: Random, depth = 0): unknown {
  switch (r.int(depth > 2 ? 7 : 10)) {
    case 0:
      return null;
    case 1:
      return r.int(3) === 0 ? -r.int(100000) : r.int(100000);
    case 2:
      return r.next() * 10 - 5;
    case 3:
      return ['', 'x', 'hello world', '\u0000', '😀'.repeat(r.int(20)), 'a'.repeat(r.int(5000)), '\ud800', '(a+)+$', '%s%n'][r.int(9)];
    case 4:
      return r.int(2) === 0;
    case 5:
      return [1e308, -0, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, -1, 1e9, 2 ** 31][r.int(7)];
    case 6:
      return r.int(4) === 0 ? Array(1 + r.int(3000)).fill(r.int(2) === 0 ? 7 : 'x') : [];
    case 7:
      return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: r.int(5) }, () => [r.pick(FIELDS), randomValue(r, depth + 1)]));
  }
}

/** JSON schemas meant to make a sampler allocate or loop without end. */
export function adversarialSchema(r: Random): unknown {
  const huge = r.pick([1e9, 1e7, 1e6, Number.MAX_SAFE_INTEGER]);
  return r.pick([
    { type: 'string', minLength: huge },
    { type: 'array', minItems: huge, items: { type: 'string' } },
    { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000, items: { type: 'integer' } } },
    { type: 'object', minProperties: huge },
    { type: 'object', properties: { a: { $ref: '#' } }, required: ['a'] },
    { type: 'integer', minimum: huge, maximum: -huge },
    { type: 'string', pattern: '(a+)+$', minLength: 10 },
    { anyOf: Array(200).fill({ type: 'object', properties: { x: { type: 'string', minLength: 100000 } }, required: ['x'] }) },
  ]);
}

/** A JSON body nested `depth` levels. */
export function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

export interface FuzzRequest {
  method: string;
  path: string;
  body?: string;
  headers: Record<string, string>;
  /** What kind of case this is, for the bench's counts. */
  kind: string;
}

/** A route the fuzz sends to: its method, a concrete path, and a valid body to vary. */
export interface FuzzRoute {
  method: string;
  path: string;
  /** The documented request examples (valid bodies), or a valid body the fuzz knows. */
  bases: Record<string, unknown>[];
}

type OpenApiOperation = { requestBody?: { content?: { 'application/json'?: { examples?: Record<string, { value?: unknown }> } } } };

/**
 * Every operation of the server's own OpenAPI document, with its request examples as the valid
 * bodies to vary: a route added later is fuzzed without being listed here. Path parameters get a
 * name no resource has; `/metrics` is left out (its text is not JSON and it takes no body).
 */
export function fuzzRoutes(doc: { paths: Record<string, Record<string, OpenApiOperation>> }): FuzzRoute[] {
  const routes: FuzzRoute[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    if (template === '/metrics') continue;
    const path = template.replace(/\{[^}]+\}/g, 'fuzz');
    for (const [method, op] of Object.entries(ops)) {
      const examples = Object.values(op.requestBody?.content?.['application/json']?.examples ?? {})
        .map((e) => e.value)
        .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v));
      const known = KNOWN_BASES[`${method.toUpperCase()} ${template}`];
      routes.push({ method: method.toUpperCase(), path: method === 'get' && template === '/admin/requests' ? `${path}?limit=5` : path, bases: examples.length > 0 ? examples : known ? [known] : [{}] });
    }
  }
  return routes;
}

/**
 * Valid bodies of routes whose examples the document does not carry (admin, adapters). Faults
 * that answer 4xx only, and only once, on a route no one calls: the fuzz asserts that nothing
 * answers 5xx.
 */
const KNOWN_BASES: Record<string, Record<string, unknown>> = {
  'POST /admin/faults': { type: 'rate_limit', count: 1, route: '/v1/models-never' },
  'PATCH /admin/config': { latency_scale: 0 },
  'POST /admin/patterns': { name: 'fuzz-new', match: { keywords: ['zzqqxx'] }, responses: ['fuzzed'] },
  'PUT /admin/patterns/{name}': { name: 'fuzz', match: { keywords: ['zzqqxx'] }, responses: ['fuzzed'] },
  'POST /v1/load_lora_adapter': { lora_name: 'fuzz-adapter', lora_path: '/adapters/fuzz' },
  'POST /v1/unload_lora_adapter': { lora_name: 'fuzz-adapter' },
  'POST /inference/v1/generate': { token_ids: [1, 2, 3], sampling_params: { max_tokens: 2 } },
  'POST /v1/completions/render': { model: FUZZ_MODEL, prompt: 'hi' },
  'POST /v1/chat/completions/render': { model: FUZZ_MODEL, messages: [{ role: 'user', content: 'hi' }] },
};

/** One request of the fuzz: a malformed, oversized or adversarial variation of a route's body. */
export function fuzzRequest(r: Random, routes: readonly FuzzRoute[]): FuzzRequest {
  const { method, path, bases } = r.pick(routes);
  const headers: Record<string, string> = { 'content-type': r.int(10) === 0 ? r.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '']) : 'application/json' };
  if (r.int(8) === 0) headers['x-request-id'] = r.pick(['ok-id', 'x'.repeat(r.int(4000)), '\u00e9\u00e8', 'a\tb']);
  if (r.int(20) === 0) headers['x-simulate-fault'] = r.pick(['nonsense', 'rate_limit', 'context_length']);
  const kind = r.int(8);
  // A copy: the variations below must not edit the route's example.
  const base: Record<string, unknown> = { ...r.pick(bases) };
  if (method === 'POST' && path === '/admin/patterns') base.name = `fuzz-${r.int(1e6)}`;
  let body: string | undefined;
  let label: string;
  switch (kind) {
    case 0:
      label = 'truncated JSON';
      body = JSON.stringify({ ...base, x: randomValue(r) }).slice(0, r.int(200));
      break;
    case 1:
      label = 'random bytes';
      body = String.fromCharCode(...Array.from({ length: r.int(200) }, () => r.int(256)));
      break;
    case 2:
      label = 'deep nesting';
      body = `{"model":"${FUZZ_MODEL}","x":${nested(70 + r.int(5000))}}`;
      break;
    case 3:
      label = 'adversarial schema';
      body = JSON.stringify(
        r.int(2) === 0
          ? { ...base, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: adversarialSchema(r) } } }
          : { ...base, tools: [{ type: 'function', function: { name: 'f', parameters: adversarialSchema(r) } }], tool_choice: 'required' },
      );
      break;
    case 4:
      label = 'fan-out';
      body = JSON.stringify({ ...base, [r.pick(['n', 'max_tokens', 'logprobs', 'top_logprobs', 'min_tokens'])]: r.pick([1e6, 1e9, 129, 2 ** 31, -1]) });
      break;
    case 5:
      label = 'empty body';
      body = r.int(2) === 0 ? '' : undefined;
      break;
    default: {
      label = 'random fields';
      const mutated: Record<string, unknown> = { ...base };
      for (let i = 0; i < 1 + r.int(4); i++) mutated[r.pick([...Object.keys(base), ...FIELDS])] = randomValue(r);
      body = JSON.stringify(mutated);
    }
  }
  if (method === 'GET') body = undefined;
  return { method, path, body, headers, kind: label };
}

export interface FuzzOutcome {
  status: number;
  ms: number;
  /** Why this answer breaks the rules, or null. */
  problem: string | null;
}

/** Sends one fuzz request and judges the answer: never 5xx, every error in vLLM's shape. */
export async function sendFuzz(base: string, req: FuzzRequest): Promise<FuzzOutcome> {
  const started = performance.now();
  const res = await fetch(`${base}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
  const text = await res.text();
  const ms = performance.now() - started;
  let problem: string | null = null;
  if (res.status >= 500) problem = `answered ${res.status}`;
  else if (res.status >= 400) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const body = json as { type?: unknown; error?: Record<string, unknown> } | undefined;
    const error = body?.error;
    const vllmShaped =
      error !== undefined &&
      typeof error.message === 'string' &&
      typeof error.type === 'string' &&
      error.code === res.status &&
      (error.param === null || typeof error.param === 'string');
    // vLLM's Messages handler answers its own refusals in Anthropic's shape.
    const anthropicShaped = req.path.startsWith('/v1/messages') && body?.type === 'error' && typeof error?.type === 'string' && typeof error?.message === 'string';
    if (!vllmShaped && !anthropicShaped) problem = `error not in vLLM shape: ${text.slice(0, 200)}`;
  }
  return { status: res.status, ms, problem };
}

/**
 * A random GenerateRequest, most of it wrong but each field of its wire type (a gRPC client cannot
 * send anything else): extreme numbers, long lists, empty and huge prompts.
 */
export function fuzzGenerate(r: Random): Record<string, unknown> {
  const number = (): number => r.pick([0, 1, -1, 0.5, 3, 1e6, 1e9, 2 ** 31 - 1, -(2 ** 31)]);
  const fields: Record<string, () => unknown> = {
    max_tokens: () => Math.trunc(Math.abs(number())),
    n: () => Math.trunc(Math.abs(number())),
    min_tokens: () => Math.trunc(Math.abs(number())),
    temperature: number,
    top_p: number,
    seed: () => Math.trunc(number()),
    stop: () => Array.from({ length: r.pick([0, 1, 3, 100, 5000]) }, () => r.pick(['', 'x', 'stop', 'y'.repeat(2000)])),
    stop_token_ids: () => Array.from({ length: r.pick([0, 2, 2000]) }, () => r.int(200000)),
    ignore_eos: () => r.int(2) === 0,
  };
  const sampling = Object.fromEntries(Array.from({ length: r.int(5) }, () => r.pick(Object.keys(fields))).map((k) => [k, fields[k]()]));
  const input = r.int(3);
  return {
    request_id: r.int(2) === 0 ? `fz-${r.int(1000)}` : '',
    ...(input === 0
      ? { text: r.pick(['', 'hi', 'x'.repeat(r.int(20000))]) }
      : input === 1
        ? { tokenized: { original_text: '', input_ids: Array.from({ length: r.pick([0, 5, 50, 40000]) }, () => r.int(40000)) } }
        : {}),
    sampling_params: sampling,
    stream: r.int(2) === 0,
  };
}

/** Status codes a fuzzed Generate may end with: anything but a server-side failure. */
const GRPC_SERVER_FAILURES = new Set([grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.DATA_LOSS, grpc.status.UNIMPLEMENTED]);

/** Calls Generate with a fuzzed request; resolves with the final status code and a problem, if any. */
export function sendGenerate(client: Client, req: Record<string, unknown>): Promise<{ code: number; problem: string | null }> {
  return new Promise((resolve) => {
    const call = client.Generate(req, new grpc.Metadata(), { deadline: Date.now() + 30_000 });
    call.on('data', () => undefined);
    call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, problem: GRPC_SERVER_FAILURES.has(e.code) ? `gRPC ${grpc.status[e.code]}: ${e.details}` : null }));
    call.on('end', () => resolve({ code: grpc.status.OK, problem: null }));
  });
}

/** Polls /health while `work` runs; resolves with the slowest answer (ms) and any non-200. */
export async function watchHealth<T>(base: string, work: Promise<T>): Promise<{ result: T; slowestMs: number; failures: number }> {
  let stop = false;
  let slowestMs = 0;
  let failures = 0;
  const poller = (async () => {
    while (!stop) {
      const started = performance.now();
      const res = await fetch(`${base}/health`).catch(() => null);
      slowestMs = Math.max(slowestMs, performance.now() - started);
      if (res?.status !== 200) failures++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    const result = await work;
    return { result, slowestMs, failures };
  } finally {
    stop = true;
    await poller;
  }
}
