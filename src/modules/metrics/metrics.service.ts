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
import { CacheConfigInfo, ModelSeries, VllmMetrics, VllmMetricsOptions } from './vllm-metrics';
import { FakeMetricsService } from '../fake-metrics/fake-metrics.service';
import { fakeVllmMetrics } from './fake-vllm-metrics';
import { ServedModels } from '../models/served-models';
import { Engines } from '../engine/engines';

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
  /** vLLM's families from the engine, in a registry of their own: fake metrics show instead of them. */
  private readonly vllmRegistry = new Registry();
  private fakeRegistry: Registry | null = null;
  private readonly vllmOptions: Omit<VllmMetricsOptions, 'registry'>;
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
    private readonly fake: FakeMetricsService,
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
      num_gpu_blocks_override: modelSettings.num_gpu_blocks_override ?? null,
      prefix_caching_hash_algo: modelSettings.prefix_caching_hash_algo,
    });
    const [first, ...others] = models.entries;
    const engineIndex = String(settings.data_parallel_rank ?? 0);
    this.vllmOptions = {
      modelName: served.name,
      // The token-count buckets are shared by every model's series: the largest context window sizes them.
      maxModelLen: Math.max(...models.entries.map((m) => m.served.maxModelLen)),
      cache: cacheOf(settings, profile),
      state: () => first.engine.state,
      engineIndex,
      lora: settings.enable_lora ? { maxLoras: settings.max_loras, state: () => first.engine.loraState } : undefined,
      kvTransfer: settings.kv_transfer_config !== undefined,
    };
    this.vllm = new VllmMetrics({ ...this.vllmOptions, registry: this.vllmRegistry });
    // One series per served model, fed by its own engine.
    this.series = [
      { series: this.vllm.primary, engine: first.engine },
      ...others.map((m) => ({
        series: this.vllm.addModel({ modelName: m.served.name, cache: cacheOf(m.settings, m.profile), state: () => m.engine.state, engineIndex }),
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
    const showFake = () => {
      const spec = this.fake.spec;
      const { lora, state: _state, ...options } = this.vllmOptions;
      this.fakeRegistry = spec ? fakeVllmMetrics(spec, { ...options, maxLoras: lora?.maxLoras }, this.fake.setAt!.getTime()) : null;
      this.simulator.fakeMetricsActive.set(spec ? 1 : 0);
    };
    showFake();
    for (const { series, engine } of this.series) {
      const events = engine.events;
      this.unsubscribe.push(
        events.on('queued', (e) => series.onQueued(e.requestId, e.promptTokens, e.time)),
        events.on('tokens', (e) => series.onTokens(e)),
        events.on('step', (e) => series.onStep(e)),
        events.on('prefixCache', (e) => series.onPrefixCache(e)),
        events.on('preempted', () => series.onPreempted()),
        events.on('finished', (e) => series.onFinished(e)),
        events.on('promptSources', (e) => series.onPromptSources(e)),
        events.on('kvTransfer', (e) => series.onKvTransfer(e)),
      );
    }
    this.unsubscribe.push(
      this.runtime.onChange((values) => this.simulator.latencyScale.set(values.latency_scale)),
      this.patterns.onReload((result) => this.recordPatternReload(result)),
      this.faults.onInjected((fault) => this.simulator.recordFault(fault.type)),
      this.sleep.onChange((state) => this.vllm.recordSleepState(state.sleeping, state.level)),
      this.fake.onChange(showFake),
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

  /** vLLM's families (the engine's, or the fake ones while they are on), then HTTP and the simulator's own. */
  async exposition(): Promise<string> {
    const [vllm, rest] = await Promise.all([(this.fakeRegistry ?? this.vllmRegistry).metrics(), this.registry.metrics()]);
    return vllm + rest;
  }
}
