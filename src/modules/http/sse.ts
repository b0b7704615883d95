import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ServerResponse } from 'node:http';
import { FastifyReply } from 'fastify';
import { onResponseOver } from '../../common/response-over';
import { Engines } from '../engine/engines';

interface PendingEvent {
  stream: SseStream;
  data: string;
  last?: true;
}

/**
 * This app's SSE streams and the events waiting for their socket write. A step's events are
 * rendered for every stream first and written afterwards, back to back: a loopback write that
 * follows another costs ~8 µs on a 2-vCPU VM, one that follows a few µs of rendering ~18 µs (the
 * reader's idle vCPU must be woken for each), and 256 streams are written one after the other at
 * every step. The engine's `released` event flushes them; a microtask flushes anything sent outside
 * a step (usage chunk, errors). One per app: two apps in one process share nothing.
 */
@Injectable()
export class SseWriter implements OnModuleInit, OnModuleDestroy {
  private readonly pending: PendingEvent[] = [];
  private flushQueued = false;
  private offs: Array<() => void> = [];

  constructor(private readonly engines: Engines) {}

  onModuleInit(): void {
    // Every engine's step releases its streams' events (one engine per served model).
    this.offs = this.engines.all.map(({ engine }) => engine.events.on('released', () => this.flush()));
  }

  onModuleDestroy(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /**
   * Starts a stream on the reply (its headers go out now). `bufferLimitBytes`: how much may wait
   * in the socket's buffer for a slow client before the stream counts as backlogged.
   */
  open(reply: FastifyReply, onClientGone: () => void, bufferLimitBytes = Number.POSITIVE_INFINITY): SseStream {
    return new SseStream(this, reply, onClientGone, bufferLimitBytes);
  }

  /** @internal Queues one event for the next flush. */
  enqueue(event: PendingEvent): void {
    this.pending.push(event);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes every pending event of every stream, in the order sent. */
  flush(): void {
    this.flushQueued = false;
    for (const event of this.pending.splice(0)) event.stream.deliver(event);
  }
}

/**
 * vLLM's SSE framing on the raw response: `data: <json>\n\n` events, no `id:` lines,
 * `data: [DONE]\n\n` last; the Responses and Messages APIs name their events (`event: <type>`)
 * and the Responses API ends without `[DONE]`. Written by hand because Nest's @Sse() adds ids and
 * cannot answer JSON.
 */
export class SseStream {
  private readonly raw: ServerResponse;
  private closedByClient = false;
  private ended = false;

  /**
   * `bufferLimitBytes`: how much may wait in the socket's buffer for a slow client before the
   * stream counts as backlogged (its writer then holds further chunks back, see `backlogged`).
   */
  constructor(
    private readonly writer: SseWriter,
    reply: FastifyReply,
    onClientGone: () => void,
    private readonly bufferLimitBytes: number,
  ) {
    reply.hijack();
    this.raw = reply.raw;
    const headers: Record<string, string | string[] | number> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value as string;
    headers['content-type'] = 'text/event-stream; charset=utf-8';
    headers['cache-control'] = 'no-cache';
    headers.connection = 'keep-alive';
    headers['x-accel-buffering'] = 'no';
    this.raw.writeHead(200, headers);
    this.raw.flushHeaders();
    // Over before it finished: the client left before the end.
    onResponseOver(this.raw, () => {
      if (!this.raw.writableFinished && !this.ended) {
        this.closedByClient = true;
        onClientGone();
      }
    });
  }

  get open(): boolean {
    return !this.closedByClient && !this.ended && !this.raw.destroyed;
  }

  /** The client is not reading: more than the bound waits in its socket's buffer. */
  get backlogged(): boolean {
    const socket = this.raw.socket;
    return socket !== null && socket.writableLength > this.bufferLimitBytes;
  }

  /** Calls `fn` once the socket has written out what waited (at once on the next turn if nothing does). */
  onDrain(fn: () => void): void {
    const socket = this.raw.socket;
    if (!socket || !socket.writableNeedDrain) {
      setImmediate(fn);
      return;
    }
    socket.once('drain', fn);
  }

  /** @internal Writes one flushed event (the writer's flush). */
  deliver({ data, last }: PendingEvent): void {
    try {
      if (last) this.end(data);
      else this.write(data);
    } catch {
      // One broken socket must not keep the other streams of the batch from their events and
      // their end; its own response is dropped, so it counts as over.
      this.raw.destroy();
    }
  }

  /** Queues one event (named `event` when given) for the writer's next flush; dropped if the client left. */
  send(payload: unknown, event?: string): void {
    if (!this.open) return;
    this.writer.enqueue({ stream: this, data: `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(payload)}\n\n` });
  }

  /**
   * Hands one event to the socket at once. With chunked encoding it goes as one pre-framed string:
   * Node's response would write the size line, the data and the CRLF as three pieces and cork the
   * socket until the next tick, holding a whole step back, then pay a three-buffer writev each
   * (twice the time of one write). Until Node gave the response its socket (a pipelined request
   * still waiting its turn), the response's own write keeps the order. The engine does not wait
   * for slow readers, so a full socket buffer is not waited for either.
   */
  private write(data: string): void {
    if (this.raw.destroyed) return;
    const socket = this.raw.socket;
    // Only a plain response: one whose write is wrapped (light-my-request's inject, a compressor)
    // must see every byte.
    if (!socket || !this.raw.chunkedEncoding || this.raw.write !== ServerResponse.prototype.write) {
      this.raw.write(data);
      socket?.uncork();
      return;
    }
    if (!socket.writable) return; // the client left between the render and the flush
    socket.write(`${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`);
    // Still corked by the headers' write (same tick as the first event): let it go now.
    if (socket.writableCorked) socket.uncork();
  }

  /**
   * Ends the stream with `data: [DONE]`, after the events sent before it: queued behind them, so a
   * stream cut while a step is handed out does not write every other stream's events early.
   */
  done(doneLine = true): void {
    if (!this.open) return;
    this.ended = true;
    this.writer.enqueue({ stream: this, data: doneLine ? 'data: [DONE]\n\n' : '', last: true });
  }

  private end(data: string): void {
    if (this.raw.destroyed) return;
    this.raw.end(data);
  }

  /** Drops the connection without a proper end (fault injection). */
  destroy(): void {
    this.ended = true;
    this.raw.destroy();
  }
}
