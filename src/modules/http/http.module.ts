import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EngineModule } from '../engine/engine.module';
import { GenerationModule } from '../generation/generation.module';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { AdmissionGuard } from './admission.guard';
import { ApiKeyGuard } from './api-key.guard';
import { ApiExceptionFilter } from './exception.filter';
import { HttpResponder } from './http-responder';
import { SseWriter } from './sse';

/**
 * What every HTTP route shares: vLLM's error body, the --api-key check, admission of inference
 * routes, and the responder that writes the pipeline's events as JSON or SSE.
 */
@Module({
  imports: [EngineModule, GenerationModule, LifecycleModule],
  providers: [
    SseWriter,
    HttpResponder,
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: AdmissionGuard },
  ],
  exports: [HttpResponder, GenerationModule],
})
export class HttpModule {}
