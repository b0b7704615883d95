import { applyDecorators, Controller, Get, Header, HttpCode, Post, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { anyObject, ERROR_SCHEMA, int, obj, str } from '../api/openapi';
import { FastifyReply } from 'fastify';
import { SIMULATED_VLLM_VERSION } from '../api/version';
import { Engine } from '../engine/engine';
import { ServerLoad } from './server-load';
import { LifecycleService } from './lifecycle.service';
import { ProbeRoute } from '../api/route-kind';

/** A Kubernetes probe's body, in the shape of @nestjs/terminus's health checks (which served them before). */
interface ProbeResult {
  status: 'ok';
  info: Record<string, object>;
  error: Record<string, object>;
  details: Record<string, object>;
}

/**
 * One check's result: 200 with it under `info` and `details` when up; when down a 503 (the
 * exception carries the check, the error filter answers in vLLM's error shape).
 */
function probeResult(check: string, up: boolean, details: object): ProbeResult {
  const result = { [check]: { ...details, status: up ? 'up' : 'down' } };
  if (!up) throw new ServiceUnavailableException({ status: 'error', info: {}, error: result, details: result });
  return { status: 'ok', info: result, error: {}, details: result };
}

const CHECK_RESULTS = anyObject({ description: 'Each check by name: its details and `status` ("up" or "down")' });

/** Never cached; documented as answered. */
function KubernetesProbe(): MethodDecorator {
  return applyDecorators(
    Header('Cache-Control', 'no-cache, no-store, must-revalidate'),
    ApiOkResponse({ description: 'The check is up', schema: obj({ status: str({ example: 'ok' }), info: CHECK_RESULTS, error: CHECK_RESULTS, details: CHECK_RESULTS }) }),
    ApiServiceUnavailableResponse({ description: 'The check is down', schema: ERROR_SCHEMA }),
  );
}

@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly engine: Engine,
    private readonly serverLoad: ServerLoad,
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
  @KubernetesProbe()
  @ApiOperation({ summary: 'Kubernetes liveness: the process answers' })
  live(): ProbeResult {
    return probeResult('process', true, { uptime_s: Math.round((Date.now() - this.lifecycle.startedAt) / 1000) });
  }

  @ProbeRoute()

  @Get('health/ready')
  @KubernetesProbe()
  @ApiOperation({ summary: 'Kubernetes readiness: loaded, not draining, engine accepting work' })
  ready(): ProbeResult {
    return probeResult('engine', this.lifecycle.ready, { state: this.lifecycle.state, ...this.engine.state });
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

