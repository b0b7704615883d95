import { EngineRefusal } from '../engine/engine';
import { ReplyBudgetError } from '../responses/reply-errors';

/** vLLM's error `type` for each status, as `vllm/entrypoints/openai` builds it. */
export function errorTypeFor(status: number): string {
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

/** Why a server that is not ready takes no inference: the message vLLM's clients see. */
export function notServingMessage(draining: boolean): string {
  return draining ? 'The server is shutting down.' : 'The model is still loading.';
}

/**
 * An error a client sees, in vLLM's shape. Every door maps it once: HTTP as a JSON body (or an SSE
 * error event mid-stream), gRPC as a status.
 */
export class OpenAIError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly type: string = errorTypeFor(status),
    /** Response headers that go with the error (a 429's `retry-after`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'OpenAIError';
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.status } };
  }

  static badRequest(message: string, param: string | null = null): OpenAIError {
    return new OpenAIError(400, message, param);
  }

  static modelNotFound(model: string): OpenAIError {
    return new OpenAIError(404, `The model \`${model}\` does not exist.`, 'model');
  }

  static unavailable(message = 'The server is not ready to accept requests.'): OpenAIError {
    return new OpenAIError(503, message, null, 'ServiceUnavailableError');
  }

  /** Inference refused while the server starts (simulated model loading) or drains. */
  static notServing(draining: boolean): OpenAIError {
    return OpenAIError.unavailable(notServingMessage(draining));
  }
}

/**
 * An error raised below the doors, as the client must see it: a request the KV cache can never
 * hold is the client's (400, as vLLM rejects a request beyond max_model_len; gRPC maps the same
 * error to INVALID_ARGUMENT in grpc-status.ts), and so is a JSON schema whose smallest value cannot
 * be generated in the request's context window (400 naming the schema keyword). Anything else is
 * returned unchanged.
 */
export function fromEngineError(err: unknown): unknown {
  if (err instanceof EngineRefusal) return OpenAIError.badRequest(err.message);
  if (err instanceof ReplyBudgetError) return OpenAIError.badRequest(err.message, err.param);
  return err;
}
