import { FastifyRequest } from 'fastify';

/**
 * The request's id: the client's X-Request-Id when given (vLLM honours it), else a fresh one.
 * Fastify reads the header into `req.id` (see bootstrap's requestIdHeader/genReqId).
 */
export function requestIdOf(req: FastifyRequest): string {
  return req.id;
}
