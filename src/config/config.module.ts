import { DynamicModule, Global, Module } from '@nestjs/common';
import { Settings } from './settings';
import { RuntimeConfig } from './runtime-config';

/** DI token of the start-up `Settings` (validated once, read-only). */
export const SETTINGS = Symbol('SETTINGS');

/** Provides the validated settings and the live runtime configuration to every module. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(settings: Settings): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: RuntimeConfig, useValue: new RuntimeConfig(settings) },
      ],
      exports: [SETTINGS, RuntimeConfig],
    };
  }
}
