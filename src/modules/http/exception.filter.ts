import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { UNSUPPORTED_MEDIA_TYPE_MESSAGE } from './json-body';
import { ApiError } from '../api/api-error';

/** Maps any error an HTTP handler throws to vLLM's error body, once for every route. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = toApiError(exception);
    // A 5xx the simulator meant (an injected fault, a drain's 503) is no failure of its own.
    if (error.status >= 500 && !(exception instanceof ApiError)) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (reply.sent || reply.raw.headersSent) return;
    for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    void reply.code(error.status).header('content-type', 'application/json').send(error.toBody());
  }
}

export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? [(response as { message: unknown }).message].flat().join('; ')
        : exception.message;
    // Nest wraps what Fastify refuses (an unsupported or missing content type) as an HttpException.
    if (exception.getStatus() === 415) return ApiError.badRequest(UNSUPPORTED_MEDIA_TYPE_MESSAGE);
    const status = exception.getStatus() === 422 ? 400 : exception.getStatus();
    return new ApiError(status, message);
  }
  // Errors raised by Fastify itself (body parsing, content type, size) carry a statusCode.
  const fastifyError = exception as { statusCode?: number; message?: string; code?: string };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode === 415 ? 400 : fastifyError.statusCode;
    return new ApiError(status, describeFastifyError(fastifyError));
  }
  return new ApiError(500, exception instanceof Error ? exception.message : 'Internal server error');
}

function describeFastifyError(e: { code?: string; message?: string }): string {
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return UNSUPPORTED_MEDIA_TYPE_MESSAGE;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Request body is empty: expected a JSON object';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is too large';
    default:
      return e.code?.startsWith('FST_ERR_CTP') || e.message?.includes('JSON')
        ? `Invalid JSON body: ${e.message ?? 'could not parse'}`
        : (e.message ?? 'Bad request');
  }
}
