import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { DevController } from './dev.controller';
import { LifecycleModule } from './lifecycle.module';

/** vLLM's development routes; the app serves this module only with VLLM_SERVER_DEV_MODE (else they are 404, as in vLLM). */
@Module({
  imports: [LifecycleModule, EngineModule],
  controllers: [DevController],
})
export class DevRoutesModule {}
