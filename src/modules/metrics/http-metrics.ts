import { Counter, Histogram, Registry, Summary } from 'prom-client';
import { HTTP_LATENCY_HIGHR_BUCKETS, HTTP_LATENCY_LOWR_BUCKETS } from './buckets';

export interface HttpObservation {
  /** Route template (e.g. `/v1/chat/completions`); undefined when no route matched. */
  route: string | undefined;
  method: string;
  statusCode: number;
  durationSeconds: number;
  requestBytes: number;
  responseBytes: number;
}

/** Status codes grouped by their first digit ("2xx"), the instrumentator's default. */
export function statusGroup(code: number): string {
  return `${String(code).charAt(0)}xx`;
}

/**
 * The HTTP families vLLM's API server gets from prometheus-fastapi-instrumentator's `default()`
 * (`Instrumentator(excluded_handlers=[...]).add()`), with its names, help texts, labels and buckets.
 */
export class HttpMetrics {
  readonly requestsTotal: Counter<'method' | 'status' | 'handler'>;
  readonly requestSize: Summary<'handler'>;
  readonly responseSize: Summary<'handler'>;
  readonly durationHighr: Histogram<string>;
  readonly duration: Histogram<'method' | 'handler'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requestsTotal = new Counter({
      name: 'http_requests_total',
      help: 'Total number of requests by method, status and handler.',
      labelNames: ['method', 'status', 'handler'],
      registers,
    });
    this.requestSize = new Summary({
      name: 'http_request_size_bytes',
      help: 'Content length of incoming requests by handler. Only value of header is respected. Otherwise ignored. No percentile calculated.',
      labelNames: ['handler'],
      percentiles: [],
      registers,
    });
    this.responseSize = new Summary({
      name: 'http_response_size_bytes',
      help: 'Content length of outgoing responses by handler. Only value of header is respected. Otherwise ignored. No percentile calculated.',
      labelNames: ['handler'],
      percentiles: [],
      registers,
    });
    this.durationHighr = new Histogram({
      name: 'http_request_duration_highr_seconds',
      help: 'Latency with many buckets but no API specific labels. Made for more accurate percentile calculations.',
      buckets: [...HTTP_LATENCY_HIGHR_BUCKETS],
      registers,
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Latency with only few buckets by handler. Made to be only used if aggregation by handler is important.',
      labelNames: ['method', 'handler'],
      buckets: [...HTTP_LATENCY_LOWR_BUCKETS],
      registers,
    });
  }

  /** One request's observation; probes (routes vLLM leaves out of its metrics) are never observed. */
  observe(o: HttpObservation): void {
    // The instrumentator labels requests that matched no route "none".
    const handler = o.route ?? 'none';
    this.requestsTotal.inc({ method: o.method, status: statusGroup(o.statusCode), handler });
    this.requestSize.observe({ handler }, o.requestBytes);
    this.responseSize.observe({ handler }, o.responseBytes);
    this.durationHighr.observe(o.durationSeconds);
    this.duration.observe({ method: o.method, handler }, o.durationSeconds);
  }
}
