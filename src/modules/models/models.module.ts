import { Logger, Module } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings, servedNames } from '../../config/settings';
import { BenchmarksModule } from '../benchmarks/benchmarks.module';
import { PROFILE } from '../benchmarks/profile.token';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { resolveContextWindow } from '../benchmarks/resolve-profile';
import { ModelsController } from './models.controller';
import { ServedModel } from './served-model';

/** The served model as clients see it; its context window is the one the KV cache can hold. */
function servedModel(settings: Settings, profile: PerformanceProfile): ServedModel {
  const window = resolveContextWindow(settings.max_model_len, profile);
  if (window.warning) Logger.warn(window.warning, 'Config');
  return new ServedModel(servedNames(settings), settings.model, window.maxModelLen);
}

@Module({
  imports: [BenchmarksModule],
  controllers: [ModelsController],
  providers: [{ provide: ServedModel, inject: [SETTINGS, PROFILE], useFactory: servedModel }],
  exports: [ServedModel],
})
export class ModelsModule {}
