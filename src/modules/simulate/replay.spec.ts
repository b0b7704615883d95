import 'reflect-metadata';
import { linearRig as rig } from './__fixtures__/linear-engine';
import { PlannedRequest } from './planned-request';
import { replayTimeline } from './replay';
import { replayRequests } from './simulation';

/** `n` requests of a 100-token prompt (distinct) and 3 output tokens, due at `arrival(i)`. */
function requests(n: number, arrival: (i: number) => number = () => 0): PlannedRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    arrival: arrival(i),
    promptTokenIds: Array.from({ length: 100 }, (_, k) => 1_000 * (i + 1) + k),
    outputTokens: 3,
    stage: 0,
  }));
}

describe('replayTimeline', () => {
  it('sends each request when it falls due without a concurrency limit', () => {
    const { clock, engine } = rig();
    const [a, b] = replayTimeline(requests(2, (i) => i * 100), engine, clock);
    // Alone: prefill step 20 ms (first token), then two decode steps of 11 ms.
    expect([a.sent, a.firstToken, a.end, a.itls]).toEqual([0, 20, 42, [11, 11]]);
    expect([b.sent, b.firstToken, b.end]).toEqual([100, 120, 142]);
    expect(a.outputTokens).toBe(3);
  });

  it('holds a request due while the limit is reached until one in flight ends, and sends it at that instant', () => {
    const { clock, engine } = rig();
    const rs = replayTimeline(requests(3), engine, clock, { maxConcurrency: 1 });
    expect(rs.map((r) => r.sent)).toEqual([0, 42, 84]);
    expect(rs.map((r) => r.firstToken! - r.sent)).toEqual([20, 20, 20]);
    expect(rs.map((r) => r.end! - r.sent)).toEqual([42, 42, 42]);
  });

  it('fills freed slots first come first served, as vllm bench serve with --max-concurrency', () => {
    const { clock, engine } = rig();
    const rs = replayTimeline(requests(3), engine, clock, { maxConcurrency: 2 });
    // Two prompts prefill together (10 + 0.1 x 200 = 30 ms), decode together (12 ms a step), end at 54.
    expect(rs.slice(0, 2).map((r) => [r.sent, r.firstToken, r.end])).toEqual([
      [0, 30, 54],
      [0, 30, 54],
    ]);
    expect([rs[2].sent, rs[2].firstToken, rs[2].end]).toEqual([54, 74, 96]);
  });

  it('keeps the order of equal due times', () => {
    const { clock, engine } = rig();
    const rs = replayTimeline(requests(3, () => 5), engine, clock, { maxConcurrency: 1 });
    expect(rs.map((r) => r.sent)).toEqual([5, 47, 89]);
  });
});

describe('replayRequests', () => {
  it('counts TTFT and E2E from the send, so time waiting for a client slot is not server latency', () => {
    const open = rig();
    const openLoop = replayRequests(requests(3), open.engine, open.clock).overall;
    // All three prefill in one step (10 + 30 = 40 ms) and decode together (13 ms a step).
    expect(openLoop.ttft_ms.mean).toBe(40);
    expect(openLoop.e2e_ms.mean).toBe(66);

    const gated = rig();
    const closedLoop = replayRequests(requests(3), gated.engine, gated.clock, undefined, { maxConcurrency: 1 }).overall;
    expect(closedLoop.ttft_ms.mean).toBe(20);
    expect(closedLoop.e2e_ms.mean).toBe(42);
    expect(closedLoop.requests).toBe(3);
  });
});
