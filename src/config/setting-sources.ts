import { SettingKey } from './settings';

/** `duration`: milliseconds, given as a number or as a Go duration (`250ms`, `1.5s`, `2m`) as llm-d-inference-sim takes them. */
export type SettingKind = 'string' | 'int' | 'number' | 'bool' | 'list' | 'duration';

export interface SettingSource {
  key: SettingKey;
  kind: SettingKind;
  /** vLLM's spelling first; aliases after. */
  flags: string[];
  /** The environment variable (or variables, the first set wins). */
  env?: string | string[];
  /** One line for `--help` and the README's configuration reference. */
  help: string;
  /** A list flag given several times adds to the list (rather than replacing it). */
  repeatable?: true;
}

/**
 * Where each setting can come from. One table drives argv parsing, the environment, `--help` and
 * the README's reference, so a new setting is added here and nowhere else.
 */
export const SETTING_SOURCES: SettingSource[] = [
  { key: 'model', kind: 'string', flags: ['--model'], env: 'MODEL_NAME', help: 'model to impersonate (also positional, as in `vllm serve MODEL`)' },
  { key: 'served_model_name', kind: 'list', flags: ['--served-model-name'], env: 'SERVED_MODEL_NAME', help: 'name(s) clients use; default = model' },
  { key: 'gpu_type', kind: 'string', flags: ['--gpu-type'], env: 'GPU_TYPE', help: 'GPU whose speed is simulated (NVIDIA-L4, NVIDIA-A100-80GB, NVIDIA-H100, ...)' },
  { key: 'tensor_parallel_size', kind: 'int', flags: ['--tensor-parallel-size', '-tp'], env: 'TENSOR_PARALLEL_SIZE', help: 'GPUs per replica' },
  { key: 'port', kind: 'int', flags: ['--port'], env: 'PORT', help: 'HTTP port (0 = a free one, logged)' },
  { key: 'grpc_port', kind: 'int', flags: ['--grpc-port'], env: 'GRPC_PORT', help: 'gRPC port (0 = a free one; -1 or --no-grpc = off)' },
  { key: 'host', kind: 'string', flags: ['--host'], env: 'HOST', help: 'bind address' },
  { key: 'max_model_len', kind: 'int', flags: ['--max-model-len'], env: 'MAX_MODEL_LEN', help: "context window; default = the model's, capped at what the KV cache holds" },
  { key: 'runner', kind: 'string', flags: ['--runner'], env: 'RUNNER', help: 'auto | generate | pooling (embeddings, score, rerank, classify); auto = from the model' },
  { key: 'convert', kind: 'string', flags: ['--convert'], env: 'CONVERT', help: 'pooling runner: auto | none | embed | classify | reward' },
  { key: 'task', kind: 'string', flags: ['--task'], env: 'TASK', help: "vLLM's older task flag: generate | embed | classify | score | reward" },
  { key: 'reasoning_parser', kind: 'string', flags: ['--reasoning-parser'], env: 'REASONING_PARSER', help: 'the model reasons; its thinking is split out as this vLLM parser does (qwen3, deepseek_r1, openai_gptoss, ...)' },
  { key: 'enable_reasoning', kind: 'bool', flags: ['--enable-reasoning'], env: 'ENABLE_REASONING', help: "older vLLM's switch for --reasoning-parser (which it needs)" },
  { key: 'max_num_seqs', kind: 'int', flags: ['--max-num-seqs'], env: 'MAX_NUM_SEQS', help: 'running-batch limit of the engine' },
  { key: 'max_num_batched_tokens', kind: 'int', flags: ['--max-num-batched-tokens'], env: 'MAX_NUM_BATCHED_TOKENS', help: 'token budget of one engine step' },
  { key: 'gpu_memory_utilization', kind: 'number', flags: ['--gpu-memory-utilization'], env: 'GPU_MEMORY_UTILIZATION', help: 'share of GPU memory vLLM may use (sizes the KV cache)' },
  { key: 'enable_prefix_caching', kind: 'bool', flags: ['--enable-prefix-caching'], env: 'ENABLE_PREFIX_CACHING', help: 'prefix caching on prompt block hashes (--no-enable-prefix-caching turns it off)' },
  { key: 'enable_prompt_tokens_details', kind: 'bool', flags: ['--enable-prompt-tokens-details'], env: 'ENABLE_PROMPT_TOKENS_DETAILS', help: 'usage.prompt_tokens_details.cached_tokens, when the prefix cache served part of the prompt' },
  { key: 'block_size', kind: 'int', flags: ['--block-size'], env: 'BLOCK_SIZE', help: 'KV cache block size in tokens' },
  { key: 'kv_cache_dtype', kind: 'string', flags: ['--kv-cache-dtype'], env: 'KV_CACHE_DTYPE', help: 'KV cache element type (auto = the model dtype; fp8 halves it)' },
  { key: 'responses_file', kind: 'string', flags: ['--responses-file'], env: 'RESPONSES_FILE', help: 'pattern file, hot-reloaded' },
  { key: 'responses_overlay_file', kind: 'string', flags: ['--responses-overlay-file'], env: 'RESPONSES_OVERLAY_FILE', help: 'admin pattern edits go here (on top of the responses file), which is then only read' },
  { key: 'response_mode', kind: 'string', flags: ['--response-mode', '--mode'], env: 'RESPONSE_MODE', help: 'patterns | echo | random' },
  { key: 'latency_scale', kind: 'number', flags: ['--latency-scale'], env: 'LATENCY_SCALE', help: 'multiplies every simulated delay; 0 = answer at once' },
  { key: 'seed', kind: 'int', flags: ['--seed'], env: 'SEED', help: 'makes reply choice, lengths and jitter reproducible' },
  { key: 'api_key', kind: 'string', flags: ['--api-key'], env: 'API_KEY', help: 'when set, /v1/* needs Authorization: Bearer KEY' },
  { key: 'admin_api_key', kind: 'string', flags: ['--admin-api-key'], env: 'ADMIN_API_KEY', help: 'when set, /admin/* needs it; else loopback only' },
  { key: 'log_level', kind: 'string', flags: ['--log-level', '--uvicorn-log-level'], env: 'LOG_LEVEL', help: 'trace | debug | info | warning | error | critical' },
  { key: 'ttft_ms', kind: 'duration', flags: ['--ttft-ms', '--time-to-first-token', '--prefill-overhead'], env: 'TTFT_MS', help: 'fixed time to first token (ms, or 100ms/1s), replaces the derived prefill time' },
  { key: 'itl_ms', kind: 'duration', flags: ['--itl-ms', '--inter-token-latency'], env: 'ITL_MS', help: 'fixed inter-token latency (ms, or 100ms/1s), replaces the derived decode step time' },
  { key: 'prefill_ms_per_token', kind: 'duration', flags: ['--prefill-ms-per-token', '--prefill-time-per-token'], env: 'PREFILL_MS_PER_TOKEN', help: 'fixed prefill cost per prompt token (ms, or 1ms)' },
  { key: 'latency_jitter', kind: 'number', flags: ['--latency-jitter'], env: 'LATENCY_JITTER', help: 'relative std-dev of step times (0.1 = 10%), seeded' },
  { key: 'model_config', kind: 'string', flags: ['--model-config'], env: 'MODEL_CONFIG', help: "a Hugging Face config.json for a model not in the catalog" },
  { key: 'startup_duration', kind: 'number', flags: ['--startup-duration'], env: 'STARTUP_DURATION', help: 'simulated model loading (s): live at once, ready after' },
  { key: 'shutdown_grace_period', kind: 'number', flags: ['--shutdown-grace-period'], env: 'SHUTDOWN_GRACE_PERIOD', help: 'SIGTERM drain: how long requests in flight may finish (s)' },
  { key: 'max_request_body_size_mb', kind: 'number', flags: ['--max-request-body-size-mb'], env: 'MAX_REQUEST_BODY_SIZE_MB', help: 'largest request body in MiB (413 above)' },
  { key: 'max_json_depth', kind: 'int', flags: ['--max-json-depth'], env: 'MAX_JSON_DEPTH', help: 'deepest JSON nesting of a request body (400 above)' },
  { key: 'max_n_sequences', kind: 'int', flags: ['--max-n-sequences'], env: 'VLLM_MAX_N_SEQUENCES', help: 'largest n (400 above)' },
  { key: 'max_request_sequences', kind: 'int', flags: ['--max-request-sequences'], env: 'MAX_REQUEST_SEQUENCES', help: 'most sequences (prompts × n) one request may ask for (400 above)' },
  { key: 'max_logprobs', kind: 'int', flags: ['--max-logprobs'], env: 'MAX_LOGPROBS', help: 'largest logprobs / top_logprobs (400 above)' },
  { key: 'max_stop_strings', kind: 'int', flags: ['--max-stop-strings'], env: 'MAX_STOP_STRINGS', help: 'most stop strings per request (400 above)' },
  { key: 'max_tools', kind: 'int', flags: ['--max-tools'], env: 'MAX_TOOLS', help: 'most tools per chat request (400 above)' },
  { key: 'max_messages', kind: 'int', flags: ['--max-messages'], env: 'MAX_MESSAGES', help: 'most chat messages per request (400 above)' },
  { key: 'timeout_keep_alive', kind: 'number', flags: ['--timeout-keep-alive'], env: 'VLLM_HTTP_TIMEOUT_KEEP_ALIVE', help: 'idle keep-alive connections close after this many seconds' },
  { key: 'headers_timeout', kind: 'number', flags: ['--headers-timeout'], env: 'HEADERS_TIMEOUT', help: 'seconds a client has to send its request headers (408 after)' },
  { key: 'request_timeout', kind: 'number', flags: ['--request-timeout'], env: 'REQUEST_TIMEOUT', help: 'seconds a client has to send its whole request (408 after)' },
  { key: 'stream_buffer_kb', kind: 'int', flags: ['--stream-buffer-kb'], env: 'STREAM_BUFFER_KB', help: 'KiB a stream may have waiting for a slow client before its chunks are merged' },
  { key: 'responses_store', kind: 'bool', flags: ['--responses-store'], env: 'VLLM_ENABLE_RESPONSES_API_STORE', help: 'keep Responses API responses (previous_response_id, GET /v1/responses/{id}); off as in vLLM' },
  { key: 'max_stored_responses', kind: 'int', flags: ['--max-stored-responses'], env: 'MAX_STORED_RESPONSES', help: 'most responses the store keeps (oldest forgotten first)' },
  { key: 'enable_sleep_mode', kind: 'bool', flags: ['--enable-sleep-mode'], env: 'ENABLE_SLEEP_MODE', help: '/sleep and /wake_up work (served with VLLM_SERVER_DEV_MODE)' },
  { key: 'server_dev_mode', kind: 'bool', flags: ['--server-dev-mode'], env: 'VLLM_SERVER_DEV_MODE', help: "vLLM's development routes: /sleep, /wake_up, /is_sleeping, /server_info" },
  { key: 'sleep_reload_gbps', kind: 'number', flags: ['--sleep-reload-gbps'], env: 'SLEEP_RELOAD_GBPS', help: 'GB/s at which waking copies the weights back to each GPU' },
  { key: 'additional_models', kind: 'list', flags: ['--add-model'], env: 'ADDITIONAL_MODELS', repeatable: true, help: "serve another model beside --model: 'MODEL;gpu_type=NVIDIA-H100;tensor_parallel_size=2;served_model_name=alias' (repeatable)" },
  { key: 'kv_events_config', kind: 'string', flags: ['--kv-events-config'], env: 'KV_EVENTS_CONFIG', help: "vLLM's KV cache events JSON: enable_kv_cache_events, publisher zmq, endpoint, replay_endpoint, buffer_steps, hwm, topic" },
  { key: 'enable_kvcache', kind: 'bool', flags: ['--enable-kvcache'], env: 'ENABLE_KVCACHE', help: "llm-d-inference-sim's: publish KV events to --zmq-endpoint on llm-d's topic kv@<pod-ip>:<port>@<model>" },
  { key: 'zmq_endpoint', kind: 'string', flags: ['--zmq-endpoint'], env: 'ZMQ_ENDPOINT', help: 'KV events address with --enable-kvcache (binds for * / :: / ipc, else connects)' },
  { key: 'kv_events_replay_endpoint', kind: 'string', flags: ['--kv-events-replay-endpoint'], env: 'KV_EVENTS_REPLAY_ENDPOINT', help: 'replay ROUTER address with --enable-kvcache' },
  { key: 'kv_events_replay_queue_size', kind: 'int', flags: ['--kv-events-replay-queue-size'], env: 'KV_EVENTS_REPLAY_QUEUE_SIZE', help: 'event batches kept for replay with --enable-kvcache' },
  { key: 'kv_events_format', kind: 'string', flags: ['--kv-events-format'], env: 'KV_EVENTS_FORMAT', help: 'map (vLLM\'s "type"-tagged maps) | positional (arrays, older vLLM and llm-d-inference-sim)' },
  { key: 'kv_events_int_hashes', kind: 'bool', flags: ['--kv-events-use-int-block-hashes'], env: 'VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES', help: 'block hashes as 64-bit integers (default) or 32-byte digests' },
  { key: 'prefix_caching_hash_algo', kind: 'string', flags: ['--prefix-caching-hash-algo'], env: 'PREFIX_CACHING_HASH_ALGO', help: 'sha256 (pickle, vLLM\'s default) | sha256_cbor: how KV-event block hashes are computed' },
  { key: 'python_hash_seed', kind: 'string', flags: ['--hash-seed'], env: 'PYTHONHASHSEED', help: "seeds the block hash chain as vLLM's NONE_HASH (unset: random, as vLLM)" },
  { key: 'num_gpu_blocks_override', kind: 'int', flags: ['--num-gpu-blocks-override', '--kv-cache-size'], env: 'NUM_GPU_BLOCKS_OVERRIDE', help: 'KV cache blocks, instead of the capacity derived from GPU memory' },
  { key: 'data_parallel_size', kind: 'int', flags: ['--data-parallel-size', '-dp'], env: 'DATA_PARALLEL_SIZE', help: 'engines in this process, rank k on port+k (gRPC and KV-event ports too)' },
  { key: 'data_parallel_rank', kind: 'int', flags: ['--data-parallel-rank', '-dpn'], env: 'DATA_PARALLEL_RANK', help: 'serve this one rank only (one process per rank)' },
  { key: 'enable_lora', kind: 'bool', flags: ['--enable-lora'], env: 'ENABLE_LORA', help: 'serve LoRA adapters' },
  { key: 'lora_modules', kind: 'list', flags: ['--lora-modules'], env: 'LORA_MODULES', help: 'adapters loaded at start-up: name=path or JSON {"name","path","base_model_name"}' },
  { key: 'max_loras', kind: 'int', flags: ['--max-loras'], env: 'MAX_LORAS', help: 'distinct adapters one batch may use (others wait)' },
  { key: 'max_cpu_loras', kind: 'int', flags: ['--max-cpu-loras'], env: 'MAX_CPU_LORAS', help: 'adapters kept in host memory (default max_loras); others are read from storage again' },
  { key: 'max_lora_rank', kind: 'int', flags: ['--max-lora-rank'], env: 'MAX_LORA_RANK', help: 'largest adapter rank (sizes what loading one costs)' },
  { key: 'allow_runtime_lora_updating', kind: 'bool', flags: ['--allow-runtime-lora-updating'], env: 'VLLM_ALLOW_RUNTIME_LORA_UPDATING', help: 'serve /v1/load_lora_adapter and /v1/unload_lora_adapter' },
  { key: 'kv_transfer_config', kind: 'string', flags: ['--kv-transfer-config'], env: 'KV_TRANSFER_CONFIG', help: "vLLM's P/D connector JSON (kv_connector, kv_role, ...)" },
  { key: 'kv_transfer_gb_per_s', kind: 'number', flags: ['--kv-transfer-gb-per-s'], env: 'KV_TRANSFER_GB_PER_S', help: "bandwidth of one GPU's KV transfer link (GB/s)" },
  { key: 'kv_transfer_latency_ms', kind: 'number', flags: ['--kv-transfer-latency-ms'], env: 'KV_TRANSFER_LATENCY_MS', help: 'fixed cost of one KV transfer (ms)' },
  { key: 'kv_cache_transfer_latency_ms', kind: 'duration', flags: ['--kv-cache-transfer-latency'], env: 'KV_CACHE_TRANSFER_LATENCY', help: 'a fixed KV transfer time instead of the derived one (ms, or 100ms)' },
  { key: 'kv_cache_transfer_ms_per_token', kind: 'duration', flags: ['--kv-cache-transfer-time-per-token'], env: 'KV_CACHE_TRANSFER_TIME_PER_TOKEN', help: 'KV transfer time per prompt token instead of the derived one (ms, or 1ms)' },
  { key: 'pod_name', kind: 'string', flags: ['--pod-name'], env: 'POD_NAME', help: 'sent back as x-inference-pod (with x-inference-port)' },
  { key: 'pod_namespace', kind: 'string', flags: ['--pod-namespace'], env: ['POD_NAMESPACE', 'NAMESPACE'], help: 'sent back as x-inference-namespace' },
  { key: 'pod_ip', kind: 'string', flags: ['--pod-ip'], env: 'POD_IP', help: "the address in llm-d's KV-event topic" },
  { key: 'global_cache_hit_threshold', kind: 'number', flags: ['--global-cache-hit-threshold'], env: 'GLOBAL_CACHE_HIT_THRESHOLD', help: 'below this prefix-cache hit rate (0..1) a request ends at once with finish_reason cache_threshold' },
  { key: 'failure_injection_rate', kind: 'int', flags: ['--failure-injection-rate'], env: 'FAILURE_INJECTION_RATE', help: 'percent of requests that fail with one of --failure-types' },
  { key: 'failure_types', kind: 'list', flags: ['--failure-types'], env: 'FAILURE_TYPES', help: 'rate_limit invalid_api_key context_length server_error invalid_request model_not_found (default: all)' },
  { key: 'fake_metrics', kind: 'string', flags: ['--fake-metrics'], env: 'FAKE_METRICS', help: "llm-d-inference-sim's fake metrics JSON: numbers reported instead of the engine's" },
  { key: 'config', kind: 'string', flags: ['--config'], env: 'SIM_CONFIG', help: 'config file (YAML); default config/simulator.yaml when present' },
  { key: 'log_format', kind: 'string', flags: ['--log-format'], env: 'LOG_FORMAT', help: "text (vLLM's and uvicorn's line formats) | json (one JSON object per line)" },
  { key: 'disable_log_stats', kind: 'bool', flags: ['--disable-log-stats'], env: 'DISABLE_LOG_STATS', help: "no periodic 'Engine 000: Avg prompt throughput ...' line" },
  { key: 'log_stats_interval', kind: 'number', flags: ['--log-stats-interval'], env: 'VLLM_LOG_STATS_INTERVAL', help: 'seconds between two engine stats lines (vLLM: 10)' },
  { key: 'disable_uvicorn_access_log', kind: 'bool', flags: ['--disable-uvicorn-access-log'], env: 'DISABLE_UVICORN_ACCESS_LOG', help: 'no access line per request' },
  { key: 'disable_access_log_for_endpoints', kind: 'string', flags: ['--disable-access-log-for-endpoints'], env: 'DISABLE_ACCESS_LOG_FOR_ENDPOINTS', help: 'comma-separated paths without an access line, e.g. /health,/metrics' },
];
