import { Module } from '@nestjs/common';
import { BenchmarksModule } from '../benchmarks/benchmarks.module';
import { EngineModule } from '../engine/engine.module';
import { SleepService } from './sleep.service';
import { Admission } from './admission';
import { HealthController } from './health.controller';
import { LifecycleService } from './lifecycle.service';
import { PrefixCacheController } from './prefix-cache.controller';
import { ServerLoad } from './server-load';

/** Readiness (simulated loading, drain), the load the doors let in, sleep mode, and the probes that report them. */
@Module({
  imports: [EngineModule, BenchmarksModule],
  controllers: [HealthController, PrefixCacheController],
  providers: [LifecycleService, ServerLoad, Admission, SleepService],
  exports: [LifecycleService, ServerLoad, Admission, SleepService],
})
export class LifecycleModule {}
