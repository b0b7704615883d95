import { Body, Controller, Delete, Get, HttpCode, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ControlRoute } from '../api/route-kind';
import { FakeMetricsService } from '../fake-metrics/fake-metrics.service';
import { AdminAuthGuard } from './admin-auth.guard';
import { ApiAdminErrors } from './api-errors';

/** What GET /admin/fake-metrics answers: whether fake numbers are on, since when, and the spec as given. */
export interface FakeMetricsStatus {
  active: boolean;
  since: string | null;
  spec: Record<string, unknown> | null;
}

/**
 * /admin/fake-metrics: llm-d-inference-sim's fake metrics at run time. PUT replaces the spec (its
 * JSON, validated whole: a bad one is a 400 and changes nothing), DELETE goes back to the engine's.
 */
@ApiTags('Admin')
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(AdminAuthGuard)
@Controller('admin/fake-metrics')
export class AdminFakeMetricsController {
  constructor(private readonly fake: FakeMetricsService) {}

  private status(): FakeMetricsStatus {
    return { active: this.fake.spec !== null, since: this.fake.setAt?.toISOString() ?? null, spec: this.fake.spec?.source ?? null };
  }

  @ControlRoute()
  @Get()
  @ApiOperation({ summary: 'Whether /metrics reports fake numbers, and which' })
  get(): FakeMetricsStatus {
    return this.status();
  }

  @ControlRoute()
  @Put()
  @ApiOperation({ summary: "Report these numbers on /metrics instead of the engine's (llm-d-inference-sim's --fake-metrics JSON)" })
  put(@Body() body: unknown): FakeMetricsStatus {
    this.fake.set(body ?? null);
    return this.status();
  }

  @ControlRoute()
  @Delete()
  @HttpCode(200)
  @ApiOperation({ summary: "Back to the engine's metrics" })
  remove(): FakeMetricsStatus {
    this.fake.clear();
    return this.status();
  }
}
