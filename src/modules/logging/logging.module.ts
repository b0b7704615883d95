import { Inject, Injectable, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { Clock, CLOCK } from '../engine/clock';
import { Engines } from '../engine/engines';
import { EngineModule } from '../engine/engine.module';
import { EngineStatsLine, EngineStatsLogger } from './engine-stats-logger';
import { serverLogger } from './server-logger';

/** Runs vLLM's periodic engine stats line for every served model's engine (off with --disable-log-stats). */
@Injectable()
export class EngineStatsLogging implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly stats: EngineStatsLogger[] = [];

  constructor(
    private readonly engines: Engines,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.disable_log_stats) return;
    const logger = serverLogger(this.settings);
    // Busy lines are info, idle ones debug: above info none would be printed, so nothing needs to run.
    if (!logger.enabled('INFO')) return;
    this.engines.all.forEach(({ name, engine }, i) => {
      const sink = (line: EngineStatsLine) => logger.write(line.level, 'loggers', line.message, line.fields);
      const stats = new EngineStatsLogger(engine.events, () => engine.state, this.clock, sink, 0, i === 0 ? undefined : name);
      stats.start(this.settings.log_stats_interval * 1000);
      this.stats.push(stats);
    });
  }

  onModuleDestroy(): void {
    for (const stats of this.stats.splice(0)) stats.stop();
  }
}

/** The server's log lines that observe the engine: vLLM's periodic stats line. */
@Module({
  imports: [EngineModule],
  providers: [EngineStatsLogging],
})
export class LoggingModule {}
