import { RankHeap } from './rank-heap';
/**
 * The merges of a BPE vocabulary: (left id, right id) -> rank, and the id each merge makes. An
 * open-addressing table over typed arrays: built in a few milliseconds for 280k merges, where a Map
 * keyed by `left * vocabSize + right` (beyond small integers for 150k vocabularies) takes tens.
 */
export class MergeTable {
  private readonly keys: Int32Array;
  private readonly ranks: Int32Array;
  private readonly mask: number;
  /** rank -> id of the merged token (-1 when the merge makes no token, which then never applies). */
  readonly result: Int32Array;

  /** `merges`: per rank, left id, right id, merged id. */
  constructor(merges: Int32Array) {
    const count = merges.length / 3;
    let size = 1;
    while (size < count * 2) size <<= 1;
    this.mask = size - 1;
    // Two slots per entry (left, right); -1 marks an empty slot.
    this.keys = new Int32Array(size * 2).fill(-1);
    this.ranks = new Int32Array(size);
    this.result = new Int32Array(count);
    for (let rank = 0; rank < count; rank++) {
      const left = merges[3 * rank];
      const right = merges[3 * rank + 1];
      this.result[rank] = merges[3 * rank + 2];
      if (left < 0 || right < 0) continue;
      let slot = this.hash(left, right);
      for (;;) {
        const k = this.keys[2 * slot];
        if (k === -1) {
          this.keys[2 * slot] = left;
          this.keys[2 * slot + 1] = right;
          this.ranks[slot] = rank;
          break;
        }
        // The first (lowest) rank of a repeated pair wins.
        if (k === left && this.keys[2 * slot + 1] === right) break;
        slot = (slot + 1) & this.mask;
      }
    }
  }

  /** The rank of merging left and right, or -1. */
  rank(left: number, right: number): number {
    let slot = this.hash(left, right);
    for (;;) {
      const k = this.keys[2 * slot];
      if (k === -1) return -1;
      if (k === left && this.keys[2 * slot + 1] === right) return this.ranks[slot];
      slot = (slot + 1) & this.mask;
    }
  }

  private hash(left: number, right: number): number {
    return (Math.imul(left, 0x9e3779b1) ^ Math.imul(right, 0x85ebca77)) >>> 0 & this.mask;
  }
}

/**
 * The BPE merge loop shared by the SentencePiece and byte-level codecs: repeatedly merge the
 * adjacent pair of lowest rank, equal ranks left to right (as Hugging Face tokenizers and
 * transformers.js do), over a doubly linked list of symbols and a binary heap, so a long word costs
 * O(n log n), not O(n²).
 */
export function mergeSymbols(ids: number[], merges: MergeTable): number[] {
  const n = ids.length;
  if (n < 2) return ids;
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const alive = new Uint8Array(n).fill(1);
  const heap = new RankHeap<{ rank: number; left: number; right: number; leftId: number; rightId: number }>();
  const consider = (i: number): void => {
    const j = next[i];
    if (i < 0 || j < 0) return;
    const rank = merges.rank(ids[i], ids[j]);
    if (rank >= 0 && merges.result[rank] >= 0) heap.push({ rank, left: i, right: j, leftId: ids[i], rightId: ids[j] });
  };
  for (let i = 0; i < n - 1; i++) consider(i);
  while (heap.size > 0) {
    const e = heap.pop();
    const { left: i, right: j } = e;
    if (!alive[i] || !alive[j] || next[i] !== j || ids[i] !== e.leftId || ids[j] !== e.rightId) continue;
    ids[i] = merges.result[e.rank];
    alive[j] = 0;
    next[i] = next[j];
    if (next[j] >= 0) prev[next[j]] = i;
    consider(prev[i]);
    consider(i);
  }
  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i]) out.push(ids[i]);
  return out;
}
