import { ApiError } from '../api/api-error';
import { FAULT_DEFAULTS, FaultType } from './fault.types';

export interface FaultErrorContext {
  model?: string;
  maxModelLen: number;
  delayMs?: number;
  /** rate_limit: the `Retry-After` seconds. */
  retryAfter?: number;
}

/**
 * What a client sees for each failing fault, in vLLM's error shape. Status codes are the ones the
 * OpenAI SDKs turn into their error classes (429 RateLimitError, 401 AuthenticationError, ...).
 * `disconnect` and `slow` have no error: one drops the connection, the other only delays.
 */
export function faultError(type: FaultType, ctx: FaultErrorContext): ApiError | null {
  switch (type) {
    case 'rate_limit':
      return new ApiError(429, 'Rate limit exceeded: too many requests (simulated fault).', null, undefined, {
        'retry-after': String(ctx.retryAfter ?? FAULT_DEFAULTS.retry_after),
      });
    case 'server_error':
      return new ApiError(500, 'Internal server error (simulated fault).');
    case 'unavailable':
      return new ApiError(503, 'The server is temporarily unavailable (simulated fault).');
    case 'invalid_api_key':
      return new ApiError(401, 'Incorrect API key provided (simulated fault).');
    case 'model_not_found':
      return ApiError.modelNotFound(ctx.model ?? 'unknown');
    case 'context_length':
      return ApiError.contextLength(ctx.maxModelLen, ctx.maxModelLen + 1);
    case 'invalid_request':
      return ApiError.badRequest('Invalid request (simulated fault).');
    case 'timeout':
      return new ApiError(504, `The request timed out after ${ctx.delayMs ?? 0} ms (simulated fault).`);
    case 'stream_abort':
      return new ApiError(500, 'The generation was aborted mid-stream (simulated fault).');
    case 'disconnect':
    case 'slow':
      return null;
  }
}
