import { Logger, Module } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { RuntimeConfig } from '../../config/runtime-config';
import { Settings } from '../../config/settings';
import { Random } from '../../common/random';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { PROFILE } from '../benchmarks/profile.token';
import { BenchmarksModule } from '../benchmarks/benchmarks.module';
import { Clock, CLOCK } from './clock';
import { Engine } from './engine';
import { createEngine } from './create-engine';
import { WallClock } from './wall-clock';
import { buildEngines, Engines } from './engines';

@Module({
  imports: [BenchmarksModule],
  providers: [
    { provide: CLOCK, useValue: new WallClock() },
    {
      provide: Engine,
      inject: [CLOCK, PROFILE, SETTINGS, RuntimeConfig],
      useFactory: (clock: Clock, profile: PerformanceProfile, settings: Settings, runtime: RuntimeConfig) =>
        createEngine(clock, profile, settings, () => runtime.values, Random.derive(settings.seed, 'step-jitter'), (message, err) =>
          new Logger('Engine').error(message, err instanceof Error ? err.stack : String(err)),
        ),
    },
    {
      provide: Engines,
      inject: [SETTINGS, Engine, PROFILE, CLOCK, RuntimeConfig],
      useFactory: (settings: Settings, engine: Engine, profile: PerformanceProfile, clock: Clock, runtime: RuntimeConfig) =>
        buildEngines(settings, { engine, profile }, clock, () => runtime.values, (message, err) =>
          new Logger('Engine').error(message, err instanceof Error ? err.stack : String(err)),
        ),
    },
  ],
  exports: [Engine, Engines, CLOCK],
})
export class EngineModule {}
