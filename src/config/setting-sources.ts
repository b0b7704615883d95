import { SettingKey } from './settings';

export type SettingKind = 'string' | 'int' | 'number' | 'bool' | 'list';

export interface SettingSource {
  key: SettingKey;
  kind: SettingKind;
  /** vLLM's spelling first; aliases after. */
  flags: string[];
  env?: string;
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
  { key: 'response_mode', kind: 'string', flags: ['--response-mode'], env: 'RESPONSE_MODE', help: 'patterns | echo | random' },
  { key: 'latency_scale', kind: 'number', flags: ['--latency-scale'], env: 'LATENCY_SCALE', help: 'multiplies every simulated delay; 0 = answer at once' },
  { key: 'seed', kind: 'int', flags: ['--seed'], env: 'SEED', help: 'makes reply choice, lengths and jitter reproducible' },
  { key: 'api_key', kind: 'string', flags: ['--api-key'], env: 'API_KEY', help: 'when set, /v1/* needs Authorization: Bearer KEY' },
  { key: 'admin_api_key', kind: 'string', flags: ['--admin-api-key'], env: 'ADMIN_API_KEY', help: 'when set, /admin/* needs it; else loopback only' },
  { key: 'log_level', kind: 'string', flags: ['--log-level', '--uvicorn-log-level'], env: 'LOG_LEVEL', help: 'trace | debug | info | warning | error | critical' },
  { key: 'ttft_ms', kind: 'number', flags: ['--ttft-ms'], env: 'TTFT_MS', help: 'fixed time to first token (ms), replaces the derived prefill time' },
  { key: 'itl_ms', kind: 'number', flags: ['--itl-ms'], env: 'ITL_MS', help: 'fixed inter-token latency (ms), replaces the derived decode step time' },
  { key: 'prefill_ms_per_token', kind: 'number', flags: ['--prefill-ms-per-token'], env: 'PREFILL_MS_PER_TOKEN', help: 'fixed prefill cost per prompt token (ms)' },
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
  { key: 'server_dev_mode', kind: 'bool', flags: ['--server-dev-mode'], env: 'VLLM_SERVER_DEV_MODE', help: "vLLM's development routes: /sleep, /wake_up, /is_sleeping, /reset_prefix_cache, /server_info" },
  { key: 'sleep_reload_gbps', kind: 'number', flags: ['--sleep-reload-gbps'], env: 'SLEEP_RELOAD_GBPS', help: 'GB/s at which waking copies the weights back to each GPU' },
  { key: 'additional_models', kind: 'list', flags: ['--add-model'], env: 'ADDITIONAL_MODELS', repeatable: true, help: "serve another model beside --model: 'MODEL;gpu_type=NVIDIA-H100;tensor_parallel_size=2;served_model_name=alias' (repeatable)" },
  { key: 'config', kind: 'string', flags: ['--config'], env: 'SIM_CONFIG', help: 'config file (YAML); default config/simulator.yaml when present' },
];

/**
 * vLLM flags that take no value. Any other unknown flag is taken to carry one value when the next
 * argument does not start with `-`, so `--dtype auto` never swallows the positional model.
 */
export const VLLM_BOOLEAN_FLAGS = new Set([
  '--enforce-eager', '--trust-remote-code', '--disable-log-requests', '--disable-log-stats',
  '--enable-log-requests', '--disable-custom-all-reduce', '--enable-chunked-prefill', '--no-enable-chunked-prefill',
  '--enable-lora', '--enable-auto-tool-choice', '--disable-frontend-multiprocessing',
  '--enable-server-load-tracking', '--disable-fastapi-docs', '--enable-request-id-headers', '--disable-uvicorn-access-log',
  '--skip-tokenizer-init', '--enable-expert-parallel', '--disable-sliding-window',
  '--disable-cascade-attn', '--async-scheduling', '--enable-force-include-usage', '--enable-tokenizer-info-endpoint',
  '--return-tokens-as-token-ids', '--enable-prompt-embeds', '--headless', '--disable-async-output-proc',
  '--use-v2-block-manager', '--enable-log-outputs', '--enable-mfu-metrics', '--no-enable-log-requests',
]);
