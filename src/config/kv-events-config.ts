import { SettingsError } from './load-settings';
import { KvEventFormat, Settings } from './settings';

/** What the KV-events publisher does, resolved from vLLM's `--kv-events-config` or llm-d-inference-sim's flags. */
export interface KvEventsConfig {
  /** ZeroMQ PUB address, before the data-parallel rank offsets its port. */
  endpoint: string;
  /** ZeroMQ ROUTER address answering replay requests; null = none. */
  replayEndpoint: string | null;
  /** Batches kept for replay. */
  bufferSteps: number;
  /** The PUB socket's send high-water mark. */
  hwm: number;
  /** Events waiting for the socket at most; beyond that, batches are dropped (and counted). */
  maxQueueSize: number;
  /** The topic frame, verbatim; or `llm-d`: `kv@<pod-ip>:<port>@<model>` as llm-d's indexer expects. */
  topic: string | { llmd: true };
  format: KvEventFormat;
  intHashes: boolean;
}

/** vLLM's KVEventsConfig fields and defaults (`vllm/config/kv_events.py`). */
const VLLM_DEFAULTS = { publisher: 'null', endpoint: 'tcp://*:5557', replay_endpoint: null, buffer_steps: 10_000, hwm: 100_000, max_queue_size: 100_000, topic: '' };
const KNOWN_KEYS = new Set(['enable_kv_cache_events', ...Object.keys(VLLM_DEFAULTS)]);

/**
 * The KV-events configuration, or null when events are off. `--kv-events-config` (vLLM's JSON) wins
 * over llm-d-inference-sim's `--enable-kvcache` / `--zmq-endpoint`. A malformed value is a
 * SettingsError (start-up stops with exit code 2), naming the field.
 */
export function resolveKvEventsConfig(s: Settings): KvEventsConfig | null {
  if (s.kv_events_config !== undefined) {
    const raw = parseJsonObject(s.kv_events_config, '--kv-events-config');
    for (const key of Object.keys(raw)) {
      if (!KNOWN_KEYS.has(key)) throw new SettingsError(`Invalid --kv-events-config: unknown field '${key}'. Known: ${[...KNOWN_KEYS].join(', ')}.`);
    }
    const c = { ...VLLM_DEFAULTS, enable_kv_cache_events: false, ...raw } as Record<string, unknown>;
    const bool = (k: string): boolean => (check(typeof c[k] === 'boolean', k, 'a boolean'), c[k] as boolean);
    const str = (k: string, nullable = false): string | null => (
      check((nullable && c[k] === null) || (typeof c[k] === 'string' && (k === 'topic' || c[k] !== '')), k, 'a string'), c[k] as string | null
    );
    const int = (k: string, min: number, max: number): number => {
      const v = c[k];
      check(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max, k, `an integer in ${min}..${max}`);
      return v as number;
    };
    const enabled = bool('enable_kv_cache_events');
    check(c.publisher === 'zmq' || c.publisher === 'null', 'publisher', '"zmq" or "null"');
    const publisher = c.publisher;
    const endpoint = checkEndpoint(str('endpoint')!, 'endpoint');
    const replay = str('replay_endpoint', true);
    const config: KvEventsConfig = {
      endpoint,
      replayEndpoint: replay === null ? null : checkEndpoint(replay, 'replay_endpoint'),
      bufferSteps: int('buffer_steps', 1, 1_000_000),
      hwm: int('hwm', 0, 10_000_000),
      maxQueueSize: int('max_queue_size', 1, 10_000_000),
      topic: str('topic')!,
      format: s.kv_events_format,
      intHashes: s.kv_events_int_hashes,
    };
    return enabled && publisher === 'zmq' ? config : null;
  }
  if (!s.enable_kvcache) return null;
  return {
    endpoint: checkEndpoint(s.zmq_endpoint, '--zmq-endpoint'),
    replayEndpoint: s.kv_events_replay_endpoint === undefined ? null : checkEndpoint(s.kv_events_replay_endpoint, '--kv-events-replay-endpoint'),
    bufferSteps: s.kv_events_replay_queue_size,
    hwm: VLLM_DEFAULTS.hwm,
    maxQueueSize: VLLM_DEFAULTS.max_queue_size,
    topic: { llmd: true },
    format: s.kv_events_format,
    intHashes: s.kv_events_int_hashes,
  };
}

/**
 * vLLM's `offset_endpoint_port`: rank k of a data-parallel deployment publishes on port + k
 * (inproc endpoints get a `_dp<k>` suffix); ipc endpoints are left as they are.
 */
export function offsetEndpoint(endpoint: string, rank: number): string {
  if (rank === 0) return endpoint;
  if (endpoint.startsWith('inproc://')) return `${endpoint}_dp${rank}`;
  const m = /^(tcp:\/\/.*):(\d+)$/.exec(endpoint);
  return m ? `${m[1]}:${Number(m[2]) + rank}` : endpoint;
}

/** vLLM binds the PUB socket for wildcard and ipc/inproc addresses, and connects to any other. */
export function bindsEndpoint(endpoint: string): boolean {
  return endpoint.includes('*') || endpoint.includes('::') || endpoint.startsWith('ipc://') || endpoint.startsWith('inproc://');
}

export function parseJsonObject(text: string, flag: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SettingsError(`Invalid ${flag}: not valid JSON (${(err as Error).message}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SettingsError(`Invalid ${flag}: expected a JSON object.`);
  return value as Record<string, unknown>;
}

function check(ok: boolean, field: string, what: string): void {
  if (!ok) throw new SettingsError(`Invalid --kv-events-config: ${field} must be ${what}.`);
}

function checkEndpoint(endpoint: string, field: string): string {
  if (!/^(tcp:\/\/.+:\d+|ipc:\/\/.+|inproc:\/\/.+)$/.test(endpoint)) {
    throw new SettingsError(`Invalid KV events ${field}: '${endpoint}' is not a ZeroMQ address (tcp://host:port, ipc://path or inproc://name).`);
  }
  return endpoint;
}
