/** A pending merge of two adjacent parts: its rank and where its left part starts. */
export interface RankedMerge {
  rank: number;
  left: number;
}

/**
 * Min-heap on (rank, left position): the lowest rank first, equal ranks left to right — the order
 * in which a BPE merges (Hugging Face's merge loop, js-tiktoken's scan). Entries carry whatever
 * else their codec needs to check the merge is still current.
 */
export class RankHeap<T extends RankedMerge> {
  private readonly items: T[] = [];
  get size(): number {
    return this.items.length;
  }
  push(entry: T): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(items[i], items[p])) break;
      [items[i], items[p]] = [items[p], items[i]];
      i = p;
    }
  }
  pop(): T {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && less(items[l], items[m])) m = l;
        if (r < items.length && less(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}

function less(a: RankedMerge, b: RankedMerge): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.left < b.left);
}
