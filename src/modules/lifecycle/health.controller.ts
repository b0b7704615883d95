import { Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { int, obj, str } from '../api/openapi';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { FastifyReply } from 'fastify';
import { SIMULATED_VLLM_VERSION } from '../api/version';
import { Engine } from '../engine/engine';
import { ServerLoad } from './server-load';
import { LifecycleService } from './lifecycle.service';
import { ProbeRoute } from '../api/route-kind';

@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly engine: Engine,
    private readonly serverLoad: ServerLoad,
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
  ) {}

  @ProbeRoute()

  @Get('health')
  @ApiOperation({ summary: "vLLM's health check: 200 empty when serving, 503 while starting or draining" })
  vllmHealth(@Res() reply: FastifyReply): void {
    void reply.code(this.lifecycle.ready ? 200 : 503).send();
  }

  @ProbeRoute()

  @Get('ping')
  @ApiOperation({ summary: 'Same as /health (SageMaker)' })
  ping(@Res() reply: FastifyReply): void {
    this.vllmHealth(reply);
  }

  @ProbeRoute()

  @Post('ping')
  @HttpCode(200)
  @ApiOperation({ summary: 'Same as /health (SageMaker)' })
  pingPost(@Res() reply: FastifyReply): void {
    this.vllmHealth(reply);
  }

  @ProbeRoute()

  @Get('health/live')
  @HealthCheck()
  @ApiOperation({ summary: 'Kubernetes liveness: the process answers' })
  live() {
    return this.health.check([() => this.indicator.check('process').up({ uptime_s: Math.round((Date.now() - this.lifecycle.startedAt) / 1000) })]);
  }

  @ProbeRoute()

  @Get('health/ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Kubernetes readiness: loaded, not draining, engine accepting work' })
  ready() {
    return this.health.check([
      () => {
        const check = this.indicator.check('engine');
        const details = { state: this.lifecycle.state, ...this.engine.state };
        return this.lifecycle.ready ? check.up(details) : check.down(details);
      },
    ]);
  }

  @ProbeRoute()

  @Get('version')
  @ApiOperation({ summary: 'Simulated vLLM version' })
  @ApiOkResponse({ schema: obj({ version: str() }) })
  version(): object {
    return { version: SIMULATED_VLLM_VERSION };
  }

  @ProbeRoute()

  @Get('load')
  @ApiOperation({ summary: 'Generation requests in flight (held, queued, running or still answering), as vLLM counts server_load' })
  @ApiOkResponse({ schema: obj({ server_load: int() }) })
  load(): object {
    return { server_load: this.serverLoad.requests };
  }
}
