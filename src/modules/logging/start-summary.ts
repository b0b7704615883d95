import { IgnoredFlag } from '../../config/command-line';
import { Settings, primaryServedName } from '../../config/settings';
import { SETTING_SOURCES } from '../../config/setting-sources';
import { ResolvedProfile } from '../benchmarks/resolve-profile';
import { LogFields, LogLevelName } from './log-line';

/** One line of the start-up log: where it would come from in vLLM, and what it says. */
export interface SummaryLine {
  level: LogLevelName;
  source: string;
  message: string;
  fields?: LogFields;
}

const info = (source: string, message: string, fields?: LogFields): SummaryLine => ({ level: 'INFO', source, message, fields });

/** Python's repr of a setting value, as vLLM's `non-default args: {...}` prints it. */
function pythonRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (value === undefined || value === null) return 'None';
  return String(value);
}

/** The settings that differ from their defaults (secrets masked), as vLLM logs its non-default args. */
export function nonDefaultArgs(settings: Settings): string {
  const defaults = new Settings();
  const parts: string[] = [];
  for (const { key } of SETTING_SOURCES) {
    const value = settings[key];
    if (key === 'config' || value === undefined || JSON.stringify(value) === JSON.stringify(defaults[key])) continue;
    const shown = key === 'api_key' || key === 'admin_api_key' ? '***' : value;
    parts.push(`'${key}': ${pythonRepr(shown)}`);
  }
  return `{${parts.join(', ')}}`;
}

/**
 * What vLLM logs before the engine starts: the version, the non-default arguments, and here also
 * each accepted vLLM flag the simulator does not act on (once each, as a warning).
 */
export function argumentLines(version: string, settings: Settings, ignored: readonly IgnoredFlag[]): SummaryLine[] {
  return [
    info('api_server', `vLLM API server version ${version} (vllm-simulator: no GPU, no weights; vLLM's API, metrics and timing)`, { version }),
    info('utils', `non-default args: ${nonDefaultArgs(settings)}`),
    ...ignored.map(
      (f): SummaryLine => ({
        level: 'WARNING',
        source: 'arg_utils',
        message: `${f.flag}${f.value !== undefined ? ` ${f.value}` : ''} is accepted and ignored: ${f.reason}`,
        fields: { flag: f.flag, value: f.value ?? null },
      }),
    ),
  ];
}

/** `torch.bfloat16`: what `--dtype auto` resolves to (vLLM casts float32 checkpoints to 16 bits on GPU). */
export function servedDtype(torchDtype: string | null): string {
  const dtype = !torchDtype || torchDtype === 'float32' || torchDtype === 'float' ? 'bfloat16' : torchDtype;
  return `torch.${dtype}`;
}

const GIB = 1024 ** 3;
/** `52,512`, as Python's f"{n:,}" (without toLocaleString, whose first call loads ICU: ~10 ms of start-up). */
export function thousands(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export interface ServingFacts {
  version: string;
  settings: Settings;
  profile: ResolvedProfile;
  tokenizer: { name: string; loadMs?: number };
  /** Bound HTTP and gRPC ports (gRPC undefined when off) of each data-parallel rank this process serves, rank 0 first. */
  ranks: readonly { httpPort: number; grpcPort?: number }[];
  pid: number;
  /** The additional served models (--add-model), each with its own engine. */
  models?: readonly AdditionalModelFacts[];
}

/** What the start-up log says of an additional served model. */
export interface AdditionalModelFacts {
  name: string;
  model: string;
  description: string;
  maxModelLen: number;
  kvCacheBlocks: number;
  tokenizer: string;
}

/**
 * What vLLM logs once the engine is up and the server listens, in its words: the engine config,
 * the KV cache (memory, tokens, blocks, maximum concurrency at max_model_len), the URL, and
 * uvicorn's start-up lines that scripts wait for. One line says what is simulated.
 */
export function servingLines(facts: ServingFacts): SummaryLine[] {
  const { settings, profile } = facts;
  const model = profile.modelSpec;
  const maxModelLen = profile.contextWindow.maxModelLen;
  const blocks = profile.kvCacheBlocks;
  const kvTokens = profile.kvCapacity.tokens;
  const blocksPerRequest = Math.ceil(maxModelLen / profile.blockSize);
  const maxConcurrency = blocks / blocksPerRequest;
  const dtype = servedDtype(model.torchDtype);
  const served = primaryServedName(settings);
  const engineConfig = [
    `model='${settings.model}'`,
    `tokenizer='${settings.model}'`,
    `dtype=${dtype}`,
    `max_seq_len=${maxModelLen}`,
    `tensor_parallel_size=${profile.tensorParallelSize}`,
    `kv_cache_dtype=${settings.kv_cache_dtype}`,
    `seed=${settings.seed ?? 'None'}`,
    `served_model_name=${served}`,
    `enable_prefix_caching=${settings.enable_prefix_caching ? 'True' : 'False'}`,
    'chunked_prefill_enabled=True',
  ].join(', ');
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const tokenizer = `${facts.tokenizer.name}${facts.tokenizer.loadMs !== undefined ? `, loaded in ${facts.tokenizer.loadMs.toFixed(0)} ms` : ''}`;
  const lines: SummaryLine[] = [
    info('core', `Initializing a V1 LLM engine (v${facts.version}) with config: ${engineConfig}`, {
      model: settings.model,
      served_model_name: served,
      dtype,
      max_model_len: maxModelLen,
      tensor_parallel_size: profile.tensorParallelSize,
      kv_cache_dtype: settings.kv_cache_dtype,
    }),
    info('simulator', `Simulating ${profile.description.replace(/;.*$/, '')}; tokenizer ${tokenizer}; latency scale ${settings.latency_scale}`, {
      gpu: profile.gpuId,
      tensor_parallel_size: profile.tensorParallelSize,
      latency_scale: settings.latency_scale,
      tokenizer: facts.tokenizer.name,
    }),
    info('gpu_worker', `Available KV cache memory: ${(profile.kvCapacity.kvBytesPerGpu / GIB).toFixed(2)} GiB`, { kv_cache_memory_gib: round2(profile.kvCapacity.kvBytesPerGpu / GIB) }),
    info('kv_cache_utils', `GPU KV cache size: ${thousands(kvTokens)} tokens`, { kv_cache_tokens: kvTokens, kv_cache_blocks: blocks, block_size: profile.blockSize }),
    info('kv_cache_utils', `Maximum concurrency for ${thousands(maxModelLen)} tokens per request: ${maxConcurrency.toFixed(2)}x`, {
      max_model_len: maxModelLen,
      max_concurrency: round2(maxConcurrency),
    }),
    info('core', `Engine 000: vllm cache_config_info with initialization after num_gpu_blocks is: ${blocks}`, { num_gpu_blocks: blocks }),
    ...(facts.models ?? []).map((m) =>
      info('simulator', `Also serving '${m.name}' (${m.model}) with its own engine: ${m.description.replace(/;.*$/, '')}; max_model_len ${m.maxModelLen}; ${m.kvCacheBlocks} KV cache blocks; tokenizer ${m.tokenizer}`, {
        served_model_name: m.name,
        model: m.model,
        max_model_len: m.maxModelLen,
        num_gpu_blocks: m.kvCacheBlocks,
        tokenizer: m.tokenizer,
      }),
    ),
    ...facts.ranks.flatMap((ports, rank) => {
      const dp = facts.ranks.length > 1 ? ` (data-parallel rank ${rank})` : '';
      return [
        info('api_server', `Starting vLLM API server ${rank} on http://${host}:${ports.httpPort}${dp}`, { host: settings.host, port: ports.httpPort, data_parallel_rank: rank }),
        info(
          'grpc_server',
          ports.grpcPort === undefined
            ? `gRPC server off (--grpc-port -1)${dp}`
            : `gRPC server (vllm.grpc.engine.VllmEngine, grpc.health.v1.Health) on ${host}:${ports.grpcPort}${dp}`,
          { grpc_port: ports.grpcPort ?? null, data_parallel_rank: rank },
        ),
      ];
    }),
    info('uvicorn.error', `Started server process [${facts.pid}]`),
    info('uvicorn.error', 'Waiting for application startup.'),
    info('uvicorn.error', 'Application startup complete.'),
  ];
  return lines;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
