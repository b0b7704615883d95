
/** vLLM's error `type` for each status, as `vllm/entrypoints/openai` builds it. */
function errorTypeFor(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequestError';
    case 401:
      return 'AuthenticationError';
    case 403:
      return 'PermissionDeniedError';
    case 404:
      return 'NotFoundError';
    case 409:
      return 'ConflictError';
    case 412:
      return 'PreconditionFailedError';
    case 413:
      return 'BadRequestError';
    case 429:
      return 'RateLimitError';
    case 501:
      return 'NotImplementedError';
    default:
      return status >= 500 ? 'InternalServerError' : 'BadRequestError';
  }
}

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: number };
}

/** vLLM's message for a prompt that alone fills the context window. */
export function contextLengthMessage(maxModelLen: number, inputTokens: number): string {
  return `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${inputTokens} input tokens. Please reduce the length of the input messages.`;
}

/** Why a server that is not ready takes no inference: the message vLLM's clients see. */
export function notServingMessage(draining: boolean): string {
  return draining ? 'The server is shutting down.' : 'The model is still loading.';
}

/**
 * An error a client sees, in vLLM's shape. Every door maps it once: HTTP as a JSON body (or an SSE
 * error event mid-stream), gRPC as a status.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly type: string = errorTypeFor(status),
    /** Response headers that go with the error (a 429's `retry-after`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.status } };
  }

  static badRequest(message: string, param: string | null = null): ApiError {
    return new ApiError(400, message, param);
  }

  /** vLLM's context-window refusal: the prompt alone fills the window. */
  static contextLength(maxModelLen: number, inputTokens: number, param: string | null = 'messages'): ApiError {
    return ApiError.badRequest(contextLengthMessage(maxModelLen, inputTokens), param);
  }

  static modelNotFound(model: string): ApiError {
    return new ApiError(404, `The model \`${model}\` does not exist.`, 'model');
  }

  static unavailable(message = 'The server is not ready to accept requests.'): ApiError {
    return new ApiError(503, message, null, 'ServiceUnavailableError');
  }

  /** Inference refused while the server starts (simulated model loading) or drains. */
  static notServing(draining: boolean): ApiError {
    return ApiError.unavailable(notServingMessage(draining));
  }
}
