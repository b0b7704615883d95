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
import { VllmBlockHasher } from './vllm-block-hash';
import { resolveKvEventsConfig } from '../../config/kv-events-config';

/** vLLM's block hashing when KV events are published (only then: each cached block is hashed a second time). */
function hasherFor(settings: Settings): VllmBlockHasher | undefined {
  if (resolveKvEventsConfig(settings) === null) return undefined;
  if (settings.python_hash_seed === undefined) {
    new Logger('Engine').warn('PYTHONHASHSEED is not set: KV-event block hashes are seeded at random, as vLLM seeds them, so no router can reproduce them. Set PYTHONHASHSEED to the value your router uses.');
  }
  return new VllmBlockHasher({ algo: settings.prefix_caching_hash_algo, seed: settings.python_hash_seed ?? null, random: seededBytes(settings.seed) });
}

/** 32 random bytes, from SEED when it is set so a seeded run hashes the same way twice. */
function seededBytes(seed: number | undefined): (() => Buffer) | undefined {
  if (seed === undefined) return undefined;
  return () => {
    const r = Random.derive(seed, 'none-hash');
    return Buffer.from(Array.from({ length: 32 }, () => Math.floor(r.next() * 256)));
  };
}

@Module({
  imports: [BenchmarksModule],
  providers: [
    { provide: CLOCK, useValue: new WallClock() },
    {
      provide: Engine,
      inject: [CLOCK, PROFILE, SETTINGS, RuntimeConfig],
      useFactory: (clock: Clock, profile: PerformanceProfile, settings: Settings, runtime: RuntimeConfig) =>
        createEngine(
          clock,
          profile,
          settings,
          () => runtime.values,
          Random.derive(settings.seed, 'step-jitter'),
          (message, err) => new Logger('Engine').error(message, err instanceof Error ? err.stack : String(err)),
          hasherFor(settings),
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
