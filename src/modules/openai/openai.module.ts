import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EngineModule } from '../engine/engine.module';
import { ApiKeyGuard } from './api-key.guard';
import { OpenAIExceptionFilter } from './openai-exception.filter';
import { SseRelease } from './sse-release';

/** What every HTTP route shares: vLLM's error body, the --api-key check, SSE writes per engine step. */
@Module({
  imports: [EngineModule],
  providers: [
    SseRelease,
    { provide: APP_FILTER, useClass: OpenAIExceptionFilter },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
})
export class OpenAIModule {}
