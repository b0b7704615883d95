import { ServerResponse } from 'node:http';
import { FastifyReply } from 'fastify';

/**
 * vLLM's SSE framing on the raw response: `data: <json>\n\n` events, no `event:` or `id:` lines,
 * `data: [DONE]\n\n` last. Written by hand because Nest's @Sse() adds ids and cannot answer JSON.
 */
export class SseStream {
  private readonly raw: ServerResponse;
  private closedByClient = false;
  private ended = false;

  constructor(reply: FastifyReply, onClientGone: () => void) {
    reply.hijack();
    this.raw = reply.raw;
    const headers: Record<string, string | string[] | number> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value as string;
    this.raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.raw.flushHeaders();
    // The response's close (not the request's) tells a client that left before the end.
    this.raw.on('close', () => {
      if (!this.raw.writableFinished && !this.ended) {
        this.closedByClient = true;
        onClientGone();
      }
    });
  }

  get open(): boolean {
    return !this.closedByClient && !this.ended && !this.raw.destroyed;
  }

  /**
   * Writes one event and hands it to the socket at once; false when the socket's buffer is full (the
   * engine does not wait for slow readers). Node's response corks the socket until the next tick,
   * which would hold a whole step's chunks back until every stream of the step has been rendered.
   */
  send(payload: unknown): boolean {
    if (!this.open) return false;
    const ok = this.raw.write(`data: ${JSON.stringify(payload)}\n\n`);
    this.raw.socket?.uncork();
    return ok;
  }

  /** Ends the stream with `data: [DONE]`. */
  done(): void {
    if (!this.open) return;
    this.ended = true;
    this.raw.end('data: [DONE]\n\n');
  }

  /** Drops the connection without a proper end (fault injection). */
  destroy(): void {
    this.ended = true;
    this.raw.destroy();
  }
}
