import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EngineModule } from '../engine/engine.module';
import { Admission } from './admission';
import { HealthController } from './health.controller';
import { LifecycleService } from './lifecycle.service';
import { PrefixCacheController } from './prefix-cache.controller';
import { ServerLoad } from './server-load';

/** Readiness (simulated loading, drain), the load the doors let in, and the probes that report them. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), EngineModule],
  controllers: [HealthController, PrefixCacheController],
  providers: [LifecycleService, ServerLoad, Admission],
  exports: [LifecycleService, ServerLoad, Admission],
})
export class LifecycleModule {}
