import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import { OpenAIExceptionFilter } from './openai-exception.filter';

/** What every HTTP route shares: vLLM's error body and the --api-key check. */
@Module({
  providers: [
    { provide: APP_FILTER, useClass: OpenAIExceptionFilter },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
})
export class OpenAIModule {}
