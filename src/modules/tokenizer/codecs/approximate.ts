import { TextCodec, EMPTY_BYTES, utf8Bytes } from './text-codec';

/**
 * How text splits in a family of vocabularies, fitted on the real tokenizers (bench/tokenizer.ts):
 * - sentencepiece-32k: Llama 2 / Mistral style; digits one by one, newlines are byte tokens;
 * - bpe-large: 100k+ byte-level BPE (Llama 3, Qwen, cl100k, Gemma's 256k); digits in threes.
 */
export interface ApproximateProfile {
  readonly name: 'sentencepiece-32k' | 'bpe-large';
  /** A word (letters, with its leading space) of up to this many characters is one token. */
  readonly wordChars: number;
  /** Each further token of a longer word covers this many characters. */
  readonly extraChars: number;
  readonly digitsPerToken: number;
  readonly punctPerToken: number;
  /** Newlines per token in a run of newlines. */
  readonly newlinesPerToken: number;
  /** Spaces per token in indentation. */
  readonly spacesPerToken: number;
}

export const APPROXIMATE_PROFILES: Record<ApproximateProfile['name'], ApproximateProfile> = {
  'sentencepiece-32k': { name: 'sentencepiece-32k', wordChars: 7, extraChars: 4, digitsPerToken: 1, punctPerToken: 1.4, newlinesPerToken: 1, spacesPerToken: 8 },
  'bpe-large': { name: 'bpe-large', wordChars: 8, extraChars: 5, digitsPerToken: 3, punctPerToken: 2.6, newlinesPerToken: 2, spacesPerToken: 16 },
};

// Contractions, words (with one leading non-letter such as a space), numbers, punctuation runs,
// newline runs (with the spaces before them), other whitespace.
const PRETOKEN = /'(?:s|t|re|ve|m|ll|d)\b|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+|[^\S\r\n]*[\r\n]+|\s+/gu;
const RESERVED_IDS = 1000;

/**
 * A deterministic stand-in for models without a shipped tokenizer: pre-splits like the real ones,
 * cuts long words into even parts, and names each part by a hash of its text (stable across runs,
 * below vocabSize). Parts it has produced are remembered so decode() can invert them; a hash
 * collision or an id it never produced decodes to "<|id|>".
 */
export class ApproximateCodec implements TextCodec {
  readonly dummyPrefix = false;
  private readonly textById = new Map<number, string>();
  private static readonly MAX_REMEMBERED = 500_000;

  constructor(
    readonly vocabSize: number,
    readonly profile: ApproximateProfile,
    private readonly specials: Map<string, number> = new Map(),
  ) {}

  encodeIds(text: string): number[] {
    return this.split(text).map((part) => this.idOf(part));
  }

  encodeWithPieces(text: string): { ids: number[]; pieces: string[] } {
    const pieces = this.split(text);
    return { ids: pieces.map((part) => this.idOf(part)), pieces };
  }

  count(text: string): number {
    let n = 0;
    for (const m of text.matchAll(PRETOKEN)) n += this.partsOf(m[0]);
    return n;
  }

  /** The text of each token: `split(t).join('') === t`. */
  split(text: string): string[] {
    const out: string[] = [];
    let last = 0;
    for (const m of text.matchAll(PRETOKEN)) {
      if (m.index > last) out.push(text.slice(last, m.index)); // not reached: the pattern covers all text
      this.cut(m[0], this.partsOf(m[0]), out);
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  private partsOf(chunk: string): number {
    const p = this.profile;
    const c = chunk.charCodeAt(chunk.length - 1);
    const len = chunk.length;
    if (/\p{L}/u.test(chunk[len - 1])) return len <= p.wordChars ? 1 : 1 + Math.ceil((len - p.wordChars) / p.extraChars);
    if (c >= 48 && c <= 57) return Math.ceil(len / p.digitsPerToken);
    if (c === 10 || c === 13) return Math.ceil((chunk.match(/[\r\n]/g)?.length ?? 1) / p.newlinesPerToken);
    if (/^\s+$/.test(chunk)) return Math.ceil(len / p.spacesPerToken);
    return Math.ceil(len / p.punctPerToken);
  }

  private cut(chunk: string, parts: number, out: string[]): void {
    const chars = Array.from(chunk);
    const n = Math.min(parts, chars.length);
    for (let k = 0; k < n; k++) {
      out.push(chars.slice(Math.floor((k * chars.length) / n), Math.floor(((k + 1) * chars.length) / n)).join(''));
    }
  }

  private idOf(part: string): number {
    let h = 0x811c9dc5; // FNV-1a
    for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
    const id = RESERVED_IDS + ((h >>> 0) % (this.vocabSize - RESERVED_IDS));
    if (this.textById.size < ApproximateCodec.MAX_REMEMBERED && !this.textById.has(id)) this.textById.set(id, part);
    return id;
  }

  tokenBytes(id: number): Uint8Array {
    const text = this.textById.get(id);
    if (text !== undefined) return utf8Bytes(text);
    for (const [s, sid] of this.specials) if (sid === id) return utf8Bytes(s);
    return id >= 0 && id < this.vocabSize ? utf8Bytes(`<|${id}|>`) : EMPTY_BYTES;
  }

  tokenPiece(id: number): string {
    return new TextDecoder().decode(this.tokenBytes(id));
  }

  /** Control tokens get stable ids below RESERVED_IDS, hashed from their text. */
  specialId(token: string): number | undefined {
    let id = this.specials.get(token);
    if (id === undefined) {
      let h = 0x811c9dc5;
      for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
      id = 1 + ((h >>> 0) % (RESERVED_IDS - 1));
      this.specials.set(token, id);
    }
    return id;
  }

  isSkippedOnDecode(): boolean {
    return false;
  }
}
