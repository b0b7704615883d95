import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { onResponseOver } from '../../common/response-over';
import { SETTINGS } from '../../config/config.module';
import { RuntimeConfig } from '../../config/runtime-config';
import { Settings } from '../../config/settings';
import { PROFILE } from '../benchmarks/profile.token';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { Engine } from '../engine/engine';
import { SIMULATED_VLLM_VERSION } from '../api/version';
import { ServedModel } from '../models/served-model';
import { PatternStore, ReloadResult } from '../responses/pattern-store';
import { HttpMetrics } from './http-metrics';
import { SimulatorMetrics } from './simulator-metrics';
import { VllmMetrics } from './vllm-metrics';

/** What the Responses module reports after each reload of the pattern file. */
export type PatternReloadResult = Pick<ReloadResult, 'ok' | 'error'>;

/**
 * Owns this app's metrics registry and feeds it: engine events (one source for HTTP and gRPC
 * requests alike), Fastify request timings, runtime config changes, reloads and injected faults.
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
    private readonly adapterHost: HttpAdapterHost,
    private readonly patterns: PatternStore,
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
    );
    this.instrumentHttp();
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Counts a fault the Faults module injected (`vllm_sim:injected_faults_total{type}`). */
  recordFault(type: string): void {
    this.simulator.recordFault(type);
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

  /**
   * Times every HTTP request from arrival until its response is over, which also covers streams the
   * doors write themselves (hijacked replies skip Fastify's onResponse hooks).
   */
  private instrumentHttp(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter) return; // no HTTP server (e.g. offline simulation)
    const fastify = adapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (req, reply, done) => {
      const start = performance.now();
      const route = req.routeOptions?.url;
      onResponseOver(reply.raw, () => {
        this.http.observe({
          route,
          method: req.method,
          statusCode: reply.raw.statusCode,
          durationSeconds: (performance.now() - start) / 1000,
          requestBytes: Number(req.headers['content-length'] ?? 0) || 0,
          responseBytes: Number(reply.raw.getHeader('content-length') ?? 0) || 0,
        });
      });
      done();
    });
  }
}
