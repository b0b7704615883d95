/**
 * The messages of proto/vllm_engine.proto as proto-loader hands them over with GRPC_LOADER_OPTIONS
 * (snake_case, defaults filled in, proto3 `optional` fields undefined when absent).
 */
export interface TokenizedInput {
  original_text: string;
  input_ids: number[];
}

export interface SamplingParams {
  temperature?: number;
  top_p: number;
  top_k: number;
  min_p: number;
  frequency_penalty: number;
  presence_penalty: number;
  repetition_penalty: number;
  max_tokens?: number;
  min_tokens: number;
  stop: string[];
  stop_token_ids: number[];
  ignore_eos: boolean;
  n: number;
  logprobs?: number;
  seed?: number;
  include_stop_str_in_output: boolean;
}

export interface GenerateRequest {
  request_id: string;
  input?: 'text' | 'tokenized';
  text?: string;
  tokenized?: TokenizedInput | null;
  sampling_params: SamplingParams | null;
  stream: boolean;
}

export interface GenerateStreamChunk {
  token_ids: number[];
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
}

export interface GenerateComplete {
  output_ids: number[];
  finish_reason: string;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
}

export type GenerateResponse = { chunk: GenerateStreamChunk } | { complete: GenerateComplete };

export interface EmbedRequest {
  request_id: string;
  tokenized: TokenizedInput | null;
}

export interface EmbedResponse {
  embedding: number[];
  prompt_tokens: number;
  embedding_dim: number;
}

export interface HealthCheckResponse {
  healthy: boolean;
  message: string;
}

export interface AbortRequest {
  request_ids: string[];
}

export interface GetModelInfoResponse {
  model_path: string;
  is_generation: boolean;
  max_context_length: number;
  vocab_size: number;
  supports_vision: boolean;
}

export interface GetServerInfoResponse {
  active_requests: number;
  is_paused: boolean;
  last_receive_timestamp: number;
  uptime_seconds: number;
  server_type: string;
}
