import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  ArrayMinSize,
  IsArray,
} from 'class-validator';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'warn', 'error', 'critical', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const RESPONSE_MODES = ['patterns', 'echo', 'random'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

/** vLLM's --runner: which runner serves the model (auto: from the model). */
export const RUNNERS = ['auto', 'generate', 'pooling'] as const;
/** vLLM's --convert: what a pooling runner makes of the model (auto: from the model). */
export const CONVERTS = ['auto', 'none', 'embed', 'classify', 'reward'] as const;
/** vLLM's older --task values, still accepted. */
export const TASKS = ['auto', 'generate', 'embed', 'embedding', 'classify', 'score', 'reward'] as const;

/** vLLM's registered reasoning parsers (vllm/reasoning/__init__.py); `gpt_oss` is taken for `openai_gptoss`. */
export const REASONING_PARSERS = [
  'deepseek_r1', 'deepseek_v3', 'ernie45', 'glm45', 'openai_gptoss', 'gpt_oss', 'granite', 'hunyuan_a13b', 'kimi_k2',
  'minimax_m2', 'minimax_m2_append_think', 'mistral', 'olmo3', 'qwen3', 'seed_oss', 'step3',
] as const;
export type ReasoningParserName = (typeof REASONING_PARSERS)[number];
export const KV_EVENT_FORMATS = ['map', 'positional'] as const;
export type KvEventFormat = (typeof KV_EVENT_FORMATS)[number];

export const DEFAULT_MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';
export const DEFAULT_GPU = 'NVIDIA-L4';

/**
 * Every start-up setting, typed once. Field names are the snake_case keys of the config file
 * (and the admin API), so one spelling travels from YAML to `GET /admin/config`.
 */
export class Settings {
  @IsString() @MinLength(1)
  model: string = DEFAULT_MODEL;

  /** Names clients may send in `model`; the first is the one responses echo. Empty = [model]. */
  @IsString({ each: true }) @ArrayMinSize(0)
  served_model_name: string[] = [];

  @IsString() @MinLength(1)
  gpu_type: string = DEFAULT_GPU;

  @IsInt() @Min(1) @Max(64)
  tensor_parallel_size = 1;

  @IsInt() @Min(0) @Max(65535)
  port = 8080;

  /** -1 disables the gRPC server. */
  @IsInt() @Min(-1) @Max(65535)
  grpc_port = 50051;

  @IsString() @MinLength(1)
  host = '0.0.0.0';

  /** Undefined = the model's context length. */
  @IsOptional() @IsInt() @Min(1)
  max_model_len?: number;

  /** generate (completions, chat, Responses, Messages) or pooling (embeddings, score, rerank, classify); auto = from the model. */
  @IsIn(RUNNERS)
  runner: (typeof RUNNERS)[number] = 'auto';

  @IsIn(CONVERTS)
  convert: (typeof CONVERTS)[number] = 'auto';

  /** The model reasons: its replies start with a thinking part, split out as vLLM's parser of this name splits it. */
  @IsOptional() @IsIn(REASONING_PARSERS)
  reasoning_parser?: ReasoningParserName;

  /** vLLM 0.7-0.9's switch for the reasoning parser (newer vLLM: the parser alone). */
  @IsBoolean()
  enable_reasoning = false;

  /** vLLM's older --task; when set it decides over runner and convert. */
  @IsOptional() @IsIn(TASKS)
  task?: (typeof TASKS)[number];

  /** Unset = vLLM's default for the GPU (1024 on GPUs of 70 GiB or more other than A100, else 256). */
  @IsOptional() @IsInt() @Min(1) @Max(65536)
  max_num_seqs?: number;

  /** Unset = vLLM's default for the GPU (8192 on GPUs of 70 GiB or more other than A100, else 2048). */
  @IsOptional() @IsInt() @Min(1)
  max_num_batched_tokens?: number;

  @IsNumber() @Min(0.01) @Max(1)
  gpu_memory_utilization = 0.9;

  @IsBoolean()
  enable_prefix_caching = true;

  @IsBoolean()
  enable_prompt_tokens_details = false;

  @IsIn([1, 8, 16, 32, 64, 128])
  block_size = 16;

  @IsIn(['auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2', 'bfloat16', 'float16'])
  kv_cache_dtype = 'auto';

  @IsString() @MinLength(1)
  responses_file = 'config/responses.yaml';

  /** When set, admin pattern edits are written here (an overlay on responses_file), not to responses_file. */
  @IsOptional() @IsString() @MinLength(1)
  responses_overlay_file?: string;

  @IsIn(RESPONSE_MODES)
  response_mode: ResponseMode = 'patterns';

  @IsNumber() @Min(0) @Max(1000)
  latency_scale = 1;

  @IsOptional() @IsInt() @Min(0) @Max(2 ** 31 - 1)
  seed?: number;

  @IsOptional() @IsString() @MinLength(1)
  api_key?: string;

  @IsOptional() @IsString() @MinLength(1)
  admin_api_key?: string;

  @IsIn(LOG_LEVELS)
  log_level: LogLevel = 'info';

  /** Fixed time to first token (ms); replaces the derived prefill cost. */
  @IsOptional() @IsNumber() @Min(0)
  ttft_ms?: number;

  /** Fixed inter-token latency (ms); replaces the derived decode step time. */
  @IsOptional() @IsNumber() @Min(0)
  itl_ms?: number;

  @IsOptional() @IsNumber() @Min(0)
  prefill_ms_per_token?: number;

  /** Relative standard deviation of every step time (0.1 = 10%). */
  @IsNumber() @Min(0) @Max(5)
  latency_jitter = 0;

  /** A Hugging Face config.json describing a model absent from the catalog. */
  @IsOptional() @IsString() @MinLength(1)
  model_config?: string;

  /** Simulated model loading (seconds): live at once, ready only after it elapses. */
  @IsNumber() @Min(0) @Max(86400)
  startup_duration = 0;

  /** How long a SIGTERM drain waits for requests in flight (seconds). */
  @IsNumber() @Min(0) @Max(86400)
  shutdown_grace_period = 30;

  // Limits on the work one request may cause (docs/limits.md). Each is refused with a 4xx in
  // vLLM's error shape when exceeded, never answered slowly.

  /** Largest request body (MiB); a bigger one is a 413. llm-d-inference-sim's name. */
  @IsNumber() @Min(0.001) @Max(1024)
  max_request_body_size_mb = 10;

  /** Deepest JSON nesting a body may have (objects and arrays). */
  @IsInt() @Min(8) @Max(1000)
  max_json_depth = 64;

  /** Largest `n` (vLLM's VLLM_MAX_N_SEQUENCES, with a smaller default). */
  @IsInt() @Min(1) @Max(65536)
  max_n_sequences = 128;

  /** Most sequences one request may ask for: prompts × n. */
  @IsInt() @Min(1) @Max(1_000_000)
  max_request_sequences = 1024;

  /** Largest `logprobs` / `top_logprobs` (vLLM's --max-logprobs). */
  @IsInt() @Min(0) @Max(1000)
  max_logprobs = 20;

  /** Most `stop` strings a request may give. */
  @IsInt() @Min(1) @Max(100_000)
  max_stop_strings = 64;

  /** Most `tools` a chat request may offer. */
  @IsInt() @Min(1) @Max(100_000)
  max_tools = 128;

  /** Most `messages` a chat (or /tokenize) request may carry. */
  @IsInt() @Min(1) @Max(1_000_000)
  max_messages = 2048;

  /** An idle keep-alive connection is closed after this many seconds (uvicorn's timeout_keep_alive). */
  @IsNumber() @Min(0.1) @Max(86400)
  timeout_keep_alive = 5;

  /** A client must have sent its request headers within this many seconds (else 408). */
  @IsNumber() @Min(0.1) @Max(86400)
  headers_timeout = 10;

  /** A client must have sent its whole request (headers and body) within this many seconds (else 408). */
  @IsNumber() @Min(0.1) @Max(86400)
  request_timeout = 30;

  /**
   * Bytes a stream may have waiting for its client (KiB) before the server stops writing to it and
   * merges what follows, as vLLM's output collector does for a slow reader.
   */
  @IsInt() @Min(1) @Max(1_048_576)
  stream_buffer_kb = 64;

  /** vLLM's VLLM_ENABLE_RESPONSES_API_STORE: keep responses for previous_response_id and GET /v1/responses/{id}. */
  @IsBoolean()
  responses_store = false;

  /** Most responses the store keeps; the oldest are forgotten first. */
  @IsInt() @Min(1) @Max(1_000_000)
  max_stored_responses = 1000;

  /** vLLM's --enable-sleep-mode: /sleep and /wake_up work (with VLLM_SERVER_DEV_MODE, which serves them). */
  @IsBoolean()
  enable_sleep_mode = false;

  /** vLLM's VLLM_SERVER_DEV_MODE: serves the development routes (/sleep, /wake_up, /is_sleeping, /reset_prefix_cache, /server_info). */
  @IsBoolean()
  server_dev_mode = false;

  /** GB/s at which waking from sleep copies the weights back to each GPU (host to device over PCIe). */
  @IsNumber() @Min(0.001) @Max(100_000)
  sleep_reload_gbps = 25;

  /**
   * More models served beside `model`, each with its own engine: `MODEL;key=value;...` strings
   * (flags, env) or mappings (config file) of per-model settings (see served-models.ts).
   */
  @IsOptional() @IsArray()
  additional_models?: unknown[];
  /** `text`: vLLM's and uvicorn's line formats; `json`: one JSON object per line, for log pipelines. */
  @IsIn(LOG_FORMATS)
  log_format: LogFormat = 'text';

  /** vLLM's --disable-log-stats: no periodic engine stats line. */
  @IsBoolean()
  disable_log_stats = false;

  /** Seconds between two engine stats lines (vLLM's VLLM_LOG_STATS_INTERVAL). */
  @IsNumber() @Min(0.01) @Max(86400)
  log_stats_interval = 10;

  /** vLLM's --disable-uvicorn-access-log. */
  @IsBoolean()
  disable_uvicorn_access_log = false;

  /** vLLM's --disable-access-log-for-endpoints: comma-separated paths that get no access line. */
  @IsOptional() @IsString()
  disable_access_log_for_endpoints?: string;

  // KV cache events (docs/kv-events.md)

  /** vLLM's --kv-events-config JSON (enable_kv_cache_events, publisher, endpoint, replay_endpoint, buffer_steps, hwm, topic). */
  @IsOptional() @IsString() @MinLength(2)
  kv_events_config?: string;

  /** llm-d-inference-sim's switch: publish KV events to zmq_endpoint on llm-d's topic (kv@<pod-ip>:<port>@<model>). */
  @IsBoolean()
  enable_kvcache = false;

  /** llm-d-inference-sim's publisher address (with enable_kvcache); connects unless it is a wildcard or ipc address. */
  @IsString() @MinLength(1)
  zmq_endpoint = 'tcp://127.0.0.1:5557';

  /** llm-d-inference-sim's replay ROUTER address (with enable_kvcache); unset = no replay. */
  @IsOptional() @IsString() @MinLength(1)
  kv_events_replay_endpoint?: string;

  /** Batches kept for replay with enable_kvcache (vLLM's buffer_steps). */
  @IsInt() @Min(1) @Max(1_000_000)
  kv_events_replay_queue_size = 1024;

  /** `map`: vLLM's "type"-tagged maps; `positional`: the arrays older vLLM and llm-d-inference-sim send. */
  @IsIn(KV_EVENT_FORMATS)
  kv_events_format: KvEventFormat = 'map';

  /** vLLM's VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES: hashes as 64-bit integers (true) or 32-byte digests. */
  @IsBoolean()
  kv_events_int_hashes = true;

  /** vLLM's --prefix-caching-hash-algo, for the hashes the KV events carry. */
  @IsIn(['sha256', 'sha256_cbor'])
  prefix_caching_hash_algo: 'sha256' | 'sha256_cbor' = 'sha256';

  /** PYTHONHASHSEED (a string, as Python reads it): seeds NONE_HASH; unset = random, as vLLM. */
  @IsOptional() @IsString()
  python_hash_seed?: string;

  /** llm-d-inference-sim's --kv-cache-size and vLLM's --num-gpu-blocks-override: KV blocks, instead of the derived capacity. */
  @IsOptional() @IsInt() @Min(1) @Max(100_000_000)
  num_gpu_blocks_override?: number;

  // Data parallel (docs/data-parallel.md)

  /** Engines served by this process, each on its own ports (port + rank) with its own KV cache and queue. */
  @IsInt() @Min(1) @Max(64)
  data_parallel_size = 1;

  /** This process serves only this rank (one process per rank); unset = ranks 0 .. size-1. */
  @IsOptional() @IsInt() @Min(0) @Max(1023)
  data_parallel_rank?: number;

  // LoRA adapters (docs/lora.md)

  @IsBoolean()
  enable_lora = false;

  /** `name=path` or JSON `{"name","path","base_model_name"}`, loaded at start-up. */
  @IsString({ each: true })
  lora_modules: string[] = [];

  /** Distinct adapters one batch may use. */
  @IsInt() @Min(1) @Max(256)
  max_loras = 1;

  /** Adapters kept in host memory; unset = max_loras. */
  @IsOptional() @IsInt() @Min(1) @Max(4096)
  max_cpu_loras?: number;

  @IsIn([1, 8, 16, 32, 64, 128, 256, 320, 512])
  max_lora_rank = 16;

  /** vLLM's VLLM_ALLOW_RUNTIME_LORA_UPDATING: serve /v1/load_lora_adapter and /v1/unload_lora_adapter. */
  @IsBoolean()
  allow_runtime_lora_updating = false;

  // Prefill/decode disaggregation (docs/disaggregation.md)

  /** vLLM's --kv-transfer-config JSON (kv_connector, kv_role, ...). */
  @IsOptional() @IsString() @MinLength(2)
  kv_transfer_config?: string;

  /** Bandwidth of one GPU's KV transfer link, GB/s. */
  @IsNumber() @Min(0.001) @Max(100_000)
  kv_transfer_gb_per_s = 25;

  /** Fixed cost of one KV transfer, ms. */
  @IsNumber() @Min(0) @Max(600_000)
  kv_transfer_latency_ms = 1;

  /** llm-d-inference-sim's --kv-cache-transfer-latency: a fixed transfer time (ms) instead of the derived one. */
  @IsOptional() @IsNumber() @Min(0) @Max(600_000)
  kv_cache_transfer_latency_ms?: number;

  /** llm-d-inference-sim's --kv-cache-transfer-time-per-token (ms per prompt token), instead of the derived time. */
  @IsOptional() @IsNumber() @Min(0) @Max(60_000)
  kv_cache_transfer_ms_per_token?: number;

  // llm-d's conventions (docs/llm-d.md)

  /** POD_NAME: sent back as x-inference-pod (with x-inference-port). */
  @IsOptional() @IsString() @MinLength(1)
  pod_name?: string;

  /** POD_NAMESPACE (or NAMESPACE): sent back as x-inference-namespace. */
  @IsOptional() @IsString() @MinLength(1)
  pod_namespace?: string;

  /** POD_IP: the address in llm-d's KV-event topic. */
  @IsString() @MinLength(1)
  pod_ip = '127.0.0.1';

  /** llm-d-inference-sim's --global-cache-hit-threshold (0..1): below this prefix-cache hit rate a request ends with finish_reason cache_threshold. */
  @IsOptional() @IsNumber() @Min(0) @Max(1)
  global_cache_hit_threshold?: number;

  /** llm-d-inference-sim's --failure-injection-rate: percent of requests that fail with one of failure_types. */
  @IsInt() @Min(0) @Max(100)
  failure_injection_rate = 0;

  /** llm-d-inference-sim's --failure-types (default: all of its types). */
  @IsString({ each: true })
  failure_types: string[] = [];

  /** llm-d-inference-sim's --fake-metrics JSON: fixed or generated numbers reported instead of the engine's. */
  @IsOptional() @IsString() @MinLength(2)
  fake_metrics?: string;

  /** Fault rules active from start-up (config file only): the rules of POST /admin/faults. */
  @IsOptional()
  faults?: unknown[];

  /** Path of the config file the settings were read from, if any. */
  @IsOptional() @IsString()
  config?: string;

  /** Extra GPUs / models declared in the config file (validated by the Benchmarks module). */
  @IsOptional()
  gpus?: unknown[];

  @IsOptional()
  models?: unknown[];
}

export type SettingKey = keyof Settings;

/** The name clients must send, and the one responses echo. */
export function primaryServedName(s: Settings): string {
  return s.served_model_name[0] ?? s.model;
}

export function servedNames(s: Settings): string[] {
  return s.served_model_name.length > 0 ? s.served_model_name : [s.model];
}
