import { Counter, Histogram, LabelValues, Registry, Summary } from 'prom-client';
import { LruCache } from '../../common/lru-cache';
import { HTTP_LATENCY_HIGHR_BUCKETS, HTTP_LATENCY_LOWR_BUCKETS } from '../api/metric-buckets';
import { SeriesCounter, SeriesHistogram, SeriesSummary } from './series-metrics';

export interface HttpObservation {
  /** Route template (e.g. `/v1/chat/completions`); undefined when no route matched. */
  route: string | undefined;
  method: string;
  statusCode: number;
  durationSeconds: number;
  requestBytes: number;
  responseBytes: number;
}

/** The label objects of one kind of request, one per family's label names. */
interface RequestLabels {
  status: LabelValues<'method' | 'status' | 'handler'>;
  handler: LabelValues<'handler'>;
  methodHandler: LabelValues<'method' | 'handler'>;
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
  /**
   * The label objects of each (method, status, handler) seen, made once so the series metrics find
   * their series at once; routes are templates, so there are few.
   */
  private readonly labelSets = new LruCache<string, RequestLabels>(256);

  constructor(registry: Registry) {
    const registers = [registry];
    this.requestsTotal = new SeriesCounter({
      name: 'http_requests_total',
      help: 'Total number of requests by method, status and handler.',
      labelNames: ['method', 'status', 'handler'],
      registers,
    });
    this.requestSize = new SeriesSummary({
      name: 'http_request_size_bytes',
      help: 'Content length of incoming requests by handler. Only value of header is respected. Otherwise ignored. No percentile calculated.',
      labelNames: ['handler'],
      percentiles: [],
      registers,
    });
    this.responseSize = new SeriesSummary({
      name: 'http_response_size_bytes',
      help: 'Content length of outgoing responses by handler. Only value of header is respected. Otherwise ignored. No percentile calculated.',
      labelNames: ['handler'],
      percentiles: [],
      registers,
    });
    this.durationHighr = new SeriesHistogram({
      name: 'http_request_duration_highr_seconds',
      help: 'Latency with many buckets but no API specific labels. Made for more accurate percentile calculations.',
      buckets: [...HTTP_LATENCY_HIGHR_BUCKETS],
      registers,
    });
    this.duration = new SeriesHistogram({
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
    const status = statusGroup(o.statusCode);
    const key = `${o.method} ${status} ${handler}`;
    let labels = this.labelSets.get(key);
    if (!labels) {
      labels = { status: Object.freeze({ method: o.method, status, handler }), handler: Object.freeze({ handler }), methodHandler: Object.freeze({ method: o.method, handler }) };
      this.labelSets.set(key, labels);
    }
    this.requestsTotal.inc(labels.status);
    this.requestSize.observe(labels.handler, o.requestBytes);
    this.responseSize.observe(labels.handler, o.responseBytes);
    this.durationHighr.observe(o.durationSeconds);
    this.duration.observe(labels.methodHandler, o.durationSeconds);
  }
}
