import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { sendUnaryData, Server, ServerUnaryCall, ServerWritableStream, ServiceDefinition } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { LifecycleService, LifecycleState } from '../lifecycle/lifecycle.service';
import { VLLM_ENGINE_SERVICE_NAME } from './proto';

/** The services grpc.health.v1 answers for: the whole server ("") and each one it serves. */
const HEALTH_CHECKED_SERVICES: readonly string[] = ['', VLLM_ENGINE_SERVICE_NAME];

/** grpc.health.v1's service in a loaded package definition (HEALTH_PROTO). */
const HEALTH_SERVICE = 'grpc.health.v1.Health';

/** grpc.health.v1.HealthCheckResponse.ServingStatus, by name (the loader's `enums: String`). */
type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

interface HealthRequest {
  service: string;
}
interface HealthResponse {
  status: ServingStatus;
}

/**
 * grpc.health.v1.Health (Check, Watch, List) following readiness, so Kubernetes `grpc:` probes see
 * what /health/ready sees: NOT_SERVING while starting and from the first moment of a drain. Served
 * from the definition the gRPC server already parsed (grpc-health-check's proto), not by that
 * package, which parses its proto again when required; its answers are the package's: NOT_FOUND
 * to a Check of another service, SERVICE_UNKNOWN to a Watch of one, a status on every change.
 */
@Injectable()
export class GrpcHealthService implements OnModuleDestroy {
  private readonly watchers = new Map<string, Set<(status: ServingStatus) => void>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly lifecycle: LifecycleService) {
    this.unsubscribe = lifecycle.onChange((state) => {
      for (const service of HEALTH_CHECKED_SERVICES) for (const send of this.watchers.get(service) ?? []) send(statusOf(state));
    });
  }

  /** Adds the Health service to the gRPC server; `definition` must hold HEALTH_PROTO's services. */
  addToServer(server: Server, definition: PackageDefinition): void {
    server.addService(definition[HEALTH_SERVICE] as ServiceDefinition, {
      check: (call: ServerUnaryCall<HealthRequest, HealthResponse>, callback: sendUnaryData<HealthResponse>) => {
        const status = this.statusOf(call.request.service);
        if (status) callback(null, { status });
        else callback({ code: GrpcStatus.NOT_FOUND, details: `Health status unknown for service ${call.request.service}` });
      },
      watch: (call: ServerWritableStream<HealthRequest, HealthResponse>) => {
        const service = call.request.service;
        const send = (status: ServingStatus) => call.write({ status });
        const set = this.watchers.get(service) ?? new Set();
        this.watchers.set(service, set.add(send));
        call.on('cancelled', () => {
          set.delete(send);
          if (set.size === 0 && this.watchers.get(service) === set) this.watchers.delete(service);
        });
        send(this.statusOf(service) ?? 'SERVICE_UNKNOWN');
      },
      list: (_call: ServerUnaryCall<unknown, { statuses: Record<string, HealthResponse> }>, callback: sendUnaryData<{ statuses: Record<string, HealthResponse> }>) => {
        const status = statusOf(this.lifecycle.state);
        callback(null, { statuses: Object.fromEntries(HEALTH_CHECKED_SERVICES.map((service) => [service, { status }])) });
      },
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** The status of a service health answers for; undefined for any other. */
  private statusOf(service: string): ServingStatus | undefined {
    return HEALTH_CHECKED_SERVICES.includes(service) ? statusOf(this.lifecycle.state) : undefined;
  }
}

function statusOf(state: LifecycleState): ServingStatus {
  return state === 'ready' ? 'SERVING' : 'NOT_SERVING';
}
