import { Injectable } from '@nestjs/common';
import type { RouteKind } from '../api/route-kind';
import type { FaultType } from '../faults/fault.types';
import type { Generation } from './generation';

/** How an HTTP exchange ended, for the HTTP metrics (vLLM's instrumentator). */
export interface HttpFacts {
  method: string;
  /** The route template the router matched; undefined when none matched. */
  routeTemplate: string | undefined;
  /** The response's status code (200 until one is set). */
  statusCode: number;
  /** False when the connection ended before any answer. */
  sent: boolean;
  requestBytes: number;
  responseBytes: number;
}

/**
 * One request seen at a door, from arrival to its end: who asked what, which fault it took and the
 * generation it started. Doors open and close it; the pipeline fills in what it decides; the
 * request log and the HTTP metrics read it when it closes.
 */
export interface Exchange {
  /** The client's request id (X-Request-Id, gRPC request_id), which other requests may share. */
  readonly id: string;
  readonly origin: 'http' | 'grpc';
  /** The route template (`/v1/chat/completions`), the path of an unmatched request, or `grpc`. */
  readonly route: string;
  /** Undefined for a request no route matched. */
  readonly kind: RouteKind | undefined;
  /** Wall time of arrival (ms since the epoch) and its monotonic counterpart. */
  readonly arrivedAt: number;
  readonly arrivedMono: number;
  /** The model the client named, once known. */
  model: string | null;
  fault: FaultType | null;
  generation?: Generation;
}

export interface ClosedExchange {
  exchange: Exchange;
  durationMs: number;
  /** Set for HTTP exchanges. */
  http?: HttpFacts;
}

type Listener = (closed: ClosedExchange) => void;

/** Opens and closes exchanges and tells the observers of every one that closed. */
@Injectable()
export class Exchanges {
  private readonly listeners = new Set<Listener>();

  open(init: Pick<Exchange, 'id' | 'origin' | 'route' | 'kind'> & { model?: string | null }): Exchange {
    // Literals, not spreads, on this path: V8 (Node 20) builds `{ ...a, b }` through a slow runtime call.
    return { id: init.id, origin: init.origin, route: init.route, kind: init.kind, model: init.model ?? null, fault: null, arrivedAt: Date.now(), arrivedMono: performance.now() };
  }

  close(exchange: Exchange, http?: HttpFacts): void {
    const closed: ClosedExchange = { exchange, durationMs: performance.now() - exchange.arrivedMono };
    if (http) closed.http = http;
    for (const listener of this.listeners) listener(closed);
  }

  /** Calls `fn` for every exchange that closes; returns the unsubscribe function. */
  onClosed(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
