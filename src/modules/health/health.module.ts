import { Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { FastifyInstance } from 'fastify';
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
export class HealthModule implements OnModuleInit {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // While draining, a response closes its connection (as uvicorn does at shutdown): a keep-alive
    // client answered after the server began to close would otherwise hold it open until the
    // keep-alive timeout.
    fastify?.addHook('onSend', async (_req, reply, payload) => {
      if (this.lifecycle.draining) void reply.header('connection', 'close');
      return payload;
    });
  }
}
