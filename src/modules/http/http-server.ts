import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';

/** Fastify's factories of route-schema compilers (`schemaController.compilersFactory`). */
type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;
import { STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { Settings } from '../../config/settings';
import { randomHex } from '../api/ids';
import { ApiError } from '../api/api-error';

/**
 * Pending connections the kernel may hold before the server accepts them. Node's default (511)
 * drops the SYNs of a burst of thousands of clients, which then wait seconds for a retry; the
 * kernel caps the value at net.core.somaxconn.
 */
export const LISTEN_BACKLOG = 4096;

/** How often Node checks its header and request timeouts (its default, 30 s, lets a limit fire 30 s late). */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1000;

/** The longest client X-Request-Id echoed back; a longer one is replaced. */
const MAX_REQUEST_ID_LENGTH = 256;
/** Visible ASCII only: anything else cannot be sent back in a header as the client wrote it. */
const REQUEST_ID = /^[\x21-\x7e]+$/;

/**
 * The client's X-Request-Id when it can be echoed in a response header as sent, else a fresh id
 * (vLLM honours the header; bytes a header cannot carry would make Node refuse the whole response).
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && value.length <= MAX_REQUEST_ID_LENGTH && REQUEST_ID.test(value) ? value : randomHex();
}

/** Bytes of the largest body a request may carry. */
function bodyLimitBytes(settings: Settings): number {
  return Math.round(settings.max_request_body_size_mb * 1024 * 1024);
}

/**
 * Fastify's options: body limit, request ids, connection timeouts, and vLLM's error shape for
 * what Fastify refuses before any route runs (bad URLs, over-long parameters, broken framing).
 */
export function fastifyOptions(settings: Settings): FastifyServerOptions & { http: Record<string, number> } {
  const keepAliveMs = settings.timeout_keep_alive * 1000;
  const requestMs = settings.request_timeout * 1000;
  return {
    logger: false,
    bodyLimit: bodyLimitBytes(settings),
    requestIdHeader: false,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    keepAliveTimeout: keepAliveMs,
    requestTimeout: requestMs,
    // Passed to http.createServer: what Fastify's own options do not reach.
    http: {
      headersTimeout: Math.min(settings.headers_timeout * 1000, requestMs),
      requestTimeout: requestMs,
      keepAliveTimeout: keepAliveMs,
      connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
    },
    frameworkErrors: (error: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      const message = status === 414 ? 'URI Too Long: a path parameter is longer than the server accepts' : `Bad request: ${error.message}`;
      void reply.code(status).header('content-type', 'application/json').send(new ApiError(status, message).toBody());
    },
    clientErrorHandler: answerClientError,
    schemaController: { compilersFactory: lazySchemaCompilers() },
  };
}

/**
 * Fastify's default schema compilers (ajv, fast-json-stringify), required the first time a route
 * with a schema asks for one. Fastify requires them when the instance is made, which costs start-up
 * a noticeable share of its time; no route of ours declares a schema (bodies are validated by the
 * DTO pipe), so normally they are never loaded.
 */
function lazySchemaCompilers(): { buildValidator: ValidatorFactory; buildSerializer: SerializerFactory } {
  let validator: ValidatorFactory | undefined;
  let serializer: SerializerFactory | undefined;
  // Fastify's own dependencies: resolved from Fastify, as it would resolve them.
  const fromFastify = createRequire(require.resolve('fastify'));
  return {
    buildValidator: (...args) => (validator ??= (fromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)())(...args),
    buildSerializer: (...args) => (serializer ??= (fromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)())(...args),
  };
}

/**
 * A connection whose bytes are not HTTP the server can read (broken framing, headers too large,
 * too slow to arrive) gets one last response in vLLM's error shape, then is closed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let message = 'Bad request: the request could not be read as HTTP/1.1';
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message = 'Request Timeout: the request did not arrive in time';
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    message = 'Request Header Fields Too Large';
  }
  if (socket.writable) {
    const body = JSON.stringify(new ApiError(status, message).toBody());
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
