import { meetsSlo, parseSlo, requestMeets, requestSlo } from './slo';

const summary = (p99: number) => ({ mean: p99 / 2, p50: p99 / 2, p90: p99 * 0.9, p95: p99 * 0.95, p99 });

describe('SLO', () => {
  it('parses thresholds on TTFT, ITL and E2E percentiles (ms)', () => {
    expect(parseSlo('ttft_p99<=2000, itl_p99<100,e2e_mean<=30000ms').targets).toEqual([
      { metric: 'ttft', stat: 'p99', op: '<=', ms: 2000 },
      { metric: 'itl', stat: 'p99', op: '<', ms: 100 },
      { metric: 'e2e', stat: 'mean', op: '<=', ms: 30000 },
    ]);
    expect(parseSlo({ ttft_p90: 500 }).text).toBe('ttft_p90<=500');
  });

  it('refuses what it cannot read, saying what it expects', () => {
    expect(() => parseSlo('ttft_p98<=1')).toThrow('Cannot read SLO threshold "ttft_p98<=1": expected METRIC_STAT<=MS');
    expect(() => parseSlo('latency<2')).toThrow('METRIC one of ttft, itl, e2e');
    expect(() => parseSlo(' , ')).toThrow('The SLO is empty');
  });

  it('is met when every threshold holds', () => {
    const slo = parseSlo('ttft_p99<=2000,itl_p99<100');
    expect(meetsSlo(slo, { ttft: summary(2000), itl: summary(99), e2e: summary(1e9) })).toBe(true);
    expect(meetsSlo(slo, { ttft: summary(2000), itl: summary(100), e2e: summary(1) })).toBe(false);
  });

  it('judges single requests (goodput) by the tightest threshold per metric', () => {
    const r = requestSlo(parseSlo('ttft_p50<=500,ttft_p99<=2000,itl_p99<=100'));
    expect(r).toEqual({ ttftMs: 500, itlMs: 100, e2eMs: Infinity });
    expect(requestMeets(r, 400, 90, 1e6)).toBe(true);
    expect(requestMeets(r, 600, 90, 1)).toBe(false);
  });
});
