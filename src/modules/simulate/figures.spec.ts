import { linearRig } from './__fixtures__/linear-engine';
import { planWorkload } from './plan-workload';
import { PlannedRequest } from './planned-request';
import { DataParallelCluster } from './cluster';
import { replayTimeline, singleEngine } from './replay';
import { createRouter, RoutingPolicyName } from './routing';
import { VirtualClock } from '../engine/virtual-clock';
import { replayRequests, simulateOn } from './simulation';
import { sweepRate } from './sweep';
import { parseWorkloadSpec } from './workload-spec';

/** `n` requests of a 100-token prompt (distinct) and `out` output tokens, due at `arrival(i)`. */
function requests(n: number, out: number, arrival: (i: number) => number = () => 0): PlannedRequest[] {
  return Array.from({ length: n }, (_, i) => ({ arrival: arrival(i), promptTokenIds: Array.from({ length: 100 }, (_, k) => 1_000 * (i + 1) + k), outputTokens: out, stage: 0 }));
}

describe('honest figures', () => {
  it('counts what the engine completed and produced in the window, not what arrived, and reports the drain apart', () => {
    // 40 requests at once on a batch of 4: a batch takes 50 ms (prefill) + 9 x 14 ms (decodes).
    const planned = requests(40, 10);
    const a = linearRig({ maxNumSeqs: 4 });
    const records = replayTimeline(planned, a.engine, a.clock);
    const b = linearRig({ maxNumSeqs: 4 });
    const f = replayRequests(planned, b.engine, b.clock, [{ start: 0, end: 1000 }]);
    const [stage] = f.stages;
    const doneInWindow = records.filter((r) => r.end! < 1000).length;
    const tokensInWindow = records.reduce((s, r) => {
      let t = r.firstToken!;
      let n = t < 1000 ? 1 : 0;
      for (const gap of r.itls) if ((t += gap) < 1000) n++;
      return s + n;
    }, 0);
    expect(stage.offered).toEqual({ requests_per_s: 40, output_tokens_per_s: 400 });
    expect(stage.achieved).toEqual({ requests_per_s: doneInWindow, output_tokens_per_s: tokensInWindow });
    expect(doneInWindow).toBeLessThan(40);
    // Never more than the batch can produce: 4 tokens per 14 ms decode step.
    expect(stage.achieved.output_tokens_per_s).toBeLessThanOrEqual((4 * 1000) / 14);
    expect(stage.mean_running).toBeLessThanOrEqual(4);
    const lastEnd = Math.max(...records.map((r) => r.end!));
    expect(f.overall.achieved.requests_per_s).toBeCloseTo(40 / (lastEnd / 1000), 2);
    expect(f.drain).toMatchObject({ start_s: 1, in_flight_at_start: 40 - doneInWindow, completed: 40 - doneInWindow, seconds: (lastEnd - 1000) / 1000 });
    expect(f.simulated_seconds).toBe(lastEnd / 1000);
  });

  const workload = (rate: number, duration = 60) =>
    parseWorkloadSpec({ seed: 2, prompt_tokens: { mean: 100, stdev: 20, min: 20 }, output_tokens: { distribution: 'uniform', min: 5, max: 15 }, stages: [{ rate, duration }] }, 'test');
  const run = (rate: number, duration = 60) => {
    const { engine, clock } = linearRig({ maxNumSeqs: 4 });
    return simulateOn(planWorkload(workload(rate, duration)), singleEngine(engine, clock)).figures;
  };

  it('flags an overloaded stage as saturated and estimates what the engine sustains', () => {
    const over = run(40);
    expect(over.saturated).toBe(true);
    expect(over.stages[0].saturation_reason).toContain('queue keeps growing');
    expect(over.stages[0].achieved.requests_per_s).toBeLessThan(0.7 * over.stages[0].offered.requests_per_s);
    const sustainable = over.stages[0].sustainable_rate!;
    expect(sustainable).toBeGreaterThan(0.9 * over.stages[0].achieved.requests_per_s);
    expect(sustainable).toBeLessThan(40);

    const light = run(sustainable / 3);
    expect(light.saturated).toBe(false);
    expect(light.sustainable_rate).toBeNull();
    expect(light.stages[0].achieved.requests_per_s).toBeGreaterThan(0.9 * light.stages[0].offered.requests_per_s);
  });

  it('finds with a sweep a max rate within 10 % of the sustainable-rate estimate of a saturated run', () => {
    const estimate = run(40, 120).sustainable_rate!;
    const result = sweepRate(
      (rate) => planWorkload(Object.assign(workload(rate), { stages: [{ rate, duration: Math.max(60, 1500 / rate) }] })),
      (plan) => {
        const { engine, clock } = linearRig({ maxNumSeqs: 4 });
        return simulateOn(plan, singleEngine(engine, clock), { stopWhenSaturated: true });
      },
      { startRate: 40 },
    );
    expect(result.max_rate).not.toBeNull();
    expect(Math.abs(result.max_rate! - estimate) / result.max_rate!).toBeLessThan(0.1);
    expect(result.points.filter((p) => p.meets).every((p) => p.rate <= result.max_rate!)).toBe(true);
    expect(result.points.some((p) => p.stopped_early)).toBe(true);
  });

  it('reports a conversation workload’s prefix-cache hits per stage, class and overall', () => {
    const spec = parseWorkloadSpec(
      {
        seed: 1,
        prompt_tokens: { mean: 60, stdev: 10, min: 20 },
        output_tokens: { mean: 20, stdev: 5, min: 5 },
        clients: [{ name: 'chat', session: { turns: { distribution: 'fixed', value: 4 }, think_time_s: { distribution: 'fixed', value: 1 } } }, { name: 'one-shot' }],
        stages: [{ rate: 4, duration: 60 }],
      },
      'test',
    );
    const { engine, clock } = linearRig();
    const f = simulateOn(planWorkload(spec), singleEngine(engine, clock)).figures;
    const [chat, oneShot] = f.classes!;
    expect(chat.prefix_cache.hit_rate).toBeGreaterThan(0.4);
    expect(oneShot.prefix_cache.hit_rate).toBe(0);
    expect(f.overall.prefix_cache.cached_tokens).toBe(chat.prefix_cache.cached_tokens);
    expect(f.stages[0].prefix_cache.hit_rate).toBeGreaterThan(0.2);
  });

  it('compares routing policies on one clock: prefix-aware routing finds more of the conversations in cache', () => {
    const spec = parseWorkloadSpec(
      {
        seed: 5,
        prompt_tokens: { mean: 80, stdev: 20, min: 20 },
        output_tokens: { mean: 20, stdev: 5, min: 5 },
        session: { turns: { distribution: 'fixed', value: 5 }, think_time_s: { distribution: 'fixed', value: 0.5 } },
        stages: [{ rate: 20, duration: 60 }],
      },
      'test',
    );
    const hitRate = (policy: RoutingPolicyName) => {
      const clock = new VirtualClock();
      // Small caches, so a replica cannot hold every conversation.
      const engines = [0, 1, 2, 3].map(() => linearRig({ clock, kvCacheBlocks: 400 }).engine);
      const router = createRouter(policy, { blockSize: 16, cacheBlocks: 400, events: engines.map((e) => e.events) });
      const f = simulateOn(planWorkload(spec), new DataParallelCluster(clock, engines, router)).figures;
      expect(f.replicas).toHaveLength(4);
      expect(f.replicas!.reduce((n, r) => n + r.requests, 0)).toBe(f.overall.requests);
      return f.overall.prefix_cache.hit_rate;
    };
    const roundRobin = hitRate('round_robin');
    expect(hitRate('prefix_aware')).toBeGreaterThan(roundRobin + 0.2);
    expect(hitRate('precise_prefix')).toBeGreaterThan(roundRobin + 0.2);
  });
});
