import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { EngineModule } from '../engine/engine.module';
import { GenerationModule } from '../generation/generation.module';
import { HealthController } from './health.controller';
import { AcceptingWorkGuard } from './draining.guard';
import { LifecycleService } from './lifecycle.service';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), EngineModule, GenerationModule],
  controllers: [HealthController],
  providers: [LifecycleService, { provide: APP_GUARD, useClass: AcceptingWorkGuard }],
  exports: [LifecycleService],
})
export class HealthModule {}
