import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import { GrpcExceptionFilter } from './grpc-exception.filter';
import { VLLM_ENGINE_SERVICE } from './proto';
import { VllmEngineService } from './vllm-engine.service';
import {
  AbortRequest,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  GetModelInfoResponse,
  GetServerInfoResponse,
  HealthCheckResponse,
} from './vllm-engine.types';

/** vllm.grpc.engine.VllmEngine: one line per RPC; the work is in VllmEngineService. */
@Controller()
@UseFilters(GrpcExceptionFilter)
export class VllmEngineController {
  constructor(private readonly service: VllmEngineService) {}

  @GrpcMethod(VLLM_ENGINE_SERVICE, 'Generate')
  generate(req: GenerateRequest, metadata?: Metadata): Observable<GenerateResponse> {
    const fault = metadata?.get('x-simulate-fault')[0];
    return this.service.generate(req, { simulateFault: fault === undefined ? undefined : String(fault) });
  }

  @GrpcMethod(VLLM_ENGINE_SERVICE, 'Embed')
  embed(req: EmbedRequest): EmbedResponse {
    return this.service.embed(req);
  }

  @GrpcMethod(VLLM_ENGINE_SERVICE, 'HealthCheck')
  healthCheck(): HealthCheckResponse {
    return this.service.healthCheck();
  }

  @GrpcMethod(VLLM_ENGINE_SERVICE, 'Abort')
  abort(req: AbortRequest): Record<string, never> {
    return this.service.abort(req);
  }

  @GrpcMethod(VLLM_ENGINE_SERVICE, 'GetModelInfo')
  getModelInfo(): GetModelInfoResponse {
    return this.service.modelInfo();
  }

  @GrpcMethod(VLLM_ENGINE_SERVICE, 'GetServerInfo')
  getServerInfo(): GetServerInfoResponse {
    return this.service.serverInfo();
  }
}
