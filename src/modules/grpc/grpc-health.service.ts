import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthImplementation, ServingStatus } from 'grpc-health-check';
import { LifecycleService, LifecycleState } from '../lifecycle/lifecycle.service';
import { VLLM_ENGINE_SERVICE_NAME } from './proto';

/** The services grpc.health.v1 answers for: the whole server ("") and each one it serves. */
const HEALTH_CHECKED_SERVICES = ['', VLLM_ENGINE_SERVICE_NAME] as const;

/**
 * grpc.health.v1.Health (Check, Watch) following readiness, so Kubernetes `grpc:` probes see what
 * /health/ready sees: NOT_SERVING while starting and from the first moment of a drain.
 */
@Injectable()
export class GrpcHealthService implements OnModuleDestroy {
  readonly implementation: HealthImplementation;
  private readonly unsubscribe: () => void;

  constructor(lifecycle: LifecycleService) {
    this.implementation = new HealthImplementation(
      Object.fromEntries(HEALTH_CHECKED_SERVICES.map((s) => [s, statusOf(lifecycle.state)])),
    );
    this.unsubscribe = lifecycle.onChange((state) => {
      for (const service of HEALTH_CHECKED_SERVICES) this.implementation.setStatus(service, statusOf(state));
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}

function statusOf(state: LifecycleState): ServingStatus {
  return state === 'ready' ? 'SERVING' : 'NOT_SERVING';
}
