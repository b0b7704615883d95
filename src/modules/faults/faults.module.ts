import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { ModelsModule } from '../models/models.module';
import { FaultsService } from './faults.service';

/** Fault rules and the decision; global so every door (HTTP, gRPC) can ask it without wiring. */
@Global()
@Module({
  imports: [ModelsModule, MetricsModule],
  providers: [FaultsService],
  exports: [FaultsService],
})
export class FaultsModule {}
