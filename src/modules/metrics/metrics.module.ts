import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { BenchmarksModule } from '../benchmarks/benchmarks.module';
import { EngineModule } from '../engine/engine.module';
import { FakeMetricsModule } from '../fake-metrics/fake-metrics.module';
import { FaultsModule } from '../faults/faults.module';
import { GenerationModule } from '../generation/generation.module';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { ModelsModule } from '../models/models.module';
import { ResponsesModule } from '../responses/responses.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * vLLM's Prometheus metrics on GET /metrics. Each app gets its own prom-client `Registry` (never the
 * global one), so several apps in one process (tests) keep separate counts.
 */
@Module({
  imports: [BenchmarksModule, EngineModule, FakeMetricsModule, FaultsModule, GenerationModule, LifecycleModule, ModelsModule, ResponsesModule],
  controllers: [MetricsController],
  providers: [{ provide: Registry, useFactory: () => new Registry() }, MetricsService],
})
export class MetricsModule {}
