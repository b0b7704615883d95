import { Inject, Injectable, Logger } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { SettingsError } from '../../config/load-settings';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { FakeMetricsError, FakeMetricsSpec, parseFakeMetrics } from './fake-metrics';
import { HISTOGRAM_BUCKET_COUNTS } from './histogram-buckets';

type Listener = (spec: FakeMetricsSpec | null) => void;

/**
 * Whether /metrics reports fake numbers, and which: set at start-up (`--fake-metrics`) or through
 * PUT /admin/fake-metrics, cleared with DELETE. The metrics module listens; the engine goes on
 * running (and its real metrics go on counting, shown again once the fake ones are cleared).
 */
@Injectable()
export class FakeMetricsService {
  private readonly logger = new Logger('FakeMetrics');
  private current: FakeMetricsSpec | null = null;
  private since: Date | null = null;
  private readonly listeners = new Set<Listener>();

  constructor(@Inject(SETTINGS) settings: Settings) {
    if (settings.fake_metrics === undefined) return;
    let raw: unknown;
    try {
      raw = JSON.parse(settings.fake_metrics);
      this.apply(parseFakeMetrics(raw, (f) => HISTOGRAM_BUCKET_COUNTS[f] ?? 0));
    } catch (err) {
      throw new SettingsError(`Invalid --fake-metrics: ${err instanceof SyntaxError ? `not valid JSON (${err.message})` : (err as Error).message}.`);
    }
  }

  get spec(): FakeMetricsSpec | null {
    return this.current;
  }

  /** When the current spec was set (generators count time from then). */
  get setAt(): Date | null {
    return this.since;
  }

  /** PUT /admin/fake-metrics: replaces the spec; a bad one is a 400 and changes nothing. */
  set(raw: unknown): FakeMetricsSpec {
    let spec: FakeMetricsSpec;
    try {
      spec = parseFakeMetrics(raw, (f) => HISTOGRAM_BUCKET_COUNTS[f] ?? 0);
    } catch (err) {
      if (err instanceof FakeMetricsError) throw ApiError.badRequest(`Invalid fake metrics: ${err.message}.`);
      throw err;
    }
    this.apply(spec);
    return spec;
  }

  clear(): boolean {
    const had = this.current !== null;
    this.current = null;
    this.since = null;
    if (had) this.logger.log('Fake metrics off: /metrics reports the engine again');
    for (const l of this.listeners) l(null);
    return had;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private apply(spec: FakeMetricsSpec): void {
    this.current = spec;
    this.since = new Date();
    this.logger.warn('Fake metrics on: /metrics reports the configured numbers, not the engine');
    for (const l of this.listeners) l(spec);
  }
}
