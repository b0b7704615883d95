import { planWorkload, retimed } from './plan-workload';
import { promptOf } from './planned-request';
import { REPLY_TOKEN } from './prompt-shape';
import { parseWorkloadSpec } from './workload-spec';

const spec = (extra: Record<string, unknown>) =>
  parseWorkloadSpec({ seed: 4, prompt_tokens: { mean: 100, stdev: 20, min: 10 }, output_tokens: { mean: 30, stdev: 5, min: 1 }, stages: [{ rate: 5, duration: 200 }], ...extra }, 'test');

describe('planWorkload', () => {
  it('draws Poisson arrivals at the stage rates, in order, in the stage windows', () => {
    const plan = planWorkload(spec({ stages: [{ rate: 2, duration: 500 }, { rate: 8, duration: 500 }] }));
    const inFirst = plan.requests.filter((r) => r.arrival < 500_000).length;
    expect(inFirst / 1000).toBeGreaterThan(0.9 * 2 * 0.5);
    expect(inFirst / 1000).toBeLessThan(1.1 * 2 * 0.5);
    expect(plan.requests.length - inFirst).toBeGreaterThan(0.9 * 4000);
    expect(plan.requests.every((r, i) => i === 0 || r.arrival >= plan.requests[i - 1].arrival)).toBe(true);
    expect(plan.stages).toEqual([{ start: 0, end: 500_000, name: undefined, rate: 2 }, { start: 500_000, end: 1_000_000, name: undefined, rate: 8 }]);
    expect(plan.end).toBe(1_000_000);
  });

  it('is reproducible for a seed', () => {
    const a = planWorkload(spec({}));
    const b = planWorkload(spec({}));
    expect(b.requests.map((r) => [r.arrival, promptOf(r).length, r.outputTokens])).toEqual(a.requests.map((r) => [r.arrival, promptOf(r).length, r.outputTokens]));
  });

  it('splits each stage between client classes by share', () => {
    const plan = planWorkload(spec({ clients: [{ name: 'chat', share: 3 }, { name: 'batch', share: 1, output_tokens: { distribution: 'fixed', value: 500 } }] }));
    const batch = plan.requests.filter((r) => r.clientClass === 1);
    expect(plan.classes).toEqual(['chat', 'batch']);
    expect(batch.length / plan.requests.length).toBeGreaterThan(0.2);
    expect(batch.length / plan.requests.length).toBeLessThan(0.3);
    expect(batch.every((r) => r.outputTokens === 500)).toBe(true);
  });

  it('starts requests with one of the shared system prompts, inside the prompt length', () => {
    const plan = planWorkload(spec({ prefix: { num_prefixes: 2, prefix_tokens: 40 }, prompt_tokens: { mean: 100, stdev: 20, min: 50 } }));
    const heads = new Set(plan.requests.map((r) => promptOf(r).slice(0, 40).join(',')));
    expect(heads.size).toBe(2);
    expect(plan.requests.every((r) => promptOf(r).length >= 50)).toBe(true);
    // The rest of each prompt is its own.
    const tails = plan.requests.map((r) => promptOf(r)[40]);
    expect(new Set(tails).size).toBe(tails.length);
  });

  it('plans conversations: each later turn follows the previous one and carries its prompt and reply', () => {
    const plan = planWorkload(spec({ session: { turns: { distribution: 'fixed', value: 3 }, think_time_s: { distribution: 'fixed', value: 2 } } }));
    const later = plan.requests.filter((r) => r.follows);
    expect(later.length).toBeGreaterThan(0);
    for (const r of later.slice(0, 50)) {
      const previous = plan.requests[r.follows!.index];
      expect(r.follows!.thinkMs).toBe(2000);
      const carried = [...promptOf(previous), ...new Array<number>(previous.outputTokens).fill(REPLY_TOKEN)];
      expect(promptOf(r).slice(0, carried.length)).toEqual(carried);
      expect(promptOf(r).length).toBeGreaterThan(carried.length);
    }
    // Conversations start at rate / 3, so the class offers about the stage's rate in requests.
    expect(plan.requests.length / 200).toBeGreaterThan(0.85 * 5);
    expect(plan.requests.length / 200).toBeLessThan(1.15 * 5);
    expect(plan.requests.filter((r) => !r.follows).length * 3).toBe(plan.requests.length);
  });

  it('ends a conversation before it outgrows the context window', () => {
    const plan = planWorkload(spec({ session: { turns: { distribution: 'fixed', value: 50 } } }), { maxModelLen: 1000 });
    expect(plan.requests.every((r) => promptOf(r).length + r.outputTokens <= 1000 || !r.follows)).toBe(true);
    expect(plan.requests.filter((r) => r.follows).length).toBeLessThan(plan.requests.filter((r) => !r.follows).length * 49);
  });

  it('retimes a plan to another mean rate', () => {
    const plan = planWorkload(spec({}));
    const faster = retimed(plan, 10);
    expect(faster.end).toBeCloseTo((plan.end * plan.requests.length) / plan.end / 10 * 1000, 3);
    expect(faster.requests[7].arrival / plan.requests[7].arrival).toBeCloseTo(faster.end / plan.end, 9);
  });
});
