import { Random } from '../../common/random';
import { FaultPlan, UnknownFaultTypeError } from './fault-plan';

const ctx = (over: Partial<{ route: string; model: string; explicitType: string }> = {}) => ({ requestId: 'r', route: '/v1/completions', model: 'm', ...over });

describe('FaultPlan', () => {
  it('fires a rule with probability 1 on every matching request and never otherwise', () => {
    const plan = new FaultPlan(new Random(1));
    expect(plan.decide(ctx())).toBeNull();
    plan.add({ type: 'rate_limit' });
    expect(plan.decide(ctx())).toEqual({ type: 'rate_limit', ruleId: 'fault-1', retryAfter: 1 });
  });

  it("rate_limit: the rule's retry_after, else the default, also for a header-requested fault", () => {
    const plan = new FaultPlan(new Random(1));
    plan.add({ type: 'rate_limit', retry_after: 7, route: '/v1/chat/completions' });
    expect(plan.decide(ctx({ route: '/v1/chat/completions' }))).toMatchObject({ type: 'rate_limit', retryAfter: 7 });
    expect(plan.decide(ctx({ explicitType: 'rate_limit' }))).toEqual({ type: 'rate_limit', ruleId: null, retryAfter: 1 });
  });

  it('scopes rules by route and model', () => {
    const plan = new FaultPlan(new Random(1));
    plan.add({ type: 'server_error', route: '/v1/chat/completions', model: 'a' });
    expect(plan.decide(ctx({ route: '/v1/completions', model: 'a' }))).toBeNull();
    expect(plan.decide(ctx({ route: '/v1/chat/completions', model: 'b' }))).toBeNull();
    expect(plan.decide(ctx({ route: '/v1/chat/completions/', model: 'a' }))?.type).toBe('server_error');
    plan.add({ type: 'unavailable', route: 'grpc' });
    expect(plan.decide(ctx({ route: 'grpc', model: 'x' }))?.type).toBe('unavailable');
  });

  it('fails exactly `count` requests, then removes the rule', () => {
    const plan = new FaultPlan(new Random(1));
    plan.add({ type: 'rate_limit', count: 3 });
    const hits = Array.from({ length: 10 }, () => plan.decide(ctx())).filter(Boolean);
    expect(hits).toHaveLength(3);
    expect(plan.size).toBe(0);
  });

  it('counts down only when a probabilistic rule actually fires', () => {
    const plan = new FaultPlan(new Random(7));
    plan.add({ type: 'rate_limit', count: 5, probability: 0.5 });
    const hits = Array.from({ length: 200 }, () => plan.decide(ctx())).filter(Boolean);
    expect(hits).toHaveLength(5);
  });

  it('fires a probabilistic rule at its rate, reproducibly under a seed', () => {
    const run = (seed: number) => {
      const plan = new FaultPlan(new Random(seed));
      plan.add({ type: 'server_error', probability: 0.3 });
      return Array.from({ length: 10_000 }, () => (plan.decide(ctx()) ? 1 : 0));
    };
    const a = run(42);
    const rate = a.reduce<number>((s, x) => s + x, 0) / a.length;
    // 10 000 Bernoulli(0.3) draws: sd ≈ 0.0046; 5 sd either side.
    expect(rate).toBeGreaterThan(0.277);
    expect(rate).toBeLessThan(0.323);
    expect(run(42)).toEqual(a);
    expect(run(43)).not.toEqual(a);
  });

  it('lets a request ask for a fault itself, with the type defaults', () => {
    const plan = new FaultPlan(new Random(1));
    expect(plan.decide(ctx({ explicitType: 'timeout' }))).toEqual({ type: 'timeout', ruleId: null, delayMs: 30000, then: 'error' });
    expect(plan.decide(ctx({ explicitType: 'STREAM_ABORT' }))).toEqual({ type: 'stream_abort', ruleId: null, afterTokens: 5 });
    expect(plan.decide(ctx({ explicitType: 'slow' }))).toEqual({ type: 'slow', ruleId: null, factor: 4 });
    expect(() => plan.decide(ctx({ explicitType: 'explode' }))).toThrow(UnknownFaultTypeError);
  });

  it('resolves type-specific fields of a rule and tries rules in the order added', () => {
    const plan = new FaultPlan(new Random(1));
    plan.add({ type: 'timeout', delay_ms: 10, then: 'answer', route: '/v1/chat/completions' });
    plan.add({ type: 'stream_abort', after_tokens: 2 });
    expect(plan.decide(ctx({ route: '/v1/chat/completions' }))).toEqual({ type: 'timeout', ruleId: 'fault-1', delayMs: 10, then: 'answer' });
    expect(plan.decide(ctx())).toEqual({ type: 'stream_abort', ruleId: 'fault-2', afterTokens: 2 });
  });

  it('lists, removes and clears rules', () => {
    const plan = new FaultPlan(new Random(1));
    const a = plan.add({ type: 'rate_limit', count: 2 });
    plan.add({ type: 'slow', factor: 3 });
    expect(plan.list().map((r) => [r.id, r.probability, r.remaining])).toEqual([
      ['fault-1', 1, 2],
      ['fault-2', 1, undefined],
    ]);
    expect(plan.remove(a.id)).toBe(true);
    expect(plan.remove(a.id)).toBe(false);
    expect(plan.clear()).toBe(1);
    expect(plan.list()).toEqual([]);
  });
});
