import { BlockPool } from './block-pool';
import { GenerationRequest } from './engine.types';
import { KvCacheManager } from './kv-cache-manager';
import { Scheduler } from './scheduler';
import { Sequence } from './sequence';

const noop = { onTokens: () => undefined, onFinished: () => undefined };

function seq(id: string, promptLen: number, outputLen: number, promptBase = 1000): Sequence {
  const request: GenerationRequest = {
    id,
    promptTokenIds: Array.from({ length: promptLen }, (_, i) => promptBase + i),
    outputTokenIds: Array.from({ length: outputLen }, (_, i) => 5 + i),
    finishReason: 'stop',
    maxTokens: outputLen,
    n: 1,
  };
  return new Sequence(request, noop, 0);
}

function scheduler(opts: { blocks?: number; budget?: number; maxNumSeqs?: number } = {}) {
  const kv = new KvCacheManager(new BlockPool(opts.blocks ?? 1000, 16, true));
  return new Scheduler(kv, { maxNumSeqs: () => opts.maxNumSeqs ?? 256, maxNumBatchedTokens: opts.budget ?? 8192 });
}

describe('Scheduler.schedule: a step plan to inspect before it runs', () => {
  it('admits from the queue under the token budget, chunking the prefill that does not fit', () => {
    const s = scheduler({ budget: 100 });
    const [a, b] = [seq('a', 60, 4), seq('b', 60, 4, 5000)];
    s.enqueue(a);
    s.enqueue(b);
    const plan = s.schedule(0);
    expect(plan.admitted.map((x) => [x.seq.id, x.resumed])).toEqual([['a', false], ['b', false]]);
    expect(plan.work.map((w) => [w.seq.id, w.tokens])).toEqual([['a', 60], ['b', 40]]);
    expect(plan.batch).toMatchObject({ prefillTokens: 100, decodeSeqs: 0 });
    expect(plan.preempted).toEqual([]);
  });

  it('puts running sequences first: after their prefill, decodes of one token each', () => {
    const s = scheduler();
    const a = seq('a', 20, 4);
    s.enqueue(a);
    const first = s.schedule(0);
    for (const w of first.work) s.advance(w);
    a.generated = 1; // the engine hands the first token out
    const second = s.schedule(10);
    expect(second.admitted).toEqual([]);
    expect(second.work.map((w) => [w.seq.id, w.tokens])).toEqual([['a', 1]]);
    expect(second.batch).toMatchObject({ prefillTokens: 0, decodeSeqs: 1, decodeContextTokens: 21 });
  });

  it('stops admitting at max_num_seqs', () => {
    const s = scheduler({ maxNumSeqs: 1 });
    s.enqueue(seq('a', 10, 2));
    s.enqueue(seq('b', 10, 2, 2000));
    expect(s.schedule(0).admitted.map((x) => x.seq.id)).toEqual(['a']);
    expect(s.waiting.map((x) => x.id)).toEqual(['b']);
  });

  it('preempts the newest running sequence when blocks run out, and admits nothing in that step', () => {
    // 4 blocks of 16 tokens: a and b (32 prompt tokens) take 2 each; a's first output token needs a third.
    const s = scheduler({ blocks: 4 });
    const [a, b] = [seq('a', 32, 8), seq('b', 32, 8, 3000)];
    s.enqueue(a);
    s.enqueue(b);
    for (const w of s.schedule(0).work) s.advance(w);
    a.generated = b.generated = 1;
    s.enqueue(seq('c', 5, 1, 9000));
    const plan = s.schedule(10);
    expect(plan.preempted.map((x) => x.id)).toEqual(['b']);
    expect(plan.admitted).toEqual([]);
    expect(plan.work.map((w) => w.seq.id)).toEqual(['a']);
    expect(s.waiting.map((x) => x.id)).toEqual(['b', 'c']);
    expect(b).toMatchObject({ numComputed: 0, numPreemptions: 1, status: 'waiting' });
  });

  it('counts the cached prefix of a first admission', () => {
    const s = scheduler();
    const a = seq('a', 40, 2);
    s.enqueue(a);
    for (const w of s.schedule(0).work) s.advance(w);
    s.enqueue(seq('b', 40, 2));
    const plan = s.schedule(5);
    // Two full blocks (32 tokens) are cached; the rest is computed.
    expect(plan.admitted[0].prefix).toEqual({ queries: 40, hits: 32 });
    expect(plan.work.find((w) => w.seq.id === 'b')?.tokens).toBe(8);
  });
});
