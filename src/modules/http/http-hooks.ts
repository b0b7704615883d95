import type { FastifyInstance, FastifyRequest } from 'fastify';
import { onResponseOver } from '../../common/response-over';
import { Settings } from '../../config/settings';
import { Exchange, Exchanges } from '../generation/exchange';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { registerAccessLog } from '../logging/access-log';
import { ServerLogger } from '../logging/server-logger';
import { registerBodyParsers } from './json-body';

/** The exchange each HTTP request opened (routes that are not probes), by request. */
const exchanges = new WeakMap<FastifyRequest, Exchange>();

/** The exchange of an HTTP request, if its route opened one. */
export function exchangeOf(req: FastifyRequest): Exchange | undefined {
  return exchanges.get(req);
}

export interface HttpHookDeps {
  settings: Settings;
  logger: ServerLogger;
  exchanges: Exchanges;
  lifecycle: LifecycleService;
}

/**
 * Every Fastify hook of the HTTP server, in the order a request meets them. Route guards (the API
 * key, admission of inference routes) and the exception filter are Nest's and run after these.
 * 1. Bodies: JSON only, empty bodies taken as none, nesting bounded (json-body.ts).
 * 2. onRequest: the access line (uvicorn's, when the response starts: logging/access-log.ts), the
 *    request id echoed (its value was chosen by genReqId, http-server.ts), and with POD_NAME /
 *    POD_NAMESPACE set, llm-d's x-inference-pod, x-inference-port, x-inference-namespace.
 * 3. onRequest: every request except probes opens an exchange, closed when its response is over
 *    (ended, or its client gone): the request log and the HTTP metrics read it then.
 * 4. onSend: while draining, a response closes its connection (as uvicorn does at shutdown), so a
 *    keep-alive client answered after the close began does not hold the server open.
 */
export function registerHttpHooks(fastify: FastifyInstance, deps: HttpHookDeps): void {
  registerBodyParsers(fastify, deps.settings.max_json_depth);
  registerAccessLog(fastify, deps.logger, deps.settings);
  const { pod_name: pod, pod_namespace: namespace } = deps.settings;
  // Callback hooks, not async ones: an async hook costs every request a promise and a turn of the
  // microtask queue.
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    // llm-d's conventions (POD_NAME, POD_NAMESPACE): which pod answered, as llm-d-inference-sim tells its e2e suites.
    if (pod) reply.header('x-inference-pod', pod).header('x-inference-port', String(req.socket.localPort ?? deps.settings.port));
    if (namespace) reply.header('x-inference-namespace', namespace);
    done();
  });
  fastify.addHook('onRequest', (req, reply, done) => {
    const kind = req.routeOptions.config?.routeKind;
    if (kind === 'probe') return done();
    const exchange = deps.exchanges.open({ id: req.id, origin: 'http', route: req.routeOptions.url ?? req.url.split('?')[0], kind });
    exchanges.set(req, exchange);
    onResponseOver(reply.raw, () => {
      const body = req.body as { model?: unknown } | undefined;
      exchange.model ??= typeof body?.model === 'string' ? body.model : null;
      deps.exchanges.close(exchange, {
        method: req.method,
        routeTemplate: req.routeOptions.url,
        statusCode: reply.raw.statusCode,
        sent: reply.raw.headersSent,
        requestBytes: Number(req.headers['content-length'] ?? 0) || 0,
        responseBytes: Number(reply.raw.getHeader('content-length') ?? 0) || 0,
      });
    });
    done();
  });
  fastify.addHook('onSend', (_req, reply, payload, done) => {
    if (deps.lifecycle.draining) void reply.header('connection', 'close');
    done(null, payload);
  });
}
