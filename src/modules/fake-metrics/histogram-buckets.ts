import { REQUEST_LATENCY_BUCKETS, TPOT_BUCKETS, TTFT_BUCKETS } from '../api/metric-buckets';

/** Finite buckets of the histograms fake metrics may fill, by family. */
export const HISTOGRAM_BUCKET_COUNTS: Record<string, number> = {
  'vllm:time_to_first_token_seconds': TTFT_BUCKETS.length,
  'vllm:inter_token_latency_seconds': TPOT_BUCKETS.length,
  'vllm:request_time_per_output_token_seconds': TPOT_BUCKETS.length,
  'vllm:e2e_request_latency_seconds': REQUEST_LATENCY_BUCKETS.length,
  'vllm:request_queue_time_seconds': REQUEST_LATENCY_BUCKETS.length,
  'vllm:request_inference_time_seconds': REQUEST_LATENCY_BUCKETS.length,
  'vllm:request_prefill_time_seconds': REQUEST_LATENCY_BUCKETS.length,
  'vllm:request_decode_time_seconds': REQUEST_LATENCY_BUCKETS.length,
};
