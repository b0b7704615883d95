import { Random } from '../../common/random';
import { RuntimeValues } from '../../config/runtime-config';
import { StepBatch, StepTimeModel } from '../benchmarks/profile.types';
import { Engine } from './engine';
import { GenerationRequest, RequestOutcome, TokenEvent } from './engine.types';
import { BlockPool } from './block-pool';
import { StepTiming } from './step-timing';
import { VirtualClock } from './virtual-clock';

/** 10 ms per step, plus 0.1 ms per prefill token and 1 ms per decode: easy to add up by hand. */
const linearModel: StepTimeModel = {
  stepTimeMs: (b: StepBatch) => 10 + 0.1 * b.prefillTokens + 1 * b.decodeSeqs,
};

interface Rig {
  clock: VirtualClock;
  engine: Engine;
  values: RuntimeValues;
  kv: BlockPool;
}

/** The linear model with vLLM's host behaviour: async scheduling, and 2 ms + 1 ms per 100 prompt tokens in the API server. */
const hostModel = (asyncScheduling: boolean, frontend = (prompt: number) => 2 + prompt / 100): StepTimeModel => ({
  stepTimeMs: linearModel.stepTimeMs,
  host: { asyncScheduling, frontendMs: frontend },
});

function rig(opts: { blocks?: number; budget?: number; maxNumSeqs?: number; prefixCaching?: boolean; model?: StepTimeModel } = {}): Rig {
  const clock = new VirtualClock();
  const values: RuntimeValues = {
    latency_scale: 1,
    ttft_ms: null,
    itl_ms: null,
    prefill_ms_per_token: null,
    latency_jitter: 0,
    max_num_seqs: opts.maxNumSeqs ?? 256,
    response_mode: 'patterns',
  };
  const kv = new BlockPool(opts.blocks ?? 10_000, 16, opts.prefixCaching ?? true);
  const timing = new StepTiming(opts.model ?? linearModel, () => values, new Random(1));
  const engine = new Engine(clock, kv, timing, { maxNumSeqs: () => values.max_num_seqs, maxNumBatchedTokens: opts.budget ?? 8192 });
  return { clock, engine, values, kv };
}

function request(id: string, promptLen: number, outputLen: number, promptBase = 1000): GenerationRequest {
  return {
    id,
    promptTokenIds: Array.from({ length: promptLen }, (_, i) => promptBase + i),
    outputTokenIds: Array.from({ length: outputLen }, (_, i) => 5 + i),
    finishReason: 'stop',
    maxTokens: outputLen,
    n: 1,
  };
}

interface Trace {
  tokens: TokenEvent[];
  outcome?: RequestOutcome;
}

function submit(r: Rig, req: GenerationRequest): Trace {
  const trace: Trace = { tokens: [] };
  r.engine.submit(req, { onTokens: (e) => trace.tokens.push(e), onFinished: (o) => (trace.outcome = o) });
  return trace;
}

describe('Engine', () => {
  it('times one request: prefill step, then one decode step per token', () => {
    const r = rig();
    const t = submit(r, request('a', 100, 4));
    r.clock.runUntilIdle();
    expect(t.tokens.map((e) => e.time)).toEqual([20, 31, 42, 53]);
    expect(t.tokens.map((e) => e.tokenIds[0])).toEqual([5, 6, 7, 8]);
    expect(t.tokens.map((e) => e.interTokenMs)).toEqual([undefined, 11, 11, 11]);
    expect(t.outcome).toMatchObject({ finishReason: 'stop', promptTokens: 100, generatedTokens: 4, firstTokenTime: 20, finishedTime: 53 });
    expect(r.engine.state).toMatchObject({ running: 0, waiting: 0, kvCacheUsage: 0 });
  });

  it('chunks a long prefill under the step token budget', () => {
    const r = rig({ budget: 64 });
    const t = submit(r, request('a', 100, 1));
    r.clock.runUntilIdle();
    // 64 tokens (16.4 ms) then 36 tokens (13.6 ms).
    expect(t.tokens[0].time).toBeCloseTo(30, 9);
  });

  it('shares a step between a prefill and the running decodes, and releases their tokens together', () => {
    const r = rig();
    const a = submit(r, request('a', 10, 3));
    r.clock.advanceTo(5); // a's prefill step ends at 11
    const b = submit(r, request('b', 50, 2, 5000));
    r.clock.runUntilIdle();
    // step 1: a prefill (10 tok) 0..11; step 2: a decode + b prefill (50 tok) 11..27; step 3: both decode 27..39.
    expect(a.tokens.map((e) => e.time)).toEqual([11, 27, 39]);
    expect(b.tokens.map((e) => e.time)).toEqual([27, 39]);
  });

  it('gives the API server its time before the first step: TTFT holds it, the inter-token times do not', () => {
    const r = rig({ model: hostModel(false) });
    const t = submit(r, request('a', 100, 3));
    r.clock.advance(0);
    expect(r.engine.state).toMatchObject({ running: 0, waiting: 1 });
    r.clock.runUntilIdle();
    // 2 + 1 ms in the API server, then the prefill step (20 ms) and two decodes (11 ms each).
    expect(t.tokens.map((e) => e.time)).toEqual([23, 34, 45]);
    expect(t.outcome).toMatchObject({ arrivalTime: 0, scheduledTime: 3, firstTokenTime: 23 });
  });

  it('hands requests to the scheduler in the order the API server finishes them', () => {
    const r = rig({ model: hostModel(false), maxNumSeqs: 1 });
    const long = submit(r, request('long', 1000, 1)); // ready at 12
    const short = submit(r, request('short', 100, 1, 5000)); // ready at 3
    r.clock.runUntilIdle();
    expect(short.outcome!.scheduledTime).toBe(3);
    expect(long.outcome!.scheduledTime).toBe(short.outcome!.finishedTime);
  });

  it('aborts a request still in the API server: it never reaches the scheduler', () => {
    const r = rig({ model: hostModel(false) });
    const t = submit(r, request('a', 100, 3));
    r.clock.advanceTo(1);
    r.engine.abort('a');
    r.clock.runUntilIdle();
    expect(t.tokens).toHaveLength(0);
    expect(t.outcome).toMatchObject({ finishReason: 'abort', scheduledTime: undefined });
    expect(r.engine.inFlight).toBe(0);
  });

  it('under async scheduling, a request reaching the scheduler during a step joins the step after next', () => {
    for (const asyncScheduling of [false, true]) {
      const r = rig({ model: hostModel(asyncScheduling, () => 0) });
      const a = submit(r, request('a', 10, 10));
      r.clock.advanceTo(5); // during a's prefill step (0..11); the next step (11..22) was planned at 0
      const b = submit(r, request('b', 100, 2, 5000));
      r.clock.runUntilIdle();
      // Synchronous: b's prefill rides in step 2 (11..32). Async: step 2 is a's decode (11..22), b's prefill step 3 (22..43).
      expect(b.outcome!.firstTokenTime).toBe(asyncScheduling ? 43 : 32);
      expect(a.tokens[1].time).toBe(asyncScheduling ? 22 : 32);
    }
  });

  it('under async scheduling, an idle engine, or one whose step leaves nothing for the next, takes a new request at once', () => {
    const r = rig({ model: hostModel(true, () => 0) });
    const a = submit(r, request('a', 10, 1));
    r.clock.advance(0);
    expect(r.engine.state.running).toBe(1); // scheduled at once: the engine was idle
    r.clock.advanceTo(5); // a ends with this step: nothing was planned ahead
    const b = submit(r, request('b', 100, 1, 5000));
    r.clock.runUntilIdle();
    expect(a.outcome!.finishedTime).toBe(11);
    expect(b.outcome!.scheduledTime).toBe(11);
  });

  it('under async scheduling, a request held for the step after next is taken once the running work is aborted', () => {
    const r = rig({ model: hostModel(true, () => 0) });
    submit(r, request('a', 10, 10));
    r.clock.advanceTo(5);
    const b = submit(r, request('b', 100, 1, 5000));
    r.engine.abort('a');
    r.clock.runUntilIdle();
    // The aborted step would have ended at 11; b is planned then, with nothing ahead of it.
    expect(b.outcome).toMatchObject({ finishReason: 'stop', scheduledTime: 11, firstTokenTime: 31 });
  });

  it('queues FIFO beyond max_num_seqs and admits when a slot frees', () => {
    const r = rig({ maxNumSeqs: 1 });
    const a = submit(r, request('a', 10, 2));
    const b = submit(r, request('b', 10, 2, 5000));
    r.clock.advance(0);
    expect(r.engine.state).toMatchObject({ running: 1, waiting: 1 });
    r.clock.runUntilIdle();
    expect(a.outcome!.finishedTime).toBe(22); // 11 + 11
    expect(b.outcome!.scheduledTime).toBe(22);
    expect(b.outcome!.firstTokenTime).toBe(33);
  });

  it('aborts a running request at once and frees its slot', () => {
    const r = rig({ maxNumSeqs: 1 });
    const a = submit(r, request('a', 10, 100));
    const b = submit(r, request('b', 10, 1, 5000));
    r.clock.advanceTo(30);
    expect(r.engine.abort('a')).toBe(true);
    expect(a.outcome).toMatchObject({ finishReason: 'abort', generatedTokens: 2 });
    r.clock.runUntilIdle();
    expect(b.outcome).toMatchObject({ finishReason: 'stop', generatedTokens: 1 });
    expect(r.engine.abort('a')).toBe(false);
  });

  it('aborts a waiting request', () => {
    const r = rig({ maxNumSeqs: 1 });
    submit(r, request('a', 10, 3));
    const b = submit(r, request('b', 10, 3, 5000));
    r.engine.abort('b');
    expect(b.outcome).toMatchObject({ finishReason: 'abort', generatedTokens: 0, scheduledTime: undefined });
    r.clock.runUntilIdle();
    expect(b.tokens).toHaveLength(0);
  });

  it('reuses cached prefix blocks and reports cached tokens', () => {
    const r = rig();
    const seen: number[][] = [];
    r.engine.events.on('prefixCache', (e) => seen.push([e.queries, e.hits]));
    submit(r, request('a', 100, 1));
    r.clock.runUntilIdle();
    const b = submit(r, request('b', 100, 1));
    r.clock.runUntilIdle();
    expect(b.outcome!.cachedTokens).toBe(96); // six full blocks of 16
    expect(seen).toEqual([[100, 0], [100, 96]]);
    expect(b.outcome!.firstTokenTime! - b.outcome!.arrivalTime).toBeCloseTo(10 + 0.4, 9);
  });

  it('preempts the newest request when the KV cache runs out, and still finishes everything', () => {
    // 8 blocks of 16 = 128 tokens; two requests growing to 60 + 40 tokens each cannot both stay.
    const r = rig({ blocks: 8, prefixCaching: false });
    let preemptions = 0;
    r.engine.events.on('preempted', () => preemptions++);
    const a = submit(r, request('a', 60, 40));
    const b = submit(r, request('b', 60, 40, 5000));
    r.clock.runUntilIdle();
    expect(preemptions).toBeGreaterThan(0);
    for (const t of [a, b]) {
      expect(t.outcome!.finishReason).toBe('stop');
      expect(t.tokens.map((e) => e.tokenIds[0])).toEqual(Array.from({ length: 40 }, (_, i) => 5 + i));
    }
    expect(b.outcome!.numPreemptions).toBeGreaterThan(0);
    expect(r.kv.freeBlocks).toBe(8);
  });

  it('holds no cached blocks for queued requests, so preemption with prefix caching cannot stall the cache', () => {
    // 30 blocks; 10 requests growing to 100 + 100 tokens (13 blocks each) cannot all run: preempted ones go back
    // to the queue while their prompt blocks stay cached. Queued requests must not pin them (they did: the cache
    // filled with blocks held by queued requests and the engine stalled with nothing running).
    const r = rig({ blocks: 30 });
    let preemptions = 0;
    r.engine.events.on('preempted', () => preemptions++);
    const traces = Array.from({ length: 10 }, (_, i) => submit(r, request(`r${i}`, 100, 100, 10_000 * (i + 1))));
    r.clock.runUntilIdle(100_000);
    expect(preemptions).toBeGreaterThan(0);
    for (const t of traces) expect(t.outcome).toMatchObject({ finishReason: 'stop', generatedTokens: 100 });
    expect(r.engine.state).toMatchObject({ running: 0, waiting: 0, kvCacheUsage: 0 });
  });

  it('refuses a request larger than the whole cache', () => {
    const r = rig({ blocks: 2 });
    expect(() => submit(r, request('a', 30, 10))).toThrow(/KV cache/);
  });

  it('answers at once at latency scale 0', () => {
    const r = rig();
    r.values.latency_scale = 0;
    const t = submit(r, request('a', 100, 5));
    r.clock.runUntilIdle();
    expect(t.tokens.map((e) => e.time)).toEqual([0, 0, 0, 0, 0]);
  });

  it('applies fixed TTFT and ITL overrides', () => {
    const r = rig();
    r.values.ttft_ms = 100;
    r.values.itl_ms = 20;
    const t = submit(r, request('a', 100, 3));
    r.clock.runUntilIdle();
    expect(t.tokens.map((e) => e.time)).toEqual([100, 120, 140]);
  });

  it('jitters step times reproducibly under a seed', () => {
    const times = (seed: number): number[] => {
      const r = rig();
      r.values.latency_jitter = 0.2;
      (r.engine as unknown as { timing: StepTiming }).timing = new StepTiming(linearModel, () => r.values, new Random(seed));
      const t = submit(r, request('a', 10, 5));
      r.clock.runUntilIdle();
      return t.tokens.map((e) => e.time);
    };
    expect(times(7)).toEqual(times(7));
    expect(times(7)).not.toEqual(times(8));
    expect(new Set(times(7).slice(1).map((v, i) => v - times(7)[i])).size).toBeGreaterThan(1);
  });

  it('advances a slowed-down request one token every `slowdown` steps', () => {
    const r = rig();
    submit(r, request('fast', 10, 8));
    const slow = submit(r, { ...request('slow', 10, 4, 5000), slowdown: 2 });
    r.clock.runUntilIdle();
    const gaps = slow.tokens.slice(1).map((e) => e.interTokenMs);
    expect(gaps[0]).toBeGreaterThan(20); // two steps per token
  });

  it('slows a request that is alone: the steps it sits out still cost a decode', () => {
    const r = rig();
    const slow = submit(r, { ...request('slow', 10, 3), slowdown: 3 });
    r.clock.runUntilIdle();
    // Prefill 0..11, then each token takes three 11 ms decode steps (it was free: empty steps cost 0 ms).
    expect(slow.tokens.map((e) => e.time)).toEqual([11, 44, 77]);
  });

  it('ends a request whose observer throws with an error, and keeps serving the others', () => {
    const r = rig();
    const reported: string[] = [];
    (r.engine as unknown as { report: (m: string) => void }).report = (m) => reported.push(m);
    let outcome: RequestOutcome | undefined;
    r.engine.submit(request('bad', 10, 5), {
      onTokens: () => {
        throw new Error('observer bug');
      },
      onFinished: (o) => (outcome = o),
    });
    const good = submit(r, request('good', 10, 5, 5000));
    r.clock.runUntilIdle();
    expect(outcome).toMatchObject({ finishReason: 'error', generatedTokens: 1 });
    expect(good.outcome).toMatchObject({ finishReason: 'stop', generatedTokens: 5 });
    expect(reported).toEqual([expect.stringContaining('request bad')]);
    expect(r.engine.state).toMatchObject({ running: 0, waiting: 0, kvCacheUsage: 0 });
  });

  it('reports an engine-wide listener that throws and still calls the others', () => {
    const r = rig();
    const reported: string[] = [];
    (r.engine as unknown as { report: (m: string) => void }).report = (m) => reported.push(m);
    let steps = 0;
    r.engine.events.on('step', () => {
      throw new Error('metrics bug');
    });
    r.engine.events.on('step', () => steps++);
    const t = submit(r, request('a', 10, 3));
    r.clock.runUntilIdle();
    expect(t.outcome).toMatchObject({ finishReason: 'stop', generatedTokens: 3 });
    expect(steps).toBe(3);
    expect(reported).toHaveLength(3);
  });

  it('an abort from a door while a step is handed out ends the request after the step: observers see its token, then its end', () => {
    const r = rig();
    const seen: string[] = [];
    for (const event of ['tokens', 'finished'] as const) r.engine.events.on(event, (e) => seen.push(`${event}:${e.requestId}`));
    const b = submit(r, request('b', 10, 5, 2000)); // first in the batch: its token is handed out before a's
    const a: Trace = { tokens: [] };
    r.engine.submit(request('a', 10, 5), {
      onTokens: (e) => {
        a.tokens.push(e);
        // A door cutting its stream at the second token aborts its own request and another one.
        if (e.generated === 2) {
          expect(r.engine.abort('a')).toBe(true);
          expect(r.engine.abort('b')).toBe(true);
        }
      },
      onFinished: (o) => (a.outcome = o),
    });
    r.clock.runUntilIdle();
    expect(a.outcome).toMatchObject({ finishReason: 'abort', generatedTokens: 2 });
    expect(b.outcome).toMatchObject({ finishReason: 'abort', generatedTokens: 2 });
    expect(seen.slice(-4)).toEqual(['tokens:b', 'tokens:a', 'finished:a', 'finished:b']);
    expect(r.engine.inFlight).toBe(0);
  });

  it('a request aborted while a step is handed out gets nothing more from that step', () => {
    const r = rig();
    const a: Trace = { tokens: [] };
    r.engine.submit(request('a', 10, 5), {
      onTokens: (e) => {
        a.tokens.push(e);
        if (e.generated === 2) r.engine.abort('c');
      },
      onFinished: (o) => (a.outcome = o),
    });
    // After a in the batch; its second token is due in the same step, and its last in the next.
    const c = submit(r, request('c', 10, 2, 2000));
    r.clock.runUntilIdle();
    expect(c.tokens).toHaveLength(1);
    expect(c.outcome).toMatchObject({ finishReason: 'abort', generatedTokens: 1 });
    expect(a.outcome).toMatchObject({ finishReason: 'stop', generatedTokens: 5 });
  });

  it('an aborted request never ends before its last token, though the step was handed out early', () => {
    const r = rig();
    const traces: Trace[] = [];
    for (let i = 0; i < 4; i++) traces.push(submit(r, request(`s${i}`, 10, 5, 1000 * (i + 1))));
    let steps = 0;
    r.engine.events.on('released', (e) => {
      // Writes take 0.1 ms per token for two steps, then nothing: the third step is handed out
      // early (the lead learnt from the first two) and done before its scheduled end.
      if (++steps <= 2) r.clock.advanceTo(r.clock.now() + 0.1 * e.tokens);
      else if (steps === 3) {
        expect(r.clock.now()).toBeLessThan(traces[0].tokens[2].time);
        r.engine.abort('s0');
      }
    });
    r.clock.runUntilIdle();
    expect(traces[0].outcome).toMatchObject({ finishReason: 'abort', generatedTokens: 3 });
    expect(traces[0].outcome!.finishedTime).toBe(traces[0].tokens[2].time);
  });

  it('keeps its step when an observer of the scheduling submits a request', () => {
    const r = rig();
    let b: Trace | undefined;
    r.engine.events.on('scheduled', () => (b ??= submit(r, request('b', 10, 2, 2000))));
    const a = submit(r, request('a', 10, 2));
    r.clock.runUntilIdle();
    // b is queued behind a while the step is being scheduled, so it joins it: a prefill of 20
    // tokens (12 ms), then two decodes (12 ms). The step is not lost (that put a's tokens at 24 and 36).
    expect(a.tokens.map((e) => e.time)).toEqual([12, 24]);
    expect(b!.tokens.map((e) => e.time)).toEqual([12, 24]);
  });

  it('keeps one step in flight when an observer submits a request while a step is handed out', () => {
    const r = rig();
    const steps: { startTime: number; endTime: number }[] = [];
    r.engine.events.on('step', (e) => steps.push(e));
    let b: Trace | undefined;
    r.engine.submit(request('a', 10, 2), {
      onTokens: () => undefined,
      onFinished: () => (b = submit(r, request('b', 10, 3, 2000))),
    });
    r.clock.runUntilIdle();
    expect(b!.tokens.map((e) => e.generated)).toEqual([1, 2, 3]);
    for (let i = 1; i < steps.length; i++) expect(steps[i].startTime).toBeGreaterThanOrEqual(steps[i - 1].endTime);
    // a: prefill and one decode; b: prefill and two decodes.
    expect(steps).toHaveLength(5);
  });

  it("centres a step's writes on its end, with the scheduled time on its tokens", () => {
    // The doors take 0.05 ms per token to render and 0.1 ms per token to write on `released`: 4
    // streams render for 0.2 ms and write for 0.4 ms, so later steps start handing out 0.4 ms
    // early and write from 0.2 ms before their end to 0.2 ms after. Token times stay on the schedule.
    const r = rig();
    const renderedAt: number[] = [];
    const writes: { from: number; to: number }[] = [];
    const traces: Trace[] = [];
    for (let i = 0; i < 4; i++) {
      const trace: Trace = { tokens: [] };
      traces.push(trace);
      r.engine.submit(request(`s${i}`, 10, 3, 1000 * (i + 1)), {
        onTokens: (e) => {
          if (i === 0) renderedAt.push(r.clock.now());
          trace.tokens.push(e);
          r.clock.advanceTo(r.clock.now() + 0.05);
        },
        onFinished: (o) => (trace.outcome = o),
      });
    }
    r.engine.events.on('released', (e) => {
      const from = r.clock.now();
      r.clock.advanceTo(from + 0.1 * e.tokens);
      writes.push({ from, to: r.clock.now() });
    });
    r.clock.runUntilIdle();
    // Step 1: prefill of 40 tokens, 14 ms; steps 2 and 3: 4 decodes, 14 ms each.
    expect(traces[0].tokens.map((e) => e.time)).toEqual([14, 28, 42]);
    expect(renderedAt[0]).toBe(14);
    expect(renderedAt[1]).toBeCloseTo(28 - 0.4, 9);
    expect(writes[1].from).toBeCloseTo(28 - 0.2, 9);
    expect(writes[1].to).toBeCloseTo(28 + 0.2, 9);
    expect(traces[3].tokens.map((e) => e.interTokenMs)).toEqual([undefined, 14, 14]);
  });

  it('leads a step by the tokens it hands out, not by the prefill chunks that share it', () => {
    // As above (0.05 ms to render and 0.1 ms to write per token, so 0.1 ms of lead per token), with a
    // long prompt prefilled in chunks beside the 4 decodes from t=20: it hands nothing out for a while.
    const r = rig({ budget: 64 });
    const renderedAt: number[] = [];
    for (let i = 0; i < 4; i++) {
      r.engine.submit(request(`s${i}`, 10, 5, 1000 * (i + 1)), {
        onTokens: () => {
          if (i === 0) renderedAt.push(r.clock.now());
          r.clock.advanceTo(r.clock.now() + 0.05);
        },
        onFinished: () => undefined,
      });
    }
    r.engine.events.on('released', (e) => r.clock.advanceTo(r.clock.now() + 0.1 * e.tokens));
    r.clock.at(20, () => submit(r, request('long', 200, 1, 9000)));
    r.clock.runUntilIdle();
    // Steps 1 and 2 end at 14 and 28; step 3 takes 4 decodes and 60 prompt tokens: 20 ms, to 48.
    expect(renderedAt[2]).toBeCloseTo(48 - 0.4, 9);
  });
});

describe('Engine: block events of the prefix cache (what vLLM publishes as KV cache events)', () => {
  const events = (r: Rig) => {
    const stored: Array<{ hash: number; parentHash: number | null; tokenIds: readonly number[] }> = [];
    const removed: number[] = [];
    r.engine.events.on('blockStored', (e) => stored.push(e));
    r.engine.events.on('blockRemoved', (e) => removed.push(e.hash));
    return { stored, removed };
  };

  it('stores a prompt\'s full blocks once, chained parent to child, with their tokens', () => {
    const r = rig();
    const { stored } = events(r);
    submit(r, request('a', 40, 2));
    r.clock.runUntilIdle();
    // 40 prompt tokens and 2 outputs, the last not computed: two full blocks of 16.
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ parentHash: null, tokenIds: Array.from({ length: 16 }, (_, i) => 1000 + i) });
    expect(stored[1].parentHash).toBe(stored[0].hash);
    submit(r, request('b', 40, 2));
    r.clock.runUntilIdle();
    // The same prompt again: its blocks come from the cache, nothing new is stored.
    expect(stored).toHaveLength(2);
  });

  it('gives a shared system prompt the same block hashes in every request', () => {
    const r = rig();
    const { stored } = events(r);
    const withSystem = (id: string, tail: number): GenerationRequest => ({
      ...request(id, 0, 2),
      promptTokenIds: [...Array.from({ length: 32 }, (_, i) => 7000 + i), ...Array.from({ length: 20 }, (_, i) => tail + i)],
    });
    submit(r, withSystem('a', 100));
    r.clock.runUntilIdle();
    const first = stored.splice(0).map((e) => e.hash);
    submit(r, withSystem('b', 900));
    r.clock.runUntilIdle();
    // b's own third block is new; its first two are a's, found in the cache.
    expect(stored.map((e) => e.parentHash)).toEqual([first[1]]);
  });

  it('reports a cached block removed when the cache is filled past its capacity', () => {
    const r = rig({ blocks: 4 });
    const { stored, removed } = events(r);
    submit(r, request('a', 48, 1));
    r.clock.runUntilIdle();
    expect(stored).toHaveLength(3);
    submit(r, request('b', 48, 1, 5000));
    r.clock.runUntilIdle();
    // b needs 3 of the 4 blocks: two of a's cached blocks are reused for b's tokens.
    expect(removed.length).toBeGreaterThanOrEqual(2);
    expect(removed.every((h) => stored.slice(0, 3).some((e) => e.hash === h))).toBe(true);
  });
  it('finishes a pooling request (no output tokens) after its prefill, counted as its first token', () => {
    const r = rig();
    const engineTokens: TokenEvent[] = [];
    r.engine.events.on('tokens', (e) => engineTokens.push(e));
    const t = submit(r, request('p', 100, 0));
    r.clock.runUntilIdle();
    // One prefill step of 100 tokens: 10 + 10 ms; the door gets no token, only the end.
    expect(t.tokens).toEqual([]);
    expect(t.outcome).toMatchObject({ finishReason: 'stop', promptTokens: 100, generatedTokens: 0, firstTokenTime: 20, finishedTime: 20 });
    expect(engineTokens).toEqual([{ requestId: 'p', tokenIds: [], generated: 0, time: 20 }]);
  });

  it('holds every request while paused (sleep) and goes on where it was after resume', () => {
    const r = rig();
    const a = submit(r, request('a', 10, 3));
    r.clock.advanceTo(11); // a's prefill step ends at 11: one token out
    r.engine.pause();
    const b = submit(r, request('b', 10, 1, 5000));
    r.clock.advanceTo(1000);
    // The step already in flight (11..22) completes; nothing after it.
    expect(a.tokens).toHaveLength(2);
    expect(b.tokens).toHaveLength(0);
    expect(r.engine.state).toMatchObject({ running: 1, waiting: 1 });
    r.engine.resume();
    r.clock.runUntilIdle();
    expect(a.outcome).toMatchObject({ finishReason: 'stop', generatedTokens: 3 });
    expect(b.outcome!.arrivalTime).toBe(11);
    expect(b.outcome!.firstTokenTime).toBeGreaterThan(1000);
  });

  it('resets the prefix cache only when no request holds blocks', () => {
    const r = rig();
    submit(r, request('a', 100, 1));
    // Waiting, it holds no block yet (vLLM's BlockPool only checks the blocks in use); once scheduled, it does.
    r.clock.advance(1);
    expect(r.engine.state.running).toBe(1);
    expect(r.engine.resetPrefixCache()).toBe(false);
    r.clock.runUntilIdle();
    expect(r.engine.resetPrefixCache()).toBe(true);
    const b = submit(r, request('b', 100, 1));
    r.clock.runUntilIdle();
    expect(b.outcome!.cachedTokens).toBe(0);
  });
});
