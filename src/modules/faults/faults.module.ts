import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { FaultsService } from './faults.service';

/** Fault rules and the decision; the pipeline applies it, observers subscribe to what was injected. */
@Module({
  imports: [ModelsModule],
  providers: [FaultsService],
  exports: [FaultsService],
})
export class FaultsModule {}
