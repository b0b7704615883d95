import { RankHeap } from './rank-heap';
import { TiktokenData, loadTiktokenData } from './tiktoken-data';
import { TextCodec, EMPTY_BYTES, utf8Bytes } from './text-codec';

/**
 * cl100k_base, plus Phi-4's chat tokens: phi-4's tokenizer is cl100k_base with 100352 ids
 * (tiktoken's special tokens and Phi's <|im_sep|>). The encoding is js-tiktoken's (the regex's
 * matches; a match that is a token is one id; else byte-pair merging by the rank of the merged
 * bytes, lowest first, ties left to right), run over the vocabulary's own data: built from a
 * compact copy in a few tens of milliseconds where js-tiktoken's constructor takes ~0.25 s.
 */
export class TiktokenBpe implements TextCodec {
  readonly dummyPrefix = false;
  private readonly data: TiktokenData;
  /** Token bytes as a latin1 string (one character per byte) -> rank. */
  private readonly rankOf = new Map<string, number>();
  private readonly pattern: RegExp;
  private readonly specials: Map<string, number>;
  private readonly specialBytes = new Map<number, Uint8Array>();
  private readonly skipped: Set<number>;
  private readonly cache = new Map<string, readonly number[]>();
  private static readonly MAX_CACHE = 200_000;

  constructor(
    readonly vocabSize: number,
    specials: Record<string, number>,
    skipped: readonly string[],
    data: TiktokenData = loadTiktokenData(),
  ) {
    this.data = data;
    const all = Buffer.from(data.bytes.buffer, data.bytes.byteOffset, data.bytes.byteLength);
    for (let rank = 0; rank + 1 < data.offsets.length; rank++) {
      const start = data.offsets[rank];
      const end = data.offsets[rank + 1];
      if (end > start) this.rankOf.set(all.toString('latin1', start, end), rank);
    }
    this.pattern = new RegExp(data.pattern, 'gu');
    this.specials = new Map(Object.entries(specials));
    for (const [text, id] of this.specials) this.specialBytes.set(id, utf8Bytes(text));
    this.skipped = new Set(skipped.map((s) => specials[s]).filter((x) => x !== undefined));
  }

  encodeIds(text: string): number[] {
    const out: number[] = [];
    for (const m of text.matchAll(this.pattern)) {
      let ids = this.cache.get(m[0]);
      if (ids === undefined) {
        ids = this.encodePiece(utf8Bytes(m[0]));
        if (this.cache.size < TiktokenBpe.MAX_CACHE) this.cache.set(m[0], ids);
      }
      for (let k = 0; k < ids.length; k++) out.push(ids[k]);
    }
    return out;
  }

  private rank(piece: Uint8Array, start: number, end: number): number {
    return this.rankOf.get(Buffer.from(piece.buffer, piece.byteOffset + start, end - start).toString('latin1')) ?? -1;
  }

  /** js-tiktoken's bytePairEncode, over a linked list of byte spans and a heap (O(n log n) for long pieces). */
  private encodePiece(piece: Uint8Array): number[] {
    const whole = this.rank(piece, 0, piece.length);
    if (whole >= 0) return [whole];
    const n = piece.length;
    const start = new Int32Array(n);
    const end = new Int32Array(n);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      start[i] = i;
      end[i] = i + 1;
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap = new RankHeap<{ rank: number; left: number; leftEnd: number; rightEnd: number }>();
    const consider = (i: number): void => {
      const j = i < 0 ? -1 : next[i];
      if (j < 0) return;
      const rank = this.rank(piece, start[i], end[j]);
      if (rank >= 0) heap.push({ rank, left: i, leftEnd: end[i], rightEnd: end[j] });
    };
    for (let i = 0; i < n - 1; i++) consider(i);
    while (heap.size > 0) {
      const e = heap.pop();
      const i = e.left;
      const j = next[i];
      // Stale: the left span changed, or its right neighbour did, since the entry was pushed.
      if (end[i] !== e.leftEnd || j < 0 || end[j] !== e.rightEnd) continue;
      end[i] = end[j];
      next[i] = next[j];
      if (next[j] >= 0) prev[next[j]] = i;
      end[j] = -1;
      consider(prev[i]);
      consider(i);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]) {
      const rank = this.rank(piece, start[i], end[i]);
      if (rank >= 0) out.push(rank);
    }
    return out;
  }

  tokenBytes(id: number): Uint8Array {
    const special = this.specialBytes.get(id);
    if (special) return this.skipped.has(id) ? EMPTY_BYTES : special;
    if (id < 0 || id + 1 >= this.data.offsets.length) return EMPTY_BYTES;
    return this.data.bytes.subarray(this.data.offsets[id], this.data.offsets[id + 1]);
  }

  tokenPiece(id: number): string {
    for (const [s, sid] of this.specials) if (sid === id) return s;
    return new TextDecoder().decode(this.tokenBytes(id));
  }

  specialId(token: string): number | undefined {
    return this.specials.get(token);
  }

  isSkippedOnDecode(id: number): boolean {
    return this.skipped.has(id);
  }
}
