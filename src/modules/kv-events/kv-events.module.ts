import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { ModelsModule } from '../models/models.module';
import { KvEventsService } from './kv-events.service';

/** vLLM's KV cache events over ZeroMQ (`--kv-events-config`, or llm-d-inference-sim's `--enable-kvcache`). */
@Module({
  imports: [EngineModule, ModelsModule],
  providers: [KvEventsService],
})
export class KvEventsModule {}
