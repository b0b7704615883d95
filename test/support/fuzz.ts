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
  'return_token_ids', 'type', 'probability', 'count', 'delay_ms', 'after_tokens', 'factor', 'responses', 'match', 'keywords', 'regex', 'name', 'priority', 'json_schema', 'schema',
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

const ROUTES: Array<[string, string]> = [
  ['POST', '/v1/completions'],
  ['POST', '/v1/chat/completions'],
  ['POST', '/tokenize'],
  ['POST', '/detokenize'],
  ['POST', '/admin/faults'],
  ['PATCH', '/admin/config'],
  ['POST', '/admin/patterns'],
  ['PUT', '/admin/patterns/fuzz'],
  ['DELETE', '/admin/faults'],
  ['GET', '/admin/requests?limit=5'],
  ['GET', '/v1/models'],
];

function validBase(r: Random, path: string): Record<string, unknown> {
  switch (path) {
    case '/v1/completions':
      return { model: FUZZ_MODEL, prompt: 'hi', max_tokens: 2 };
    case '/v1/chat/completions':
      return { model: FUZZ_MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 };
    case '/tokenize':
      return r.int(2) === 0 ? { model: FUZZ_MODEL, prompt: 'hello' } : { model: FUZZ_MODEL, messages: [{ role: 'user', content: 'hi' }] };
    case '/detokenize':
      return { model: FUZZ_MODEL, tokens: [1, 2, 3] };
    case '/admin/faults':
      // Faults that answer 4xx only, and only once: the fuzz asserts that nothing answers 5xx.
      return { type: r.pick(['rate_limit', 'context_length', 'model_not_found']), count: 1, route: '/v1/models-never' };
    case '/admin/config':
      return { latency_scale: 0 };
    case '/admin/patterns':
    case '/admin/patterns/fuzz':
      return { name: `fuzz-${r.int(1e6)}`, match: { keywords: ['zzqqxx'] }, responses: ['fuzzed'] };
    default:
      return {};
  }
}

/** One request of the fuzz: a malformed, oversized or adversarial variation of a route's body. */
export function fuzzRequest(r: Random): FuzzRequest {
  const [method, path] = r.pick(ROUTES);
  const headers: Record<string, string> = { 'content-type': r.int(10) === 0 ? r.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '']) : 'application/json' };
  if (r.int(8) === 0) headers['x-request-id'] = r.pick(['ok-id', 'x'.repeat(r.int(4000)), '\u00e9\u00e8', 'a\tb']);
  if (r.int(20) === 0) headers['x-simulate-fault'] = r.pick(['nonsense', 'rate_limit', 'context_length']);
  const kind = r.int(8);
  const base = validBase(r, path);
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
    const error = (json as { error?: Record<string, unknown> } | undefined)?.error;
    const shaped =
      error !== undefined &&
      typeof error.message === 'string' &&
      typeof error.type === 'string' &&
      error.code === res.status &&
      (error.param === null || typeof error.param === 'string');
    if (!shaped) problem = `error not in vLLM shape: ${text.slice(0, 200)}`;
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
