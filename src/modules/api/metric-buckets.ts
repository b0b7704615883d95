/**
 * Histogram buckets exactly as vLLM V1 declares them (`vllm/v1/metrics/loggers.py`), so
 * `histogram_quantile` over the simulator gives the same resolution as over vLLM.
 */

export const TTFT_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0,
  640.0, 2560.0,
];

/** `vllm:inter_token_latency_seconds` and `vllm:request_time_per_output_token_seconds`. */
export const TPOT_BUCKETS: readonly number[] = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
];

/** E2E, queue, inference, prefill and decode time per request. */
export const REQUEST_LATENCY_BUCKETS: readonly number[] = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0,
  7680.0,
];

export const ITERATION_TOKENS_BUCKETS: readonly number[] = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];

export const PARAMS_N_BUCKETS: readonly number[] = [1, 2, 5, 10, 20];

/** prometheus-fastapi-instrumentator's defaults, which vLLM's API server uses unchanged. */
export const HTTP_LATENCY_LOWR_BUCKETS: readonly number[] = [0.1, 0.5, 1];
export const HTTP_LATENCY_HIGHR_BUCKETS: readonly number[] = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10, 30, 60,
];

/**
 * Powers of ten times each mantissa, ascending, while the value stays <= max
 * (vLLM's `build_buckets`).
 */
export function buildBuckets(mantissas: readonly number[], maxValue: number): number[] {
  const buckets: number[] = [];
  for (let scale = 1; ; scale *= 10) {
    for (const m of mantissas) {
      const value = m * scale;
      if (value > maxValue) return buckets;
      buckets.push(value);
    }
  }
}

/** vLLM's `build_1_2_5_buckets`: 1, 2, 5, 10, 20, 50, ... up to `maxValue` (max_model_len). */
export function build125Buckets(maxValue: number): number[] {
  return buildBuckets([1, 2, 5], maxValue);
}
