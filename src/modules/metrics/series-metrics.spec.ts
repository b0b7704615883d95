import { Counter, Histogram, Registry } from 'prom-client';
import { Random } from '../../common/random';
import { SeriesCounter, SeriesHistogram } from './series-metrics';

/** The same observations through prom-client's own classes and through ours: the expositions must match. */
function pair() {
  const stock = new Registry();
  const ours = new Registry();
  const config = (registers: Registry[]) => ({ name: 'h', help: 'help', labelNames: ['model_name', 'engine'] as const, buckets: [0.5, 1, 2.5, 10], registers });
  const counterConfig = (registers: Registry[]) => ({ name: 'c_total', help: 'help', labelNames: ['model_name', 'engine'] as const, registers });
  return {
    stock,
    ours,
    histograms: [new Histogram(config([stock])), new SeriesHistogram(config([ours]))],
    counters: [new Counter(counterConfig([stock])), new SeriesCounter(counterConfig([ours]))],
  };
}

describe('SeriesHistogram and SeriesCounter', () => {
  it('record exactly what prom-client records, through resets and several label objects', async () => {
    const { stock, ours, histograms, counters } = pair();
    const a = Object.freeze({ model_name: 'm', engine: '0' });
    const b = Object.freeze({ model_name: 'm', engine: '1' });
    const rng = new Random(5);
    for (const h of histograms) h.zero(a);
    for (const c of counters) c.inc(a, 0);
    for (let i = 0; i < 5000; i++) {
      const labels = rng.int(4) === 0 ? b : rng.int(8) === 0 ? { model_name: 'm', engine: '0' } : a;
      // Values on, between and beyond the bucket bounds.
      const value = [0, 0.5, 0.7, 1, 2.5, 3, 10, 11, 1e6][rng.int(9)] * (rng.int(2) ? 1 : rng.next());
      for (const h of histograms) h.observe(labels, value);
      const amount = rng.int(3) === 0 ? undefined : rng.int(5);
      for (const c of counters) c.inc(labels, amount);
      if (i === 2500) for (const m of [...histograms, ...counters]) m.reset();
      if (i % 997 === 0) expect(await ours.metrics()).toBe(await stock.metrics());
    }
    expect(await ours.metrics()).toBe(await stock.metrics());
    expect(await histograms[1].get()).toEqual(await histograms[0].get());
  });

  it('adds to a known series in place, without the per-observation work of prom-client', () => {
    // prom-client binds its observe/inc at construction: spy first.
    const observe = jest.spyOn(Histogram.prototype, 'observeWithoutExemplar' as never);
    const inc = jest.spyOn(Counter.prototype, 'incWithoutExemplar' as never);
    const { histograms, counters } = pair();
    const labels = Object.freeze({ model_name: 'm', engine: '0' });
    try {
      histograms[1].observe(labels, 1);
      counters[1].inc(labels, 1);
      for (let i = 0; i < 100; i++) {
        histograms[1].observe(labels, i);
        counters[1].inc(labels, 2);
      }
      expect(observe).toHaveBeenCalledTimes(1);
      expect(inc).toHaveBeenCalledTimes(1);
    } finally {
      observe.mockRestore();
      inc.mockRestore();
    }
  });

  it('refuses what prom-client refuses', () => {
    const { histograms, counters } = pair();
    const labels = { model_name: 'm', engine: '0' };
    histograms[1].observe(labels, 1);
    counters[1].inc(labels, 1);
    expect(() => histograms[1].observe(labels, NaN)).toThrow('Value is not a valid number');
    expect(() => counters[1].inc(labels, -1)).toThrow('It is not possible to decrease a counter');
    expect(() => histograms[1].observe({ nope: 'x' } as never, 1)).toThrow();
  });
});
