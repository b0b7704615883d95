import { Histogram, Registry } from 'prom-client';
import { FakeHistogramKey, FakeMetricsSpec, FakeObservationKey, gaugeValue } from '../fake-metrics/fake-metrics';
import { REQUEST_LATENCY_BUCKETS, TPOT_BUCKETS, TTFT_BUCKETS } from '../api/metric-buckets';
import { VllmMetrics, VllmMetricsOptions } from './vllm-metrics';

/**
 * vLLM's families filled with fake numbers (llm-d-inference-sim's --fake-metrics), in a registry
 * of their own that /metrics shows instead of the engine's: gauges evaluated at scrape time (a
 * generator counts time from when the spec was set), histograms and counters filled once.
 */
export function fakeVllmMetrics(
  spec: FakeMetricsSpec,
  options: Omit<VllmMetricsOptions, 'registry' | 'state' | 'lora'> & { maxLoras?: number },
  setAtMs: number,
): Registry {
  const registry = new Registry();
  const at = (g: FakeMetricsSpec['running']) => (g ? gaugeValue(g, Date.now() - setAtMs) : 0);
  const m = new VllmMetrics({
    ...options,
    registry,
    state: () => ({ running: Math.round(at(spec.running)), waiting: Math.round(at(spec.waiting)), waitingDeferred: 0, kvCacheUsage: at(spec.kvCacheUsage), kvCacheBlocks: options.cache.num_gpu_blocks }),
    lora: options.maxLoras !== undefined ? { maxLoras: options.maxLoras, state: () => ({ running: [], waiting: [] }) } : undefined,
  });
  const l = m.labels;

  const histograms: Record<FakeHistogramKey, [Histogram<string>, readonly number[]]> = {
    'ttft-buckets-values': [m.timeToFirstToken, TTFT_BUCKETS],
    'tpot-buckets-values': [m.interTokenLatency, TPOT_BUCKETS],
    'request-tpot-buckets-values': [m.requestTimePerOutputToken, TPOT_BUCKETS],
    'e2erl-buckets-values': [m.e2eRequestLatency, REQUEST_LATENCY_BUCKETS],
    'queue-time-buckets-values': [m.requestQueueTime, REQUEST_LATENCY_BUCKETS],
    'inf-time-buckets-values': [m.requestInferenceTime, REQUEST_LATENCY_BUCKETS],
    'prefill-time-buckets-values': [m.requestPrefillTime, REQUEST_LATENCY_BUCKETS],
    'decode-time-buckets-values': [m.requestDecodeTime, REQUEST_LATENCY_BUCKETS],
  };
  for (const [key, counts] of Object.entries(spec.buckets) as [FakeHistogramKey, number[]][]) {
    const [histogram, bounds] = histograms[key];
    // Each count lands in its bucket: observed at the bucket's upper bound (buckets include it), past the last for +Inf.
    counts.forEach((n, i) => {
      const value = i < bounds.length ? bounds[i] : bounds[bounds.length - 1] * 2;
      for (let k = 0; k < n; k++) histogram.observe(l, value);
    });
  }

  const observed: Record<FakeObservationKey, Histogram<string>> = {
    'request-prompt-tokens': m.requestPromptTokens,
    'request-generation-tokens': m.requestGenerationTokens,
    'request-params-max-tokens': m.requestParamsMaxTokens,
    'request-max-generation-tokens': m.requestMaxNumGenerationTokens,
  };
  for (const [key, values] of Object.entries(spec.observations) as [FakeObservationKey, number[]][]) for (const v of values) observed[key].observe(l, v);

  const sum = (xs: number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);
  m.promptTokens.inc(l, spec.totalPromptTokens ?? sum(spec.observations['request-prompt-tokens']));
  m.generationTokens.inc(l, spec.totalGenerationTokens ?? sum(spec.observations['request-generation-tokens']));
  for (const [reason, n] of Object.entries(spec.requestSuccess)) m.requestSuccess.inc({ ...l, finished_reason: reason }, n);
  if (spec.prefixCacheHits !== undefined) m.prefixCacheHits.inc(l, spec.prefixCacheHits);
  if (spec.prefixCacheQueries !== undefined) m.prefixCacheQueries.inc(l, spec.prefixCacheQueries);
  if (m.loraRequestsInfo) {
    m.loraRequestsInfo.reset();
    for (const lora of spec.loras) {
      m.loraRequestsInfo.set({ max_lora: String(options.maxLoras), running_lora_adapters: lora.running, waiting_lora_adapters: lora.waiting }, lora.timestamp);
    }
  }
  return registry;
}
