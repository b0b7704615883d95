import { Module } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings, servedNames } from '../../config/settings';
import { BenchmarksModule } from '../benchmarks/benchmarks.module';
import { PROFILE } from '../benchmarks/profile.token';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { ModelsController } from './models.controller';
import { ServedModel } from './served-model';

@Module({
  imports: [BenchmarksModule],
  controllers: [ModelsController],
  providers: [
    {
      provide: ServedModel,
      inject: [SETTINGS, PROFILE],
      useFactory: (settings: Settings, profile: PerformanceProfile) =>
        new ServedModel(servedNames(settings), settings.model, settings.max_model_len ?? profile.model.contextLength),
    },
  ],
  exports: [ServedModel],
})
export class ModelsModule {}
