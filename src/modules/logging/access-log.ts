import type { FastifyInstance } from 'fastify';
import { IncomingMessage, ServerResponse, STATUS_CODES } from 'node:http';
import { ServerLogger } from './server-logger';

/** What uvicorn's access line says about one request. */
export interface AccessEntry {
  /** Peer address and port, `127.0.0.1:54321`. */
  client: string;
  method: string;
  /** Path with its query string, as received. */
  path: string;
  httpVersion: string;
  status: number;
}

/** uvicorn's access message: `127.0.0.1:54321 - "POST /v1/chat/completions HTTP/1.1" 200 OK`. */
export function formatAccessLine(entry: AccessEntry): string {
  const phrase = STATUS_CODES[entry.status];
  return `${entry.client} - "${entry.method} ${entry.path} HTTP/${entry.httpVersion}" ${entry.status}${phrase ? ` ${phrase}` : ''}`;
}

/** `host:port` of the peer; IPv4 peers of a dual-stack socket without the `::ffff:` mapping. */
export function clientAddress(req: IncomingMessage): string {
  const address = (req.socket.remoteAddress ?? '-').replace(/^::ffff:/, '');
  return `${address}:${req.socket.remotePort ?? 0}`;
}

export interface AccessLogOptions {
  /** vLLM's --disable-uvicorn-access-log. */
  disable_uvicorn_access_log: boolean;
  /** vLLM's --disable-access-log-for-endpoints: comma-separated paths (query string ignored). */
  disable_access_log_for_endpoints?: string;
}

/**
 * One access line per request, as uvicorn writes it: when the response starts (its status line
 * goes out), so a long stream is logged when it begins and a request whose client left before any
 * answer is not logged. Registered on the Fastify instance before the routes; costs nothing when the
 * access log is off or the level is above info.
 */
export function registerAccessLog(fastify: FastifyInstance, logger: ServerLogger, options: AccessLogOptions): void {
  if (options.disable_uvicorn_access_log || !logger.enabled('INFO')) return;
  const skipped = new Set((options.disable_access_log_for_endpoints ?? '').split(',').map((p) => p.trim()).filter(Boolean));
  fastify.addHook('onRequest', (request, reply, done) => {
    const url = request.raw.url ?? '/';
    if (skipped.size === 0 || !skipped.has(url.split('?')[0])) logOnResponseStart(request.raw, reply.raw, logger, url);
    done();
  });
}

function logOnResponseStart(req: IncomingMessage, res: ServerResponse, logger: ServerLogger, url: string): void {
  const writeHead = res.writeHead;
  // Every response starts with writeHead (Fastify's send, a hijacked stream's own call, or Node's
  // implicit headers on the first write): one line at that moment, with the status it sends.
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    res.writeHead = writeHead;
    const status = typeof args[0] === 'number' ? args[0] : res.statusCode;
    const entry: AccessEntry = { client: clientAddress(req), method: req.method ?? '-', path: url, httpVersion: req.httpVersion, status };
    logger.write('INFO', 'uvicorn.access', formatAccessLine(entry), { client: entry.client, method: entry.method, path: entry.path, http_version: entry.httpVersion, status });
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}
