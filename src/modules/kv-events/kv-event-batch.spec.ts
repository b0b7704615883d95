import { decode } from '@msgpack/msgpack';
import { BlockStoredEvent } from '../engine/engine.types';
import { VllmBlockHasher, digestToInt } from '../engine/vllm-block-hash';
import { encodeEventBatch, KvEventBatchBuilder } from './kv-event-batch';

const hasher = new VllmBlockHasher({ algo: 'sha256', seed: '1' });
const d0 = hasher.hash(null, [1, 2]);
const d1 = hasher.hash(d0, [3, 4]);
const other = hasher.hash(null, [9, 9]);
const stored = (digest: Buffer, parentDigest: Buffer | null, tokenIds: number[]): BlockStoredEvent => ({ hash: 0, parentHash: null, digest, parentDigest, tokenIds, blockSize: 2, time: 0 });

describe('KvEventBatchBuilder: one engine step as vLLM queues its events', () => {
  it('merges the blocks a request caches in one step into one BlockStored, chained on its parent', () => {
    const b = new KvEventBatchBuilder(true);
    b.stored(stored(d0, null, [1, 2]));
    b.stored(stored(d1, d0, [3, 4]));
    b.stored(stored(other, null, [9, 9]));
    b.removed(d0);
    b.cleared();
    const events = b.take();
    expect(events.map((e) => e.type)).toEqual(['BlockStored', 'BlockStored', 'BlockRemoved', 'AllBlocksCleared']);
    expect(events[0]).toMatchObject({ blockHashes: [digestToInt(d0), digestToInt(d1)], parentBlockHash: null, tokenIds: [1, 2, 3, 4] });
    expect(b.size).toBe(0);
  });

  it('encodes the batch as an array, events as "type"-tagged maps or as positional arrays', () => {
    const b = new KvEventBatchBuilder(false);
    b.stored(stored(d1, d0, [3, 4]));
    const events = b.take();
    const map = decode(encodeEventBatch(1.5, events, 3, 'map'), { useBigInt64: true }) as [number, object[], number];
    expect(map[0]).toBe(1.5);
    expect(map[2]).toBe(3);
    expect(map[1][0]).toEqual({
      type: 'BlockStored',
      block_hashes: [new Uint8Array(d1)],
      parent_block_hash: new Uint8Array(d0),
      token_ids: [3, 4],
      block_size: 2,
      lora_id: null,
      medium: 'GPU',
      lora_name: null,
    });
    const positional = decode(encodeEventBatch(1.5, events, 0, 'positional')) as [number, unknown[][], number];
    expect(positional[1][0]).toEqual(['BlockStored', [new Uint8Array(d1)], new Uint8Array(d0), [3, 4], 2, null, 'GPU', null]);
  });
});
