import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { HealthImplementation, ServingStatus } from 'grpc-health-check';
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
  private health?: HealthImplementation;
  private readonly unsubscribe: () => void;

  constructor(private readonly lifecycle: LifecycleService) {
    this.unsubscribe = lifecycle.onChange((state) => {
      for (const service of HEALTH_CHECKED_SERVICES) this.health?.setStatus(service, statusOf(state));
    });
  }

  /**
   * The grpc-health-check service, made when the gRPC server starts: the package parses its proto
   * when required, which an app without gRPC (or its HTTP start) need not pay for.
   */
  get implementation(): HealthImplementation {
    if (!this.health) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { HealthImplementation: Implementation } = require('grpc-health-check') as typeof import('grpc-health-check');
      this.health = new Implementation(Object.fromEntries(HEALTH_CHECKED_SERVICES.map((s) => [s, statusOf(this.lifecycle.state)])));
    }
    return this.health;
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}

function statusOf(state: LifecycleState): ServingStatus {
  return state === 'ready' ? 'SERVING' : 'NOT_SERVING';
}
