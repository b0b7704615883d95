import { Engine } from '../engine/engine';
import { GenerationObserver, GenerationRequest } from '../engine/engine.types';
import { VirtualClock } from '../engine/virtual-clock';
import { Router } from './routing';

/**
 * Where a replay sends its requests: one or more engines on one virtual clock. `submit` answers
 * the index of the engine that took the request; figures are kept per engine.
 *
 * Data-parallel replicas (`DataParallelCluster`) are what exists. A prefill/decode pool would be
 * another `ServingCluster`: its engines split into a prefill pool and a decode pool, `submit`
 * routes to a prefill engine for the first token and, when it ends, to a decode engine that skips
 * the prefill after a KV-transfer time. That needs the engine to accept a request whose prompt KV
 * arrives from elsewhere, which it does not yet.
 */
export interface ServingCluster {
  readonly clock: VirtualClock;
  readonly engines: readonly Engine[];
  submit(request: GenerationRequest, observer: GenerationObserver): number;
}

/** N identical replicas behind a routing policy (vLLM data-parallel ranks, or N servers behind a gateway). */
export class DataParallelCluster implements ServingCluster {
  constructor(
    readonly clock: VirtualClock,
    readonly engines: readonly Engine[],
    private readonly router: Router,
  ) {}

  submit(request: GenerationRequest, observer: GenerationObserver): number {
    const replica = this.engines.length === 1 ? 0 : this.router.route(request.promptTokenIds, this.engines.map((e) => e.state));
    this.engines[replica].submit(request, observer);
    return replica;
  }
}
