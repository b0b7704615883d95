import { bootApp, post, TestApp } from './support/app';
import { freePort } from './support/child';
import { KvEventSubscriber, llmdBlockHashes, replay, WireEvent } from './support/kv-events';

/*
 * vLLM's KV cache events, checked with real peers: a ZeroMQ SUB socket and a DEALER replay client
 * (the `zeromq` package), every payload decoded with a real msgpack decoder, and the block hashes
 * recomputed here the way llm-d's indexer computes them from the prompt.
 */

const SEED = '0';
const BLOCKS = 64;

const LONG_QUESTION = 'How do refunds work for annual plans? List every step, each deadline, the form to file and who in the billing team approves the refund, and what happens when the card on file has expired.';
const ids = (n: number, base: number) => Array.from({ length: n }, (_, i) => base + ((i * 7) % 997));
const stored = (events: WireEvent[]) => events.filter((e) => e.type === 'BlockStored');
const hashesOf = (events: WireEvent[]) => events.flatMap((e) => e.block_hashes as bigint[]);

describe('KV cache events over ZeroMQ (vLLM --kv-events-config)', () => {
  let app: TestApp;
  let sub: KvEventSubscriber;
  let pubPort: number;
  let replayPort: number;
  let warm = 0;

  /** A completion over exact token ids, waited for. */
  const complete = async (prompt: number[], maxTokens = 1) => {
    const res = await post(`${app.url}/v1/completions`, { prompt, max_tokens: maxTokens, ignore_eos: true });
    expect(res.status).toBe(200);
    return res.json;
  };

  /** Events published after `from` (batches arrive in sequence order). */
  const since = (from: number) => sub.batches.slice(from).flatMap((b) => b.events);

  /** Sends `prompt` and waits for its first block's BlockStored: the batches published up to then. */
  const storedFor = async (prompt: number[]) => {
    const [first] = llmdBlockHashes(prompt, SEED);
    const from = sub.batches.length;
    await complete(prompt);
    await sub.until('the BlockStored of the prompt', () => (hashesOf(stored(since(from))).includes(first) ? true : undefined));
    return since(from);
  };

  beforeAll(async () => {
    pubPort = await freePort();
    replayPort = await freePort();
    app = await bootApp({
      kv_events_config: JSON.stringify({
        enable_kv_cache_events: true,
        publisher: 'zmq',
        endpoint: `tcp://*:${pubPort}`,
        replay_endpoint: `tcp://*:${replayPort}`,
        topic: 'kv-test',
      }),
      prefix_caching_hash_algo: 'sha256_cbor',
      python_hash_seed: SEED,
      num_gpu_blocks_override: BLOCKS,
      max_num_seqs: 4,
    });
    sub = new KvEventSubscriber(`tcp://127.0.0.1:${pubPort}`);
    // A SUB socket's subscription reaches the publisher a moment after it connects (ZeroMQ's slow
    // joiner): warm-up requests until the first batch arrives, each with a prompt of its own.
    await sub.until(
      'the first batch',
      () => {
        if (sub.batches.length > 0) return true;
        void complete(ids(16, 20_000 + 16 * warm++));
        return undefined;
      },
      15_000,
    );
  });

  afterAll(async () => {
    sub?.close();
    await app?.close();
  });

  it('frames every batch as [topic, seq, msgpack EventBatch [ts, events, data_parallel_rank]]', () => {
    const batch = sub.batches[0];
    expect(batch.topic).toBe('kv-test');
    expect(batch.dataParallelRank).toBe(0);
    expect(Math.abs(batch.ts - Date.now() / 1000)).toBeLessThan(60);
    const seqs = sub.batches.map((b) => b.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1n);
    const event = stored(batch.events)[0];
    expect(Object.keys(event)).toEqual(['type', 'block_hashes', 'parent_block_hash', 'token_ids', 'block_size', 'lora_id', 'medium', 'lora_name']);
    expect(event).toMatchObject({ block_size: 16, lora_id: null, lora_name: null, medium: 'GPU' });
  });

  it('stores a prompt once: sent twice, its blocks are stored by the first request only, with the hashes llm-d computes', async () => {
    const prompt = ids(40, 1000);
    const first = await storedFor(prompt);
    const expected = llmdBlockHashes(prompt, SEED);
    expect(expected).toHaveLength(2);
    const mine = stored(first).find((e) => (e.block_hashes as bigint[]).includes(expected[0]))!;
    expect(mine).toMatchObject({ block_hashes: expected, parent_block_hash: null, token_ids: prompt.slice(0, 32) });

    // The same prompt again, then a marker prompt: nothing in between stores the prompt's blocks.
    const from = sub.batches.length;
    await complete(prompt);
    const marker = await storedFor(ids(20, 9000));
    const between = since(from);
    expect(hashesOf(stored(between))).not.toEqual(expect.arrayContaining([expected[0]]));
    expect(hashesOf(stored(between))).not.toEqual(expect.arrayContaining([expected[1]]));
    expect(marker.length).toBeGreaterThan(0);
  });

  it('gives a shared system prompt the same block hashes in every request, as llm-d computes them from the rendered prompt', async () => {
    const system = 'You are a careful assistant for the billing team. Answer briefly, cite the policy number, and never guess amounts. '.repeat(3);
    const chat = (question: string) => ({ messages: [{ role: 'system', content: system }, { role: 'user', content: question }], max_tokens: 1 });
    const rendered = async (question: string) => (await post(`${app.url}/tokenize`, chat(question))).json.tokens as number[];
    const [a, b] = [await rendered('What is the late fee?'), await rendered(LONG_QUESTION)];
    let shared = 0;
    while (a[shared] === b[shared]) shared++;
    const sharedBlocks = Math.floor(shared / 16);
    expect(sharedBlocks).toBeGreaterThanOrEqual(2);
    expect(Math.floor(b.length / 16)).toBeGreaterThan(sharedBlocks + 1);

    const fromA = sub.batches.length;
    expect((await post(`${app.url}/v1/chat/completions`, chat('What is the late fee?'))).status).toBe(200);
    const hashesA = llmdBlockHashes(a, SEED);
    await sub.until('the first request\'s blocks', () => (hashesOf(stored(since(fromA))).includes(hashesA.at(-1)!) ? true : undefined));
    expect(hashesOf(stored(since(fromA)))).toEqual(expect.arrayContaining(hashesA));

    const fromB = sub.batches.length;
    expect((await post(`${app.url}/v1/chat/completions`, chat(LONG_QUESTION))).status).toBe(200);
    const hashesB = llmdBlockHashes(b, SEED);
    expect(hashesB.slice(0, sharedBlocks)).toEqual(hashesA.slice(0, sharedBlocks));
    const eventB = await sub.until('the second request\'s own blocks', () => stored(since(fromB)).find((e) => (e.block_hashes as bigint[]).includes(hashesB.at(-1)!)));
    // The shared blocks came from the prefix cache: B stores only what follows them, chained onto A's hash.
    expect(eventB.block_hashes).toEqual(hashesB.slice(sharedBlocks));
    expect(eventB.parent_block_hash).toBe(hashesA[sharedBlocks - 1]);
  });

  it('removes blocks once the cache fills past its capacity, naming hashes it stored before', async () => {
    const from = sub.batches.length;
    // Three prompts of 400 tokens need 75 blocks of a 64-block cache: the oldest free blocks are reused.
    for (let k = 0; k < 3; k++) await complete(ids(400, 3000 + 400 * k));
    const removed = await sub.until('a BlockRemoved', () => {
      const r = since(from).filter((e) => e.type === 'BlockRemoved');
      return r.length > 0 ? r : undefined;
    });
    for (const e of removed) expect(Object.keys(e)).toEqual(['type', 'block_hashes', 'medium']);
    const everStored = new Set(hashesOf(stored(sub.events)));
    for (const h of hashesOf(removed)) expect(everStored.has(h)).toBe(true);
  });

  it('answers a replay request with the buffered batches from the asked sequence on, byte for byte, then the end marker', async () => {
    const live = sub.batches.slice(1);
    const replayed = await replay(`tcp://127.0.0.1:${replayPort}`, live[0].seq);
    expect(replayed.map((b) => b.seq)).toEqual(expect.arrayContaining(live.map((b) => b.seq)));
    const bySeq = new Map(replayed.map((b) => [b.seq, b.payload]));
    for (const b of live) expect(bySeq.get(b.seq)!.equals(b.payload)).toBe(true);
    expect(await replay(`tcp://127.0.0.1:${replayPort}`, 1_000_000n)).toEqual([]);
  });

  it('publishes AllBlocksCleared when the prefix cache is reset', async () => {
    const from = sub.batches.length;
    const res = await fetch(`${app.url}/reset_prefix_cache`, { method: 'POST' });
    expect(res.status).toBe(200);
    const cleared = await sub.until('AllBlocksCleared', () => since(from).find((e) => e.type === 'AllBlocksCleared'));
    expect(cleared).toEqual({ type: 'AllBlocksCleared' });
  });
});
