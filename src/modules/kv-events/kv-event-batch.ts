import { encode } from '@msgpack/msgpack';
import { KvEventFormat } from '../../config/settings';
import { BlockStoredEvent } from '../engine/engine.types';
import { BlockDigest, digestToInt } from '../engine/vllm-block-hash';

/** A block hash as vLLM publishes it: the digest's low 64 bits, or the whole 32-byte digest. */
export type ExternalHash = bigint | Uint8Array;

/** vLLM's KV cache events (`vllm/distributed/kv_events.py`). */
export type KvCacheEvent =
  | {
      type: 'BlockStored';
      blockHashes: ExternalHash[];
      parentBlockHash: ExternalHash | null;
      tokenIds: number[];
      blockSize: number;
      loraId: number | null;
      loraName: string | null;
      /** The last block's digest, to chain the next block onto this event. */
      lastDigest: BlockDigest;
    }
  | { type: 'BlockRemoved'; blockHashes: ExternalHash[] }
  | { type: 'AllBlocksCleared' };

/** The only medium the simulated engine has. */
const MEDIUM_GPU = 'GPU';

/**
 * One engine step's KV cache events, as vLLM's block pool queues them: the blocks a request caches
 * in one step form one BlockStored (its hashes, the parent of the first, all their token ids); each
 * evicted block is a BlockRemoved of its own.
 */
export class KvEventBatchBuilder {
  private events: KvCacheEvent[] = [];

  constructor(private readonly intHashes: boolean) {}

  get size(): number {
    return this.events.length;
  }

  private external(digest: BlockDigest): ExternalHash {
    return this.intHashes ? digestToInt(digest) : new Uint8Array(digest);
  }

  stored(e: BlockStoredEvent): void {
    if (!e.digest) return;
    const last = this.events.at(-1);
    const loraId = e.lora?.id ?? null;
    if (last?.type === 'BlockStored' && e.parentDigest && last.lastDigest.equals(e.parentDigest) && last.loraId === loraId) {
      last.blockHashes.push(this.external(e.digest));
      for (const t of e.tokenIds) last.tokenIds.push(t);
      last.lastDigest = e.digest;
      return;
    }
    this.events.push({
      type: 'BlockStored',
      blockHashes: [this.external(e.digest)],
      parentBlockHash: e.parentDigest ? this.external(e.parentDigest) : null,
      tokenIds: [...e.tokenIds],
      blockSize: e.blockSize,
      loraId,
      loraName: e.lora?.name ?? null,
      lastDigest: e.digest,
    });
  }

  removed(digest: BlockDigest | undefined): void {
    if (digest) this.events.push({ type: 'BlockRemoved', blockHashes: [this.external(digest)] });
  }

  cleared(): void {
    this.events.push({ type: 'AllBlocksCleared' });
  }

  /** The events gathered so far, leaving the builder empty. */
  take(): KvCacheEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }
}

/**
 * An EventBatch as msgpack, as vLLM's publisher encodes it with msgspec: the batch as an array
 * `[ts, events, data_parallel_rank]`; each event a map tagged with "type" (`map`, today's vLLM), or
 * an array led by its tag (`positional`, older vLLM and llm-d-inference-sim's default).
 */
export function encodeEventBatch(ts: number, events: readonly KvCacheEvent[], dataParallelRank: number, format: KvEventFormat): Uint8Array {
  return encode([ts, events.map((e) => (format === 'map' ? asMap(e) : asArray(e))), dataParallelRank], { useBigInt64: true });
}

function asMap(e: KvCacheEvent): object {
  switch (e.type) {
    case 'BlockStored':
      return {
        type: e.type,
        block_hashes: e.blockHashes,
        parent_block_hash: e.parentBlockHash,
        token_ids: e.tokenIds,
        block_size: e.blockSize,
        lora_id: e.loraId,
        medium: MEDIUM_GPU,
        lora_name: e.loraName,
      };
    case 'BlockRemoved':
      return { type: e.type, block_hashes: e.blockHashes, medium: MEDIUM_GPU };
    case 'AllBlocksCleared':
      return { type: e.type };
  }
}

function asArray(e: KvCacheEvent): unknown[] {
  switch (e.type) {
    case 'BlockStored':
      return [e.type, e.blockHashes, e.parentBlockHash, e.tokenIds, e.blockSize, e.loraId, MEDIUM_GPU, e.loraName];
    case 'BlockRemoved':
      return [e.type, e.blockHashes, MEDIUM_GPU];
    case 'AllBlocksCleared':
      return [e.type];
  }
}
