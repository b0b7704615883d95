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
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { PrefillHandoff } from '../api/kv-transfer';
import { resolveKvTransferConfig } from '../../config/kv-transfer-config';

/** vLLM's NIXL side channel defaults: VLLM_NIXL_SIDE_CHANNEL_PORT 5600, one port per data-parallel rank. */
const NIXL_SIDE_CHANNEL_PORT = 5600;

/**
 * What every HTTP route shares: vLLM's error body, the --api-key check, admission of inference
 * routes, and the responder that writes the pipeline's events as JSON or SSE.
 */
@Module({
  imports: [EngineModule, GenerationModule, LifecycleModule],
  providers: [
    SseWriter,
    HttpResponder,
    {
      provide: PrefillHandoff,
      inject: [SETTINGS],
      useFactory: (s: Settings) => {
        // A malformed --kv-transfer-config stops start-up here.
        resolveKvTransferConfig(s.kv_transfer_config);
        return new PrefillHandoff({ host: s.pod_ip, port: NIXL_SIDE_CHANNEL_PORT + (s.data_parallel_rank ?? 0), tpSize: s.tensor_parallel_size });
      },
    },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: AdmissionGuard },
  ],
  exports: [HttpResponder, GenerationModule, PrefillHandoff],
})
export class HttpModule {}
