import { Inject, Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { SettingsError } from '../../config/load-settings';
import { CreateFaultRuleDto } from './dto/create-fault-rule.dto';
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
    for (const spec of startupRules(settings)) this.add(spec);
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

/** llm-d-inference-sim's failure types (its --failure-types), all of them ours too. */
export const LLMD_FAILURE_TYPES = ['rate_limit', 'invalid_api_key', 'context_length', 'server_error', 'invalid_request', 'model_not_found'] as const;

/**
 * The fault rules active from start-up: the config file's `faults:` section (each validated as
 * POST /admin/faults validates it), then llm-d-inference-sim's `--failure-injection-rate R
 * --failure-types T...`: each request fails with probability R% and then with one of the types,
 * uniformly. Rules are tried in order, so the k-th of n gets probability (R/n) / (1 - (k-1)R/n).
 */
export function startupRules(settings: Settings): FaultRuleSpec[] {
  const rules: FaultRuleSpec[] = [];
  for (const [i, raw] of (settings.faults ?? []).entries()) {
    const dto = plainToInstance(CreateFaultRuleDto, raw);
    const errors = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }) : null;
    if (errors === null) throw new SettingsError(`Config file faults[${i}]: expected a fault rule (a mapping).`);
    if (errors.length > 0) {
      const message = errors.map((e) => Object.values(e.constraints ?? { invalid: `${e.property} is invalid` }).join('; ')).join('; ');
      throw new SettingsError(`Config file faults[${i}]: ${message}.`);
    }
    rules.push({ ...dto });
  }
  const rate = settings.failure_injection_rate / 100;
  if (rate > 0) {
    const types = settings.failure_types.length > 0 ? settings.failure_types : [...LLMD_FAILURE_TYPES];
    for (const t of types) {
      if (!(LLMD_FAILURE_TYPES as readonly string[]).includes(t)) {
        throw new SettingsError(`Invalid setting failure_types / --failure-types: '${t}' (allowed: ${LLMD_FAILURE_TYPES.join(', ')}).`);
      }
    }
    const share = rate / types.length;
    types.forEach((type, k) => rules.push({ type: type as FaultType, probability: Math.min(1, share / (1 - k * share)) }));
  }
  return rules;
}
