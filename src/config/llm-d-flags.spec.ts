import { loadSettings } from './load-settings';

describe("llm-d-inference-sim's flags", () => {
  it('map onto the settings that mean the same, durations included, and the rest are accepted', () => {
    const { settings, ignoredFlags } = loadSettings(
      [
        '--model', 'Qwen/Qwen3-8B', '--time-to-first-token', '200ms', '--inter-token-latency', '50ms', '--prefill-time-per-token', '1ms',
        '--kv-cache-size', '2048', '--mode', 'echo', '--failure-injection-rate', '10', '--failure-types', 'rate_limit', 'server_error',
        '--enable-kvcache', '--zmq-endpoint', 'tcp://indexer:5557', '--kv-cache-transfer-latency', '1.5s', '--data-parallel-size', '2',
        '--max-waiting-queue-length', '5', '--time-to-first-token-std-dev', '10ms', '--use-vllm-map-event-format', '--global-cache-hit-threshold', '0.3',
        '--fake-metrics', '{"running-requests": 3}',
      ],
      {},
    );
    expect(settings).toMatchObject({
      model: 'Qwen/Qwen3-8B',
      ttft_ms: 200,
      itl_ms: 50,
      prefill_ms_per_token: 1,
      num_gpu_blocks_override: 2048,
      response_mode: 'echo',
      failure_injection_rate: 10,
      failure_types: ['rate_limit', 'server_error'],
      enable_kvcache: true,
      zmq_endpoint: 'tcp://indexer:5557',
      kv_cache_transfer_latency_ms: 1500,
      data_parallel_size: 2,
      global_cache_hit_threshold: 0.3,
      fake_metrics: '{"running-requests": 3}',
    });
    expect(ignoredFlags).toEqual(expect.arrayContaining(['--max-waiting-queue-length', '--time-to-first-token-std-dev', '--use-vllm-map-event-format']));
  });

  it('reads POD_NAME, POD_NAMESPACE (or NAMESPACE) and POD_IP from the environment', () => {
    expect(loadSettings([], { POD_NAME: 'p', NAMESPACE: 'ns', POD_IP: '10.0.0.9' }).settings).toMatchObject({ pod_name: 'p', pod_namespace: 'ns', pod_ip: '10.0.0.9' });
    expect(loadSettings([], { POD_NAMESPACE: 'a', NAMESPACE: 'b' }).settings.pod_namespace).toBe('a');
  });

  it('refuses a duration it cannot read, naming the setting', () => {
    expect(() => loadSettings(['--time-to-first-token', 'soon'], {})).toThrow(/ttft_ms .* 'soon' is not a duration/);
  });
});
