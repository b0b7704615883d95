import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../api/api-error';

/** Media types read as JSON bodies (PATCH /admin/config is a JSON merge patch). */
const JSON_MEDIA_TYPES = ['application/json', 'application/merge-patch+json'];

/**
 * True when `value` nests objects and arrays more than `max` levels deep. Iterative, so a body
 * nested a million levels is measured without recursion; primitives are never pushed.
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** vLLM's answer to a body that is not JSON (its validate_json_request). */
export const UNSUPPORTED_MEDIA_TYPE_MESSAGE = "Unsupported Media Type: Only 'application/json' is allowed";

/**
 * Bodies as every route reads them: JSON only, through Fastify's parser (prototype-poisoning checks
 * included), an empty body taken as no body (clients send `Content-Type: application/json` on
 * bodiless DELETEs), and a nesting limit, since the validators recurse and would overflow the
 * stack. A body of any other type is vLLM's 400.
 */
export function registerBodyParsers(fastify: FastifyInstance, maxDepth: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_req, _payload, done) => done(ApiError.badRequest(UNSUPPORTED_MEDIA_TYPE_MESSAGE), undefined));
  fastify.addContentTypeParser(JSON_MEDIA_TYPES, { parseAs: 'string' }, (req: FastifyRequest, body: string | Buffer, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (/^\s*$/.test(text)) return done(null, undefined);
    parse(req, text, (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      if (nestedDeeperThan(value, maxDepth)) {
        return done(ApiError.badRequest(`The request body is nested more than ${maxDepth} levels deep (--max-json-depth).`), undefined);
      }
      done(null, value);
    });
  });
}
