import { Module } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { PROFILE } from './profile.token';
import { resolveProfile } from './resolve-profile';

/** Resolves the served model x GPU x TP into a `PerformanceProfile` once, at start-up. */
@Module({
  providers: [{ provide: PROFILE, useFactory: (settings: Settings) => resolveProfile(settings), inject: [SETTINGS] }],
  exports: [PROFILE],
})
export class BenchmarksModule {}
