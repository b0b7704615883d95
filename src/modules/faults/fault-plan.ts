import { Random } from '../../common/random';
import { FAULT_DEFAULTS, Fault, FaultContext, FaultRule, FaultRuleSpec, isFaultType } from './fault.types';

/** The request asked for a fault type that does not exist. */
export class UnknownFaultTypeError extends Error {}

/**
 * The active fault rules and the decision "does this request fail, and how". Plain and synchronous:
 * a counted rule is consumed in the same tick it fires, so `count: N` fails exactly N requests
 * however many arrive at once.
 */
export class FaultPlan {
  private rules: FaultRule[] = [];
  private nextId = 1;

  constructor(private readonly random: Random) {}

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  get size(): number {
    return this.rules.length;
  }

  add(spec: FaultRuleSpec, now = new Date()): FaultRule {
    const rule: FaultRule = {
      ...stripUndefined(spec),
      id: `fault-${this.nextId++}`,
      probability: spec.probability ?? 1,
      created_at: now.toISOString(),
      ...(spec.count !== undefined ? { remaining: spec.count } : {}),
    };
    this.rules.push(rule);
    return { ...rule };
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  clear(): number {
    const n = this.rules.length;
    this.rules = [];
    return n;
  }

  /**
   * The fault for one request, or null. A fault the request asks for itself wins; otherwise the
   * first rule (in the order added) whose scope matches and whose dice roll hits.
   */
  decide(ctx: FaultContext): Fault | null {
    if (ctx.explicitType !== undefined && ctx.explicitType !== '') {
      const type = ctx.explicitType.trim().toLowerCase();
      if (!isFaultType(type)) throw new UnknownFaultTypeError(ctx.explicitType);
      return resolve({ type }, null);
    }
    for (const rule of this.rules) {
      if (rule.route !== undefined && !routeMatches(rule.route, ctx.route)) continue;
      if (rule.model !== undefined && rule.model !== ctx.model) continue;
      if (rule.remaining !== undefined && rule.remaining <= 0) continue;
      if (rule.probability < 1 && this.random.next() >= rule.probability) continue;
      if (rule.remaining !== undefined && --rule.remaining <= 0) this.remove(rule.id);
      return resolve(rule, rule.id);
    }
    return null;
  }
}

function routeMatches(ruleRoute: string, route: string): boolean {
  const norm = (r: string) => r.replace(/\/+$/, '').toLowerCase();
  return norm(ruleRoute) === norm(route);
}

function resolve(spec: FaultRuleSpec, ruleId: string | null): Fault {
  switch (spec.type) {
    case 'rate_limit':
      return { type: 'rate_limit', ruleId, retryAfter: spec.retry_after ?? FAULT_DEFAULTS.retry_after };
    case 'timeout':
      return { type: 'timeout', ruleId, delayMs: spec.delay_ms ?? FAULT_DEFAULTS.delay_ms, then: spec.then ?? FAULT_DEFAULTS.then };
    case 'stream_abort':
      return { type: 'stream_abort', ruleId, afterTokens: spec.after_tokens ?? FAULT_DEFAULTS.after_tokens };
    case 'slow':
      return { type: 'slow', ruleId, factor: spec.factor ?? FAULT_DEFAULTS.factor };
    default:
      return { type: spec.type, ruleId };
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
