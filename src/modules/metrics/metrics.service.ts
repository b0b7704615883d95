import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Registry } from 'prom-client';
import { SETTINGS } from '../../config/config.module';
import { RuntimeConfig } from '../../config/runtime-config';
import { Settings } from '../../config/settings';
import { PROFILE } from '../benchmarks/profile.token';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { Engine } from '../engine/engine';
import { FaultsService } from '../faults/faults.service';
import { Exchanges } from '../generation/exchange';
import { SIMULATED_VLLM_VERSION } from '../api/version';
import { ServedModel } from '../models/served-model';
import { PatternStore, ReloadResult } from '../responses/pattern-store';
import { SleepService } from '../lifecycle/sleep.service';
import { HttpMetrics } from './http-metrics';
import { SimulatorMetrics } from './simulator-metrics';
import { VllmMetrics } from './vllm-metrics';

/** What the Responses module reports after each reload of the pattern file. */
export type PatternReloadResult = Pick<ReloadResult, 'ok' | 'error'>;

/**
 * Owns this app's metrics registry and feeds it, only by subscribing: engine events (one source for
 * HTTP and gRPC requests alike), the HTTP exchanges the doors close, runtime config changes, pattern
 * reloads and injected faults. Nothing imports it but its controller.
 */
@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  readonly vllm: VllmMetrics;
  readonly http: HttpMetrics;
  readonly simulator: SimulatorMetrics;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    readonly registry: Registry,
    private readonly engine: Engine,
    private readonly runtime: RuntimeConfig,
    private readonly exchanges: Exchanges,
    private readonly faults: FaultsService,
    private readonly patterns: PatternStore,
    private readonly sleep: SleepService,
    served: ServedModel,
    @Inject(SETTINGS) settings: Settings,
    @Inject(PROFILE) profile: PerformanceProfile,
  ) {
    this.vllm = new VllmMetrics({
      registry,
      modelName: served.name,
      maxModelLen: served.maxModelLen,
      cache: {
        block_size: profile.blockSize,
        cache_dtype: settings.kv_cache_dtype,
        enable_prefix_caching: settings.enable_prefix_caching,
        gpu_memory_utilization: settings.gpu_memory_utilization,
        num_gpu_blocks: profile.kvCacheBlocks,
      },
      state: () => engine.state,
    });
    this.http = new HttpMetrics(registry);
    this.simulator = new SimulatorMetrics(
      registry,
      {
        model_name: served.name,
        model: settings.model,
        gpu_type: settings.gpu_type,
        tensor_parallel_size: settings.tensor_parallel_size,
        vllm_version: SIMULATED_VLLM_VERSION,
      },
      runtime.values.latency_scale,
    );
  }

  onModuleInit(): void {
    const events = this.engine.events;
    this.unsubscribe.push(
      events.on('queued', (e) => this.vllm.onQueued(e.requestId, e.promptTokens, e.time)),
      events.on('tokens', (e) => this.vllm.onTokens(e)),
      events.on('step', (e) => this.vllm.onStep(e)),
      events.on('prefixCache', (e) => this.vllm.onPrefixCache(e)),
      events.on('preempted', () => this.vllm.onPreempted()),
      events.on('finished', (e) => this.vllm.onFinished(e)),
      this.runtime.onChange((values) => this.simulator.latencyScale.set(values.latency_scale)),
      this.patterns.onReload((result) => this.recordPatternReload(result)),
      this.faults.onInjected((fault) => this.simulator.recordFault(fault.type)),
      this.sleep.onChange((state) => this.vllm.recordSleepState(state.sleeping, state.level)),
      // HTTP requests are timed from arrival until their response is over, which also covers
      // streams the doors write themselves.
      this.exchanges.onClosed(({ durationMs, http }) => {
        if (!http) return;
        this.http.observe({
          route: http.routeTemplate,
          method: http.method,
          statusCode: http.statusCode,
          durationSeconds: durationMs / 1000,
          requestBytes: http.requestBytes,
          responseBytes: http.responseBytes,
        });
      }),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** One call per reload of the responses file, good or rejected (fed by PatternStore.onReload). */
  recordPatternReload(result: PatternReloadResult): void {
    this.simulator.recordReload(result.ok);
  }

  /** Text format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }
}
