import { blockHash, BlockPool, KvBlock } from './block-pool';
import { Sequence } from './sequence';
import { BlockDigest, VllmBlockHasher } from './vllm-block-hash';

/** A full block entering the prefix cache, as the KV-cache manager reports it. */
export interface StoredBlock {
  hash: number;
  /** null for a sequence's first block. */
  parent: number | null;
  digest: BlockDigest | null;
  parentDigest: BlockDigest | null;
  tokenIds: number[];
  lora?: { id: number; name: string };
}

/** Where the KV-cache manager reports the prefix cache's changes (vLLM's KV cache events). */
export interface KvEventSink {
  /** Whether anyone hears of stored blocks: their token lists are built only then. */
  wantsStored(): boolean;
  stored(block: StoredBlock): void;
  /** The prefix `hash` left the cache (its block was reused for other tokens). */
  removed(hash: number, digest: BlockDigest | null): void;
  /** Every cached prefix was forgotten (a prefix-cache reset). */
  cleared(): void;
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
  /**
   * `hasher`: vLLM's block hashing, computed beside the engine's own chain for every block that
   * enters the cache, so the KV events carry the hashes a vLLM engine would publish. Without it
   * (no one listens to KV events) nothing is hashed twice.
   */
  constructor(
    readonly pool: BlockPool,
    private readonly events?: KvEventSink,
    private readonly hasher?: VllmBlockHasher,
  ) {
    if (events) pool.listen({ removed: (hash, digest) => events.removed(hash, digest) });
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
    let parent = seq.hashSeed;
    for (let b = 0; b < fullBlocks; b++) {
      parent = blockHash(parent, seq.tokenAt, b * bs, (b + 1) * bs);
      hashes.push(parent);
    }
    return { hit: this.pool.lookup(hashes), hashes };
  }

  /** The share of the sequence's prompt its cached prefix would serve now (0..1), taking nothing. */
  cachedShare(seq: Sequence): number {
    return (this.findPrefix(seq).hit.length * this.pool.blockSize) / seq.numPromptTokens;
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
    seq.blockDigests = hit.map((b) => b.digest);
    seq.numComputed = hit.length * this.pool.blockSize;
  }

  /** Forgets every cached prefix when no block is in use (vLLM's reset_prefix_cache); false otherwise. */
  reset(): boolean {
    if (!this.pool.reset()) return false;
    this.events?.cleared();
    return true;
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
    const lora = seq.request.lora;
    const extra = lora ? [lora.name] : null;
    for (let b = seq.blockHashes.length; b < full; b++) {
      const parent = seq.blockHashes[b - 1] ?? null;
      const hash = blockHash(parent ?? seq.hashSeed, seq.tokenAt, b * bs, (b + 1) * bs);
      seq.blockHashes.push(hash);
      const tokenIds = this.hasher || this.events?.wantsStored() ? blockTokens(seq, b, bs) : [];
      const parentDigest = b > 0 ? (seq.blockDigests[b - 1] ?? null) : null;
      const digest = this.hasher ? this.hasher.hash(parentDigest, tokenIds, extra) : null;
      seq.blockDigests.push(digest);
      if (this.pool.register(seq.blocks[b], hash, digest) && this.events?.wantsStored()) {
        this.events.stored({ hash, parent, digest, parentDigest, tokenIds, ...(lora ? { lora: { id: lora.id, name: lora.name } } : {}) });
      }
    }
  }

  /** Gives back every block of the sequence (finished, or preempted: recomputed from scratch). */
  free(seq: Sequence): void {
    this.pool.release(seq.blocks);
    seq.blocks = [];
    seq.blockHashes = [];
    seq.blockDigests = [];
  }
}

/** The token ids of a sequence's block `b`. */
function blockTokens(seq: Sequence, b: number, blockSize: number): number[] {
  const out: number[] = [];
  for (let i = b * blockSize; i < (b + 1) * blockSize; i++) out.push(seq.tokenAt(i));
  return out;
}
