import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { FaultsModule } from '../faults/faults.module';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { ResponsesModule } from '../responses/responses.module';
import { Exchanges } from './exchange';
import { GenerationService } from './generation.service';

/** The door-neutral pipeline (GenerationService) and the exchanges its doors open and observers read. */
@Module({
  imports: [EngineModule, ResponsesModule, FaultsModule, LifecycleModule],
  providers: [GenerationService, Exchanges],
  exports: [GenerationService, Exchanges],
})
export class GenerationModule {}
