import { blockHash, BlockPool, KvBlock } from './block-pool';
import { Sequence } from './sequence';

/** Where the KV-cache manager reports the prefix cache's changes (vLLM's KV cache events). */
export interface KvEventSink {
  /** A full block now holds `tokenIds` as the prefix `hash`, child of `parent` (null for a first block). */
  stored(hash: number, parent: number | null, tokenIds: number[]): void;
  /** The prefix `hash` left the cache (its block was reused for other tokens). */
  removed(hash: number): void;
}

/** A sequence's cached prefix: the blocks found, and the hashes of all its full prompt blocks. */
export interface PrefixLookup {
  hit: KvBlock[];
  hashes: number[];
}

/**
 * The KV work the scheduler delegates (vLLM's KVCacheManager): prefix lookup, whether an admission
 * fits, taking the cached prefix, growing a sequence's blocks, registering its full blocks in the
 * prefix cache as they are computed, and freeing them.
 */
export class KvCacheManager {
  constructor(
    readonly pool: BlockPool,
    private readonly events?: KvEventSink,
  ) {
    if (events) pool.listen({ removed: (hash) => events.removed(hash) });
  }

  get blockSize(): number {
    return this.pool.blockSize;
  }

  get numBlocks(): number {
    return this.pool.numBlocks;
  }

  get prefixCaching(): boolean {
    return this.pool.prefixCaching;
  }

  /** Share of blocks in use, 0..1. */
  get usage(): number {
    return this.pool.usage;
  }

  blocksFor(tokens: number): number {
    return this.pool.blocksFor(tokens);
  }

  /** The sequence's cached prefix (at least one token is always computed, as vLLM does). Takes nothing. */
  findPrefix(seq: Sequence): PrefixLookup {
    if (!this.pool.prefixCaching) return { hit: [], hashes: [] };
    const bs = this.pool.blockSize;
    const fullBlocks = Math.floor((seq.numTokens - 1) / bs);
    const hashes: number[] = [];
    let parent = 0;
    for (let b = 0; b < fullBlocks; b++) {
      parent = blockHash(parent, seq.tokenAt, b * bs, (b + 1) * bs);
      hashes.push(parent);
    }
    return { hit: this.pool.lookup(hashes), hashes };
  }

  /** Whether the cached blocks plus fresh ones for `tokens` more can be had (cached blocks sitting in the free queue count against it). */
  fits(hit: readonly KvBlock[], tokens: number): boolean {
    const fresh = this.pool.blocksFor(hit.length * this.pool.blockSize + tokens) - hit.length;
    let evictableHits = 0;
    for (const block of hit) if (block.free) evictableHits++;
    return fresh <= this.pool.freeBlocks - evictableHits;
  }

  /** Takes the cached prefix for an admitted sequence; its computed tokens start after it. */
  takePrefix(seq: Sequence, { hit, hashes }: PrefixLookup): void {
    this.pool.acquire(hit);
    seq.blocks = hit;
    seq.blockHashes = hashes.slice(0, hit.length);
    seq.numComputed = hit.length * this.pool.blockSize;
  }

  /** Makes room for `tokens` more computed tokens; false (nothing taken) when the cache is full. */
  grow(seq: Sequence, tokens: number): boolean {
    const needed = this.pool.blocksFor(seq.numComputed + tokens) - seq.blocks.length;
    if (needed <= 0) return true;
    const fresh = this.pool.allocate(needed);
    if (!fresh) return false;
    seq.blocks.push(...fresh);
    return true;
  }

  /** Registers the sequence's newly full blocks in the prefix cache (their chained hashes). */
  registerFullBlocks(seq: Sequence): void {
    if (!this.pool.prefixCaching) return;
    const bs = this.pool.blockSize;
    const full = Math.min(Math.floor(seq.numComputed / bs), seq.blocks.length);
    for (let b = seq.blockHashes.length; b < full; b++) {
      const parent = seq.blockHashes[b - 1] ?? null;
      const hash = blockHash(parent ?? 0, seq.tokenAt, b * bs, (b + 1) * bs);
      seq.blockHashes.push(hash);
      if (this.pool.register(seq.blocks[b], hash)) this.events?.stored(hash, parent, blockTokens(seq, b, bs));
    }
  }

  /** Forgets every cached prefix (no block may be in use); false when some block still is. */
  reset(): boolean {
    return this.pool.reset();
  }

  /** Gives back every block of the sequence (finished, or preempted: recomputed from scratch). */
  free(seq: Sequence): void {
    this.pool.release(seq.blocks);
    seq.blocks = [];
    seq.blockHashes = [];
  }
}

/** The token ids of a sequence's block `b`. */
function blockTokens(seq: Sequence, b: number, blockSize: number): number[] {
  const out: number[] = [];
  for (let i = b * blockSize; i < (b + 1) * blockSize; i++) out.push(seq.tokenAt(i));
  return out;
}
