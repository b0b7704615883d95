import { EngineEventBus } from '../engine/event-bus';
import { linearRig } from './__fixtures__/linear-engine';
import { createRouter, promptBlockHashes, ReplicaLoad } from './routing';

const idle = (n: number): ReplicaLoad[] => Array.from({ length: n }, () => ({ running: 0, waiting: 0, kvCacheUsage: 0 }));
const prompt = (first: number, length: number): number[] => Array.from({ length }, (_, i) => first + i);

describe('routing policies', () => {
  it('round robin takes the replicas in turn', () => {
    const router = createRouter('round_robin', { blockSize: 16, cacheBlocks: 100 });
    expect([0, 1, 2, 3, 4].map(() => router.route([1], idle(3)))).toEqual([0, 1, 2, 0, 1]);
  });

  it('least requests takes the replica with the fewest running + waiting, equal ones in turn', () => {
    const router = createRouter('least_requests', { blockSize: 16, cacheBlocks: 100 });
    const loads = [
      { running: 5, waiting: 1, kvCacheUsage: 0 },
      { running: 2, waiting: 0, kvCacheUsage: 0.9 },
      { running: 6, waiting: 0, kvCacheUsage: 0 },
    ];
    expect(router.route([1], loads)).toBe(1);
    expect([0, 1, 2].map(() => router.route([1], idle(3)))).toEqual([2, 0, 1]);
  });

  it('least KV takes the replica with the emptiest cache', () => {
    const router = createRouter('least_kv', { blockSize: 16, cacheBlocks: 100 });
    expect(router.route([1], [{ running: 1, waiting: 0, kvCacheUsage: 0.5 }, { running: 9, waiting: 0, kvCacheUsage: 0.2 }])).toBe(1);
  });

  it('prefix-aware sends a prompt where its prefix went, unless that replica queues much more', () => {
    const router = createRouter('prefix_aware', { blockSize: 16, cacheBlocks: 100 });
    const shared = prompt(1000, 320);
    const first = router.route(shared, idle(4));
    for (let i = 0; i < 5; i++) expect(router.route([...shared, ...prompt(5000 + i * 100, 40)], idle(4))).toBe(first);
    // A fresh prompt goes elsewhere (equal scores take turns).
    expect(router.route(prompt(9000, 320), idle(4))).not.toBe(first);
    // A long queue outweighs a partial match: 3 x 0.5 (prefix) + 0 (queue) < 0 + 2 (queue).
    const half = [...shared.slice(0, 160), ...prompt(7000, 160)];
    const loads = idle(4).map((l, i) => (i === first ? { ...l, waiting: 30 } : l));
    expect(router.route(half, loads)).not.toBe(first);
  });

  it('hashes prompts into the engine’s blocks: what it expects cached is what the engine finds', () => {
    const { clock, engine } = linearRig();
    const base = prompt(1000, 200);
    const longer = [...base, ...prompt(3000, 50)];
    const outcomes: number[] = [];
    const observer = { onTokens: () => undefined, onFinished: (o: { cachedTokens: number }) => outcomes.push(o.cachedTokens) };
    engine.submit({ id: 'a', promptTokenIds: base, outputTokenIds: [1], finishReason: 'length', maxTokens: 1, n: 1 }, observer);
    clock.runUntilIdle();
    engine.submit({ id: 'b', promptTokenIds: longer, outputTokenIds: [1], finishReason: 'length', maxTokens: 1, n: 1 }, observer);
    clock.runUntilIdle();
    const seen = new Set(promptBlockHashes(base, 16));
    const expected = promptBlockHashes(longer, 16).findIndex((h) => !seen.has(h));
    expect(outcomes[1]).toBe(expected * 16);
    expect(outcomes[1]).toBe(192);
  });

  it('precise prefix routing follows what each replica reports stored and removed (KV events)', () => {
    const buses = [0, 1, 2].map(() => new EngineEventBus(() => undefined));
    const router = createRouter('precise_prefix', { blockSize: 16, cacheBlocks: 100, events: buses });
    const shared = prompt(1000, 320);
    const hashes = promptBlockHashes(shared, 16);
    hashes.forEach((hash, i) => buses[2].emit('blockStored', { hash, parentHash: i === 0 ? null : hashes[i - 1], tokenIds: [], blockSize: 16, time: 0 }));
    expect([0, 1, 2].map(() => router.route([...shared, 5], idle(3)))).toEqual([2, 2, 2]);
    // Routing alone remembers nothing: a fresh prompt sent somewhere is not cached there until its replica says so.
    const fresh = prompt(9000, 320);
    const first = router.route(fresh, idle(3));
    expect(router.route(fresh, idle(3))).not.toBe(first);
    for (const hash of hashes) buses[2].emit('blockRemoved', { hash, time: 1 });
    expect(new Set([0, 1, 2].map(() => router.route(shared, idle(3)))).size).toBe(3);
  });
});
