import { Counter, Gauge, Registry } from 'prom-client';
import { FAULT_TYPES } from '../faults/fault.types';

export interface SimulatorInfo {
  model_name: string;
  model: string;
  gpu_type: string;
  tensor_parallel_size: number;
  vllm_version: string;
}

/**
 * The simulator's own state, under `vllm_sim:` so it never collides with a vLLM name: configured
 * latency scale, responses-file reloads and their failures, injected faults by type.
 */
export class SimulatorMetrics {
  readonly info: Gauge<keyof SimulatorInfo>;
  readonly latencyScale: Gauge<string>;
  readonly patternReloads: Counter<string>;
  readonly patternReloadFailures: Counter<string>;
  readonly injectedFaults: Counter<'type'>;
  readonly fakeMetricsActive: Gauge<string>;

  constructor(registry: Registry, info: SimulatorInfo, latencyScale: number) {
    const registers = [registry];
    this.info = new Gauge({
      name: 'vllm_sim:info',
      help: 'The model, GPU and vLLM release the simulator impersonates (value is always 1).',
      labelNames: ['model_name', 'model', 'gpu_type', 'tensor_parallel_size', 'vllm_version'],
      registers,
    });
    this.info.set({ ...info, tensor_parallel_size: String(info.tensor_parallel_size) }, 1);
    this.latencyScale = new Gauge({
      name: 'vllm_sim:latency_scale',
      help: 'Multiplier applied to every simulated delay (0 answers at once).',
      registers,
    });
    this.latencyScale.set(latencyScale);
    this.patternReloads = new Counter({
      name: 'vllm_sim:pattern_reloads_total',
      help: 'Responses file reloads that took effect.',
      registers,
    });
    this.patternReloadFailures = new Counter({
      name: 'vllm_sim:pattern_reload_failures_total',
      help: 'Responses file reloads rejected (parse or validation error); the last good patterns stay active.',
      registers,
    });
    this.injectedFaults = new Counter({
      name: 'vllm_sim:injected_faults_total',
      help: 'Faults injected into requests, by fault type.',
      labelNames: ['type'],
      registers,
    });
    for (const type of FAULT_TYPES) this.injectedFaults.inc({ type }, 0);
    this.fakeMetricsActive = new Gauge({
      name: 'vllm_sim:fake_metrics_active',
      help: "1 while vLLM's families report fake numbers (--fake-metrics, /admin/fake-metrics) instead of the engine's.",
      registers,
    });
    this.fakeMetricsActive.set(0);
  }

  recordReload(ok: boolean): void {
    (ok ? this.patternReloads : this.patternReloadFailures).inc();
  }

  recordFault(type: string): void {
    this.injectedFaults.inc({ type });
  }
}
