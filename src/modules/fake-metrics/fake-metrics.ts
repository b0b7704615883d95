import { parseDurationMs } from '../../config/load-settings';

/**
 * llm-d-inference-sim's `--fake-metrics`: numbers reported on /metrics instead of the engine's, for
 * autoscaler and router tests that need a given load. A gauge is a fixed number or a generator
 * `fn:start:end:period` (oscillate, ramp, rampreset, squarewave); histograms are counts per bucket
 * (the last for +Inf; missing trailing buckets count 0); the `request-*` arrays are observations.
 */
export const GENERATORS = ['oscillate', 'ramp', 'rampreset', 'squarewave'] as const;
export type GeneratorName = (typeof GENERATORS)[number];

export type FakeGauge = { fixed: number } | { fn: GeneratorName; start: number; end: number; periodMs: number };

export interface FakeLoraInfo {
  running: string;
  waiting: string;
  timestamp: number;
}

/** Histogram families by llm-d-inference-sim's key. */
export const FAKE_HISTOGRAM_KEYS = {
  'ttft-buckets-values': 'vllm:time_to_first_token_seconds',
  'tpot-buckets-values': 'vllm:inter_token_latency_seconds',
  'request-tpot-buckets-values': 'vllm:request_time_per_output_token_seconds',
  'e2erl-buckets-values': 'vllm:e2e_request_latency_seconds',
  'queue-time-buckets-values': 'vllm:request_queue_time_seconds',
  'inf-time-buckets-values': 'vllm:request_inference_time_seconds',
  'prefill-time-buckets-values': 'vllm:request_prefill_time_seconds',
  'decode-time-buckets-values': 'vllm:request_decode_time_seconds',
} as const;
export type FakeHistogramKey = keyof typeof FAKE_HISTOGRAM_KEYS;

/** Observation arrays: each value observed once. */
export const FAKE_OBSERVATION_KEYS = {
  'request-prompt-tokens': 'vllm:request_prompt_tokens',
  'request-generation-tokens': 'vllm:request_generation_tokens',
  'request-params-max-tokens': 'vllm:request_params_max_tokens',
  'request-max-generation-tokens': 'vllm:request_max_num_generation_tokens',
} as const;
export type FakeObservationKey = keyof typeof FAKE_OBSERVATION_KEYS;

export interface FakeMetricsSpec {
  running?: FakeGauge;
  waiting?: FakeGauge;
  kvCacheUsage?: FakeGauge;
  loras: FakeLoraInfo[];
  buckets: Partial<Record<FakeHistogramKey, number[]>>;
  observations: Partial<Record<FakeObservationKey, number[]>>;
  requestSuccess: Record<string, number>;
  totalPromptTokens?: number;
  totalGenerationTokens?: number;
  prefixCacheHits?: number;
  prefixCacheQueries?: number;
  /** The spec as given, for GET /admin/fake-metrics and /admin/status. */
  source: Record<string, unknown>;
}

/** Observations one fake histogram (or observation array) may ask for: each is a call into the metrics client. */
export const MAX_FAKE_OBSERVATIONS = 1_000_000;
const MAX_LORA_ENTRIES = 64;

export class FakeMetricsError extends Error {}

const fail = (message: string): never => {
  throw new FakeMetricsError(message);
};

function count(key: string, v: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) fail(`${key} must be a non-negative integer`);
  return v as number;
}

function gauge(key: string, v: unknown, min: number, max: number): FakeGauge {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < min || v > max) fail(`${key} must be between ${min} and ${max}`);
    return { fixed: v };
  }
  if (typeof v !== 'string') return fail(`${key} must be a number or a generator fn:start:end:period`);
  const parts = v.split(':');
  if (parts.length !== 4) fail(`${key}: need fn:start:end:period, got '${v}'`);
  const [fn, a, b, period] = parts;
  if (!(GENERATORS as readonly string[]).includes(fn)) fail(`${key}: unknown generator '${fn}' (known: ${GENERATORS.join(', ')})`);
  const start = Number(a);
  const end = Number(b);
  const periodMs = parseDurationMs(period);
  if (![start, end].every((x) => Number.isFinite(x) && x >= min && x <= max)) fail(`${key}: start and end must be between ${min} and ${max}`);
  if (!(periodMs > 0)) fail(`${key}: the period must be a positive duration (e.g. 5s)`);
  return { fn: fn as GeneratorName, start, end, periodMs };
}

/** Validates a fake-metrics spec (llm-d-inference-sim's JSON keys), whole: the first problem is the message. */
export function parseFakeMetrics(input: unknown, histogramBuckets: (family: string) => number): FakeMetricsSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('expected a JSON object');
  const raw = input as Record<string, unknown>;
  const spec: FakeMetricsSpec = { loras: [], buckets: {}, observations: {}, requestSuccess: {}, source: raw };
  for (const [key, v] of Object.entries(raw)) {
    if (key === 'running-requests') spec.running = gauge(key, v, 0, 1e9);
    else if (key === 'waiting-requests') spec.waiting = gauge(key, v, 0, 1e9);
    else if (key === 'kv-cache-usage') spec.kvCacheUsage = gauge(key, v, 0, 1);
    else if (key === 'loras') {
      if (!Array.isArray(v) || v.length > MAX_LORA_ENTRIES) fail(`loras must be an array of at most ${MAX_LORA_ENTRIES} entries`);
      spec.loras = (v as unknown[]).map((entry) => {
        const e = (typeof entry === 'string' ? JSON.parse(entry) : entry) as Partial<FakeLoraInfo> | null;
        if (typeof e !== 'object' || e === null || typeof e.running !== 'string' || typeof e.waiting !== 'string' || typeof e.timestamp !== 'number') {
          return fail('each loras entry needs running and waiting (comma-separated adapter names) and a numeric timestamp');
        }
        return { running: e.running, waiting: e.waiting, timestamp: e.timestamp };
      });
    } else if (key in FAKE_HISTOGRAM_KEYS) {
      const family = FAKE_HISTOGRAM_KEYS[key as FakeHistogramKey];
      if (!Array.isArray(v) || v.length > histogramBuckets(family) + 1) fail(`${key} must be an array of at most ${histogramBuckets(family) + 1} counts (one per bucket, +Inf last)`);
      const values = (v as unknown[]).map((c) => count(key, c));
      if (values.reduce((a, b) => a + b, 0) > MAX_FAKE_OBSERVATIONS) fail(`${key} may add up to at most ${MAX_FAKE_OBSERVATIONS} observations`);
      spec.buckets[key as FakeHistogramKey] = values;
    } else if (key in FAKE_OBSERVATION_KEYS) {
      if (!Array.isArray(v) || v.length > MAX_FAKE_OBSERVATIONS) fail(`${key} must be an array of at most ${MAX_FAKE_OBSERVATIONS} values`);
      spec.observations[key as FakeObservationKey] = (v as unknown[]).map((c) => count(key, c));
    } else if (key === 'request-success-total') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('request-success-total must map finish reasons to counts');
      for (const [reason, c] of Object.entries(v as Record<string, unknown>)) spec.requestSuccess[reason] = count(`request-success-total.${reason}`, c);
    } else if (key === 'total-prompt-tokens') spec.totalPromptTokens = count(key, v);
    else if (key === 'total-generation-tokens') spec.totalGenerationTokens = count(key, v);
    else if (key === 'prefix-cache-hits') spec.prefixCacheHits = count(key, v);
    else if (key === 'prefix-cache-queries') spec.prefixCacheQueries = count(key, v);
    else fail(`unknown field '${key}'`);
  }
  return spec;
}

/** A gauge's value `elapsedMs` after the spec was set. */
export function gaugeValue(g: FakeGauge, elapsedMs: number): number {
  if ('fixed' in g) return g.fixed;
  const phase = (elapsedMs % g.periodMs) / g.periodMs;
  const span = g.end - g.start;
  switch (g.fn) {
    case 'oscillate':
      return g.start + (span * (1 - Math.cos(2 * Math.PI * phase))) / 2;
    case 'ramp':
      return g.start + span * Math.min(1, elapsedMs / g.periodMs);
    case 'rampreset':
      return g.start + span * phase;
    case 'squarewave':
      return phase < 0.5 ? g.start : g.end;
  }
}
