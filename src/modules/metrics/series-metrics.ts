import { Counter, CounterConfiguration, Histogram, HistogramConfiguration, LabelValues } from 'prom-client';

/*
 * prom-client's histograms and counters as the engine's observers use them: tens of observations
 * per request, always with one of a few label objects. prom-client pays for every observation as
 * if its labels were new (copy, validation, a hash string built from every label); these find the
 * series of a label object once and then add to it in place. What is added, and so the exposition,
 * is exactly what prom-client itself would record (series-metrics.spec.ts compares the two). Label
 * objects must not change once used (the callers freeze them or keep them readonly).
 *
 * The series are prom-client's own records (its `hashMap`): should a prom-client version store them
 * differently, no series is found and every observation takes prom-client's own path, unchanged.
 */

interface SeriesRef<S> {
  key: string;
  series: S;
}

interface HistogramSeries {
  labels: object;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

interface CounterSeries {
  labels: object;
  value: number;
}

/** prom-client's records of a metric, keyed by its label hash. */
interface SeriesStore<S> {
  hashMap: Record<string, S>;
}

/** The record prom-client keeps for exactly this label object, if it has one. */
function findSeries<S extends { labels: object }>(store: SeriesStore<S>, labels: object, valid: (s: S) => boolean): SeriesRef<S> | undefined {
  const map = store.hashMap;
  if (typeof map !== 'object' || map === null) return undefined;
  for (const key of Object.keys(map)) {
    const series = map[key];
    if (series.labels === labels && valid(series)) return { key, series };
  }
  return undefined;
}

/** The cached record, if prom-client still holds it (a reset() starts new ones). */
function liveSeries<S>(store: SeriesStore<S>, cache: WeakMap<object, SeriesRef<S>>, labels: object): S | undefined {
  const ref = cache.get(labels);
  return ref && store.hashMap[ref.key] === ref.series ? ref.series : undefined;
}

const isHistogramSeries = (s: HistogramSeries): boolean => typeof s.sum === 'number' && typeof s.count === 'number' && typeof s.bucketValues === 'object';
const isCounterSeries = (s: CounterSeries): boolean => typeof s.value === 'number';

export class SeriesHistogram<T extends string> extends Histogram<T> {
  constructor(config: HistogramConfiguration<T>) {
    super(config);
    const store = this as unknown as SeriesStore<HistogramSeries> & { upperBounds: readonly number[] };
    const cache = new WeakMap<object, SeriesRef<HistogramSeries>>();
    const slow = this.observe.bind(this) as (labels: LabelValues<T>, value: number) => void;
    this.observe = ((labels: LabelValues<T> | number, value?: number): void => {
      if (typeof labels !== 'object' || labels === null || typeof value !== 'number' || !Number.isFinite(value)) {
        return (slow as (...args: unknown[]) => void)(labels, value);
      }
      const series = liveSeries(store, cache, labels);
      if (!series) {
        slow(labels, value);
        const found = findSeries(store, labels, isHistogramSeries);
        if (found) cache.set(labels, found);
        return;
      }
      // As prom-client: the first bucket whose upper bound holds the value; above them all, none.
      const bounds = store.upperBounds;
      for (let i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          series.bucketValues[bounds[i]] += 1;
          break;
        }
      }
      series.sum += value;
      series.count += 1;
    }) as Histogram<T>['observe'];
  }
}

export class SeriesCounter<T extends string> extends Counter<T> {
  constructor(config: CounterConfiguration<T>) {
    super(config);
    const store = this as unknown as SeriesStore<CounterSeries>;
    const cache = new WeakMap<object, SeriesRef<CounterSeries>>();
    const slow = this.inc.bind(this) as (labels: LabelValues<T>, value?: number) => void;
    this.inc = ((labels?: LabelValues<T> | number, value?: number): void => {
      const amount = value === undefined ? 1 : value;
      if (typeof labels !== 'object' || labels === null || typeof amount !== 'number' || !(amount >= 0) || !Number.isFinite(amount)) {
        return (slow as (...args: unknown[]) => void)(labels, value);
      }
      const series = liveSeries(store, cache, labels);
      if (!series) {
        slow(labels, value);
        const found = findSeries(store, labels, isCounterSeries);
        if (found) cache.set(labels, found);
        return;
      }
      series.value += amount;
    }) as Counter<T>['inc'];
  }
}
