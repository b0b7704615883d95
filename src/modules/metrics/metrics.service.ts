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
import { CacheConfigInfo, ModelSeries, VllmMetrics } from './vllm-metrics';
import { Engines } from '../engine/engines';
import { ServedModels } from '../models/served-models';

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
  private readonly series: Array<{ series: ModelSeries; engine: Engine }>;

  constructor(
    readonly registry: Registry,
    models: ServedModels,
    engines: Engines,
    private readonly runtime: RuntimeConfig,
    private readonly exchanges: Exchanges,
    private readonly faults: FaultsService,
    private readonly patterns: PatternStore,
    private readonly sleep: SleepService,
    served: ServedModel,
    @Inject(SETTINGS) settings: Settings,
    @Inject(PROFILE) profile: PerformanceProfile,
  ) {
    const cacheOf = (modelSettings: Settings, modelProfile: PerformanceProfile): CacheConfigInfo => ({
      block_size: modelProfile.blockSize,
      cache_dtype: modelSettings.kv_cache_dtype,
      enable_prefix_caching: modelSettings.enable_prefix_caching,
      gpu_memory_utilization: modelSettings.gpu_memory_utilization,
      num_gpu_blocks: modelProfile.kvCacheBlocks,
    });
    const [first, ...others] = models.entries;
    this.vllm = new VllmMetrics({
      registry,
      modelName: served.name,
      maxModelLen: Math.max(...models.entries.map((m) => m.served.maxModelLen)),
      cache: cacheOf(settings, profile),
      state: () => first.engine.state,
    });
    // One series per served model, fed by its own engine.
    this.series = [
      { series: this.vllm.primary, engine: first.engine },
      ...others.map((m, i) => ({
        series: this.vllm.addModel({ modelName: m.served.name, cache: cacheOf(engines.all[i + 1].settings, m.profile), state: () => m.engine.state }),
        engine: m.engine,
      })),
    ];
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
    for (const { series, engine } of this.series) {
      const events = engine.events;
      this.unsubscribe.push(
        events.on('queued', (e) => series.onQueued(e.requestId, e.promptTokens, e.time)),
        events.on('tokens', (e) => series.onTokens(e)),
        events.on('step', (e) => series.onStep(e)),
        events.on('prefixCache', (e) => series.onPrefixCache(e)),
        events.on('preempted', () => series.onPreempted()),
        events.on('finished', (e) => series.onFinished(e)),
      );
    }
    this.unsubscribe.push(
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
