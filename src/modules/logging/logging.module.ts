import { Inject, Injectable, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { Clock, CLOCK } from '../engine/clock';
import { Engine } from '../engine/engine';
import { EngineModule } from '../engine/engine.module';
import { EngineStatsLogger } from './engine-stats-logger';
import { serverLogger } from './server-logger';

/** Runs vLLM's periodic engine stats line for the app's engine (off with --disable-log-stats). */
@Injectable()
export class EngineStatsLogging implements OnApplicationBootstrap, OnModuleDestroy {
  private stats?: EngineStatsLogger;

  constructor(
    private readonly engine: Engine,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.disable_log_stats) return;
    const logger = serverLogger(this.settings);
    // Busy lines are info, idle ones debug: above info none would be printed, so nothing needs to run.
    if (!logger.enabled('INFO')) return;
    this.stats = new EngineStatsLogger(this.engine.events, () => this.engine.state, this.clock, (line) =>
      logger.write(line.level, 'loggers', line.message, line.fields),
    );
    this.stats.start(this.settings.log_stats_interval * 1000);
  }

  onModuleDestroy(): void {
    this.stats?.stop();
  }
}

/** The server's log lines that observe the engine: vLLM's periodic stats line. */
@Module({
  imports: [EngineModule],
  providers: [EngineStatsLogging],
})
export class LoggingModule {}
