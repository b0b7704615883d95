import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { ResponsesModule } from '../responses/responses.module';
import { GenerationService } from './generation.service';
import { ServerLoad } from './server-load';

@Module({
  imports: [EngineModule, ResponsesModule],
  providers: [GenerationService, ServerLoad],
  exports: [GenerationService, ServerLoad, EngineModule, ResponsesModule],
})
export class GenerationModule {}
