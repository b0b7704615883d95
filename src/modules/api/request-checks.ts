import { Settings } from '../../config/settings';
import { ApiError, contextLengthMessage } from './api-error';

/** vLLM's sampling parameters as every door reads them (an HTTP DTO or a gRPC message). */
export interface SamplingParams {
  n?: number | null;
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  min_p?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  repetition_penalty?: number | null;
  min_tokens?: number | null;
  stream?: boolean | null;
  stream_options?: object | null;
  stop?: string | string[] | null;
  stop_token_ids?: number[] | null;
  ignore_eos?: boolean | null;
  include_stop_str_in_output?: boolean | null;
}

/** The limits on the work one request may cause that every door checks (docs/limits.md). */
export type RequestLimits = Pick<Settings, 'max_n_sequences' | 'max_request_sequences' | 'max_logprobs' | 'max_stop_strings'>;

/** Most stop_token_ids a request may give. */
const MAX_STOP_TOKEN_IDS = 1024;
/** The longest stop string a request may give (characters). */
const MAX_STOP_STRING_LENGTH = 1024;

const fail = (param: string | null, message: string): never => {
  throw ApiError.badRequest(message, param);
};
const fmt = (v: number): string => (Number.isInteger(v) ? `${v}.0` : `${v}`);

/** The range checks of vLLM's SamplingParams, with its messages, and the limits of `n` and `stop`. */
export function checkSampling(dto: SamplingParams, limits: RequestLimits): void {
  if (dto.n != null && dto.n < 1) fail('n', `n must be at least 1, got ${dto.n}.`);
  if (dto.n != null && dto.n > limits.max_n_sequences) {
    fail('n', `n must be at most ${limits.max_n_sequences}, got ${dto.n}. To increase this limit, set --max-n-sequences or the VLLM_MAX_N_SEQUENCES environment variable.`);
  }
  const stop = dto.stop == null ? [] : typeof dto.stop === 'string' ? [dto.stop] : dto.stop;
  if (stop.length > limits.max_stop_strings) fail('stop', `stop: at most ${limits.max_stop_strings} stop strings are accepted, got ${stop.length} (--max-stop-strings).`);
  if (stop.some((s) => s.length > MAX_STOP_STRING_LENGTH)) fail('stop', `stop: a stop string may have at most ${MAX_STOP_STRING_LENGTH} characters.`);
  if ((dto.stop_token_ids?.length ?? 0) > MAX_STOP_TOKEN_IDS) {
    fail('stop_token_ids', `stop_token_ids: at most ${MAX_STOP_TOKEN_IDS} token ids are accepted, got ${dto.stop_token_ids!.length}.`);
  }
  if (dto.max_tokens != null && dto.max_tokens < 1) fail('max_tokens', `max_tokens must be at least 1, got ${dto.max_tokens}.`);
  if (dto.temperature != null && dto.temperature < 0) fail('temperature', `temperature must be non-negative, got ${fmt(dto.temperature)}.`);
  if (dto.top_p != null && !(dto.top_p > 0 && dto.top_p <= 1)) fail('top_p', `top_p must be in (0, 1], got ${fmt(dto.top_p)}.`);
  if (dto.top_k != null && dto.top_k < -1) fail('top_k', `top_k must be 0 (disable), or at least 1, got ${dto.top_k}.`);
  if (dto.min_p != null && !(dto.min_p >= 0 && dto.min_p <= 1)) fail('min_p', `min_p must be in [0, 1], got ${fmt(dto.min_p)}.`);
  for (const key of ['presence_penalty', 'frequency_penalty'] as const) {
    const v = dto[key];
    if (v != null && !(v >= -2 && v <= 2)) fail(key, `${key} must be in [-2, 2], got ${fmt(v)}.`);
  }
  if (dto.repetition_penalty != null && !(dto.repetition_penalty > 0)) {
    fail('repetition_penalty', `repetition_penalty must be greater than zero, got ${fmt(dto.repetition_penalty)}.`);
  }
  if (dto.min_tokens != null && dto.max_tokens != null && dto.min_tokens > dto.max_tokens) {
    fail('min_tokens', `min_tokens must be less than or equal to max_tokens=${dto.max_tokens}, got ${dto.min_tokens}.`);
  }
  if (dto.stream_options != null && !dto.stream) fail('stream_options', 'Stream options can only be defined when `stream=True`.');
}

export function checkLogprobs(value: number | null | undefined, param: string, limits: RequestLimits): void {
  if (value == null) return;
  if (value < 0) fail(param, `${param} must be non-negative, got ${value}.`);
  if (value > limits.max_logprobs) fail(param, `Requested sample logprobs of ${value}, which is greater than max allowed: ${limits.max_logprobs}`);
}

/** A request may ask for at most `max_request_sequences` sequences: its prompts times n. */
export function checkSequences(prompts: number, n: number, limits: RequestLimits): void {
  if (prompts * n <= limits.max_request_sequences) return;
  const what = prompts > 1 ? `${prompts} prompts × n=${n}` : `n=${n}`;
  fail(prompts > limits.max_request_sequences ? 'prompt' : 'n', `The request asks for ${what} = ${prompts * n} sequences; at most ${limits.max_request_sequences} are accepted (--max-request-sequences).`);
}

/**
 * The context-window checks of vLLM's serving layer, and the effective max_tokens: the request's,
 * else `fallback` (completions: 16), else the rest of the window (chat).
 */
export function effectiveMaxTokens(requested: number | null | undefined, fallback: number | null, promptTokens: number, maxModelLen: number): number {
  if (promptTokens >= maxModelLen) {
    fail('messages', contextLengthMessage(maxModelLen, promptTokens));
  }
  const room = maxModelLen - promptTokens;
  if (requested != null) {
    if (requested > room) {
      fail(
        'max_tokens',
        `'max_tokens' or 'max_completion_tokens' is too large: ${requested}. This model's maximum context length is ${maxModelLen} tokens and your request has ${promptTokens} input tokens (${requested} > ${maxModelLen} - ${promptTokens}).`,
      );
    }
    return requested;
  }
  return fallback === null ? room : Math.min(fallback, room);
}

/** vLLM's CompletionRequest refuses an empty prompt string before tokenizing it. */
export const EMPTY_PROMPT_MESSAGE = 'Either prompt or prompt_embeds must be provided and non-empty.';
/** vLLM's renderer refuses a prompt list with nothing in it (`prompt: []`); a ValueError, so no param. */
export const NO_PROMPT_MESSAGE = 'You must pass at least one prompt';

/**
 * The checks vLLM's engine input processor makes on a tokenized prompt, with its messages: it is
 * not empty, and no token id is past the vocabulary. Every door (completions, gRPC Generate) calls
 * this, so the messages agree. vLLM names no parameter for these (`param: null` over HTTP).
 */
export function checkPromptTokens(tokenIds: readonly number[], vocabSize: number, param: string | null = null): void {
  if (tokenIds.length === 0) fail(param, 'The decoder prompt cannot be empty');
  checkTokenIdsInVocabulary(tokenIds, vocabSize, param);
}

/** vLLM names the largest id when any is out of the vocabulary (ids 0..vocabSize-1). */
export function checkTokenIdsInVocabulary(tokenIds: readonly number[], vocabSize: number, param: string | null = null): void {
  let max = 0;
  for (const id of tokenIds) if (id > max) max = id;
  if (max >= vocabSize) fail(param, `Token id ${max} is out of vocabulary`);
}

export function stopList(stop: string | string[] | null | undefined): string[] {
  if (stop == null) return [];
  return (typeof stop === 'string' ? [stop] : stop).filter((s) => s.length > 0);
}

/** The reply fields of a ReplyRequest that come straight from the sampling parameters. */
export function replyLimits(dto: SamplingParams): { minTokens: number; ignoreEos: boolean; stop: string[]; stopTokenIds: number[]; includeStopStr: boolean } {
  return {
    minTokens: dto.min_tokens ?? 0,
    ignoreEos: dto.ignore_eos === true,
    stop: stopList(dto.stop),
    stopTokenIds: dto.stop_token_ids ?? [],
    includeStopStr: dto.include_stop_str_in_output === true,
  };
}

/**
 * llm-d-inference-sim's cache hit threshold: the request's `cache_hit_threshold`, honoured with
 * `--enable-kvcache` (upstream vLLM has no such field and ignores it), else `--global-cache-hit-threshold`.
 */
export function cacheHitThresholdOf(requested: number | null | undefined, settings: Pick<Settings, 'enable_kvcache' | 'global_cache_hit_threshold'>): number | undefined {
  if (settings.enable_kvcache && requested != null) return requested;
  const global = settings.global_cache_hit_threshold;
  return global !== undefined && global > 0 ? global : undefined;
}
