import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { ResponsesModule } from '../responses/responses.module';
import { GenerationService } from './generation.service';

@Module({
  imports: [EngineModule, ResponsesModule],
  providers: [GenerationService],
  exports: [GenerationService, EngineModule, ResponsesModule],
})
export class GenerationModule {}
