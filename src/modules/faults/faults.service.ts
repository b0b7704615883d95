import { Inject, Injectable, Logger } from '@nestjs/common';
import { Random } from '../../common/random';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ServedModel } from '../models/served-model';
import { ApiError } from '../api/api-error';
import { faultError } from './fault-errors';
import { FaultPlan, UnknownFaultTypeError } from './fault-plan';
import { FAULT_TYPES, Fault, FaultContext, FaultRule, FaultRuleSpec, FaultType } from './fault.types';

/** A fault chosen for a request, with the error its client will see (null: disconnect, slow). */
export type FaultDecision = Fault & { error: ApiError | null };

/** Told of every injected fault (metrics counter, request log). */
export interface InjectedFault {
  requestId: string;
  route: string;
  model?: string;
  type: FaultType;
  ruleId: string | null;
}

/**
 * The one place that decides whether a request fails and how. The pipeline asks `decide()` once per
 * request (HTTP and gRPC alike), before any work starts, and applies the decision; rules are
 * managed through /admin/faults. Observers (metrics) subscribe to the faults injected.
 * Probabilities draw from a generator seeded by SEED, so a seeded run injects the same faults.
 */
@Injectable()
export class FaultsService {
  private readonly logger = new Logger('Faults');
  private readonly plan: FaultPlan;
  private readonly listeners = new Set<(fault: InjectedFault) => void>();

  constructor(
    @Inject(SETTINGS) settings: Settings,
    private readonly served: ServedModel,
  ) {
    this.plan = new FaultPlan(Random.derive(settings.seed, 'faults'));
  }

  list(): FaultRule[] {
    return this.plan.list();
  }

  add(spec: FaultRuleSpec): FaultRule {
    const rule = this.plan.add(spec);
    this.logger.log(`Fault rule ${rule.id} added: ${JSON.stringify(spec)}`);
    return rule;
  }

  remove(id: string): boolean {
    return this.plan.remove(id);
  }

  clear(): number {
    return this.plan.clear();
  }

  /**
   * The fault for this request, or null. Synchronous, so counted rules stay exact under
   * concurrency. An unknown explicitly requested type is the client's mistake: 400.
   */
  decide(ctx: FaultContext): FaultDecision | null {
    let fault: Fault | null;
    try {
      fault = this.plan.decide(ctx);
    } catch (err) {
      if (err instanceof UnknownFaultTypeError) {
        throw ApiError.badRequest(`Unknown fault type '${err.message}'; known types: ${FAULT_TYPES.join(', ')}.`, 'x-simulate-fault');
      }
      throw err;
    }
    if (!fault) return null;
    const injected: InjectedFault = { requestId: ctx.requestId, route: ctx.route, model: ctx.model, type: fault.type, ruleId: fault.ruleId };
    for (const listener of this.listeners) listener(injected);
    const delayMs = fault.type === 'timeout' ? fault.delayMs : undefined;
    const retryAfter = fault.type === 'rate_limit' ? fault.retryAfter : undefined;
    return { ...fault, error: faultError(fault.type, { model: ctx.model, maxModelLen: this.served.maxModelLen, delayMs, retryAfter }) };
  }

  /** Subscribes to injected faults (metrics, request log); returns the unsubscribe function. */
  onInjected(listener: (fault: InjectedFault) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
