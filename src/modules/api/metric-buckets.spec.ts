import {
  HTTP_LATENCY_HIGHR_BUCKETS,
  HTTP_LATENCY_LOWR_BUCKETS,
  ITERATION_TOKENS_BUCKETS,
  PARAMS_N_BUCKETS,
  REQUEST_LATENCY_BUCKETS,
  TPOT_BUCKETS,
  TTFT_BUCKETS,
  build125Buckets,
  buildBuckets,
} from './metric-buckets';

describe('metric buckets (vLLM V1 loggers.py)', () => {
  it('has vLLM\'s TTFT buckets', () => {
    expect(TTFT_BUCKETS).toEqual([
      0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
    ]);
  });

  it('has vLLM\'s ITL / per-request TPOT buckets', () => {
    expect(TPOT_BUCKETS).toEqual([0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0]);
  });

  it('has vLLM\'s request latency buckets (e2e, queue, inference, prefill, decode)', () => {
    expect(REQUEST_LATENCY_BUCKETS).toEqual([
      0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0,
    ]);
  });

  it('has vLLM\'s iteration-token and n buckets', () => {
    expect(ITERATION_TOKENS_BUCKETS).toEqual([1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]);
    expect(PARAMS_N_BUCKETS).toEqual([1, 2, 5, 10, 20]);
  });

  it('has prometheus-fastapi-instrumentator\'s default HTTP latency buckets', () => {
    expect(HTTP_LATENCY_LOWR_BUCKETS).toEqual([0.1, 0.5, 1]);
    expect(HTTP_LATENCY_HIGHR_BUCKETS).toEqual([0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10, 30, 60]);
  });

  it('every bucket array ascends strictly', () => {
    for (const buckets of [TTFT_BUCKETS, TPOT_BUCKETS, REQUEST_LATENCY_BUCKETS, ITERATION_TOKENS_BUCKETS, PARAMS_N_BUCKETS, build125Buckets(131072)]) {
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThan(buckets[i - 1]);
    }
  });
});

describe('build125Buckets (vLLM build_1_2_5_buckets)', () => {
  it('matches the docstring example', () => {
    expect(build125Buckets(100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });

  it('stops at the last value not above max_model_len', () => {
    expect(build125Buckets(32768)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]);
    expect(build125Buckets(4096)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]);
    expect(build125Buckets(131072).at(-1)).toBe(100000);
  });

  it('handles the smallest contexts', () => {
    expect(build125Buckets(1)).toEqual([1]);
    expect(build125Buckets(4)).toEqual([1, 2]);
    expect(build125Buckets(0)).toEqual([]);
  });

  it('builds from any mantissas, as build_buckets does', () => {
    expect(buildBuckets([1, 5], 600)).toEqual([1, 5, 10, 50, 100, 500]);
  });
});
