import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EngineState } from '../engine/engine.types';
import { Engines } from '../engine/engines';
import { FaultRule } from '../faults/fault.types';
import { FaultsService } from '../faults/faults.service';
import { PatternStore } from '../responses/pattern-store';
import { AdminAuthGuard } from './admin-auth.guard';
import { ApiAdminErrors } from './api-errors';
import { ControlRoute } from '../api/route-kind';
import { FakeMetricsService } from '../fake-metrics/fake-metrics.service';

interface EngineStatus {
  running: number;
  waiting: number;
  waiting_deferred: number;
  kv_cache_usage: number;
  kv_cache_blocks: number;
}

const engineStatus = (s: EngineState): EngineStatus => ({ running: s.running, waiting: s.waiting, waiting_deferred: s.waitingDeferred, kv_cache_usage: s.kvCacheUsage, kv_cache_blocks: s.kvCacheBlocks });

export interface AdminStatus {
  started_at: string;
  uptime_seconds: number;
  /** The first model's engine (the only one unless the server serves several models). */
  engine: EngineStatus;
  /** Every served model's engine, by its first served name. */
  models: Array<{ model: string } & EngineStatus>;
  responses_file: {
    path: string;
    loaded_at: string;
    pattern_count: number;
    /** The last rejected reload (the last good patterns stay active), or null. */
    last_error: { message: string; at: string } | null;
    reloads: number;
    failed_reloads: number;
    etag: string;
  };
  faults: FaultRule[];
  /** While /metrics reports fake numbers instead of the engine's: since when, and the spec. */
  fake_metrics: { active: boolean; since: string | null; spec: Record<string, unknown> | null };
}

@ApiTags('Admin')
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(AdminAuthGuard)
@Controller('admin/status')
export class AdminStatusController {
  private readonly startedAt = new Date();

  constructor(
    private readonly engines: Engines,
    private readonly store: PatternStore,
    private readonly faults: FaultsService,
    private readonly fake: FakeMetricsService,
  ) {}

  @ControlRoute()

  @Get()
  @ApiOperation({ summary: 'Uptime, engine state, responses file (last reload error) and active faults' })
  status(): AdminStatus {
    const file = this.store.status();
    return {
      started_at: this.startedAt.toISOString(),
      uptime_seconds: Math.round((Date.now() - this.startedAt.getTime()) / 10) / 100,
      engine: engineStatus(this.engines.primary.engine.state),
      models: this.engines.all.map(({ name, engine }) => ({ model: name, ...engineStatus(engine.state) })),
      responses_file: {
        path: file.path,
        loaded_at: file.loadedAt,
        pattern_count: file.patternCount,
        last_error: file.lastError,
        reloads: file.reloads,
        failed_reloads: file.failedReloads,
        etag: file.etag,
      },
      faults: this.faults.list(),
      fake_metrics: { active: this.fake.spec !== null, since: this.fake.setAt?.toISOString() ?? null, spec: this.fake.spec?.source ?? null },
    };
  }
}
