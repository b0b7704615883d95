import type { BlockDigest } from './vllm-block-hash';

/** One KV cache block: `blockSize` token slots. */
export interface KvBlock {
  readonly id: number;
  refCount: number;
  /** Hash of the block's tokens and every block before it, once the block is full and cached. */
  hash: number | null;
  /** vLLM's hash of the same prefix, when the engine computes it (KV events on). */
  digest: BlockDigest | null;
  /** Place in the free queue (doubly linked, so a cached block can leave it in O(1)). */
  prev: KvBlock | null;
  next: KvBlock | null;
  free: boolean;
}

/** What the pool tells of its cached blocks, as vLLM's BlockPool records its KV cache events. */
export interface BlockPoolListener {
  /** A cached block was reused for other tokens: the prefix `hash` is gone from the cache. */
  removed(hash: number, digest: BlockDigest | null): void;
}

/**
 * The paged KV cache of a vLLM V1 engine (vLLM's BlockPool): a fixed pool of blocks, a free queue
 * in eviction order (least recently freed first) and prefix caching on chained block hashes. Freed
 * blocks keep their hash until they are reused, so a later request with the same prefix finds them.
 */
export class BlockPool {
  private readonly blocks: KvBlock[];
  private head: KvBlock | null = null;
  private tail: KvBlock | null = null;
  private freeCount = 0;
  private readonly cached = new Map<number, KvBlock>();

  private listener: BlockPoolListener | undefined;

  constructor(
    readonly numBlocks: number,
    readonly blockSize: number,
    readonly prefixCaching: boolean,
  ) {
    this.blocks = Array.from({ length: numBlocks }, (_, id) => ({ id, refCount: 0, hash: null, digest: null, prev: null, next: null, free: false }));
    for (const block of this.blocks) this.pushFree(block);
  }

  /** Who hears of cached blocks removed (the KV-cache manager, which reports them as events). */
  listen(listener: BlockPoolListener): void {
    this.listener = listener;
  }

  get freeBlocks(): number {
    return this.freeCount;
  }

  /** Share of blocks in use, 0..1, as `vllm:kv_cache_usage_perc` reports it. */
  get usage(): number {
    return this.numBlocks === 0 ? 0 : 1 - this.freeCount / this.numBlocks;
  }

  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.blockSize);
  }

  /**
   * The longest run of cached blocks at the start of `hashes` (a sequence's full-block hashes).
   * Does not take them; `acquire` does.
   */
  lookup(hashes: readonly number[]): KvBlock[] {
    if (!this.prefixCaching) return [];
    const hit: KvBlock[] = [];
    for (const hash of hashes) {
      const block = this.cached.get(hash);
      if (!block) break;
      hit.push(block);
    }
    return hit;
  }

  /** Takes a reference on blocks found by `lookup`. */
  acquire(blocks: readonly KvBlock[]): void {
    for (const block of blocks) {
      if (block.free) this.removeFree(block);
      block.refCount++;
    }
  }

  /** Allocates `count` fresh blocks, or returns null (nothing taken) when too few are free. */
  allocate(count: number): KvBlock[] | null {
    if (count > this.freeCount) return null;
    const out: KvBlock[] = [];
    for (let i = 0; i < count; i++) {
      const block = this.head!;
      this.removeFree(block);
      if (block.hash !== null) {
        if (this.cached.get(block.hash) === block) {
          this.cached.delete(block.hash);
          this.listener?.removed(block.hash, block.digest);
        }
        block.hash = null;
        block.digest = null;
      }
      block.refCount = 1;
      out.push(block);
    }
    return out;
  }

  /**
   * Marks a full block as holding the prefix identified by `hash`, so later requests can reuse it.
   * False when nothing was stored: a prefix already cached in another block is not stored twice.
   */
  register(block: KvBlock, hash: number, digest: BlockDigest | null = null): boolean {
    if (!this.prefixCaching || block.hash !== null) return false;
    if (this.cached.has(hash)) return false;
    block.hash = hash;
    block.digest = digest;
    this.cached.set(hash, block);
    return true;
  }

  /**
   * Forgets every cached prefix (vLLM's reset_prefix_cache). As vLLM, it refuses while any block is
   * in use: a running request's blocks cannot lose their hashes under it. True when it was reset.
   */
  reset(): boolean {
    if (this.freeCount !== this.numBlocks) return false;
    for (const block of this.cached.values()) {
      block.hash = null;
      block.digest = null;
    }
    this.cached.clear();
    return true;
  }

  /**
   * Drops a sequence's references. Blocks are queued tail-first, so a prefix's last blocks are evicted
   * before its first ones (as vLLM does), keeping shared system prompts cached longest.
   */
  release(blocks: readonly KvBlock[]): void {
    for (let i = blocks.length - 1; i >= 0; i--) {
      const block = blocks[i];
      block.refCount--;
      if (block.refCount === 0) this.pushFree(block);
    }
  }

  private pushFree(block: KvBlock): void {
    block.free = true;
    block.prev = this.tail;
    block.next = null;
    if (this.tail) this.tail.next = block;
    else this.head = block;
    this.tail = block;
    this.freeCount++;
  }

  private removeFree(block: KvBlock): void {
    if (block.prev) block.prev.next = block.next;
    else this.head = block.next;
    if (block.next) block.next.prev = block.prev;
    else this.tail = block.prev;
    block.prev = block.next = null;
    block.free = false;
    this.freeCount--;
  }
}

/**
 * Chained hash of one block's tokens with its parent's hash: two 32-bit FNV-style lanes folded into
 * 53 bits, so collisions between cached prefixes stay negligible at millions of blocks.
 */
export function blockHash(parent: number, tokenAt: (i: number) => number, from: number, to: number): number {
  let a = (0x811c9dc5 ^ (parent >>> 0)) >>> 0;
  let b = (0x9747b28c ^ Math.floor(parent / 2 ** 32)) >>> 0;
  for (let i = from; i < to; i++) {
    const t = tokenAt(i) >>> 0;
    a = Math.imul(a ^ t, 0x01000193) >>> 0;
    b = Math.imul(b ^ t, 0x5bd1e995) >>> 0;
    b ^= b >>> 15;
  }
  return (a & 0x1fffff) * 2 ** 32 + b;
}
