import { readFileSync } from 'node:fs';
import { TextCodec, EMPTY_BYTES, utf8Bytes } from './text-codec';

/** GPT-2's bytes_to_unicode: byte-level BPE vocabularies spell byte b as this character. */
function byteDecoder(): Map<string, number> {
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
  return new Map(bs.map((b, i) => [String.fromCharCode(cs[i]), b]));
}

interface LenmlTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
  model: { vocab: string[]; tokens_to_ids: Map<string, number> };
  added_tokens: { content: string; id: number; special: boolean }[];
}

/**
 * A Hugging Face tokenizer.json (byte-level BPE: Llama 3, Qwen) run by @lenml/tokenizers, a
 * dependency-free port of transformers.js. Reading the package's models/*.json directly avoids
 * parsing its 8 MB bundled copy of the same data.
 */
export class ByteLevelBpe implements TextCodec {
  readonly vocabSize: number;
  readonly dummyPrefix = false;
  private readonly tokenizer: LenmlTokenizer;
  private readonly bytesById: (Uint8Array | undefined)[];
  private readonly specials = new Map<string, number>();
  private static readonly BYTES = byteDecoder();

  constructor(packageName: string) {
    // Lazy requires: only the configured family's package is loaded, on first use.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { TokenizerLoader } = require('@lenml/tokenizers') as {
      TokenizerLoader: { fromPreTrained(p: { tokenizerJSON: unknown; tokenizerConfig: unknown }): LenmlTokenizer };
    };
    const readJson = (file: string): unknown => JSON.parse(readFileSync(require.resolve(`${packageName}/models/${file}`), 'utf8'));
    this.tokenizer = TokenizerLoader.fromPreTrained({
      tokenizerJSON: readJson('tokenizer.json'),
      tokenizerConfig: readJson('tokenizer_config.json'),
    });
    for (const t of this.tokenizer.added_tokens) this.specials.set(t.content, t.id);
    this.vocabSize = Math.max(this.tokenizer.model.vocab.length, ...this.specials.values()) + 1;
    this.bytesById = new Array<Uint8Array | undefined>(this.vocabSize);
  }

  encodeIds(text: string): number[] {
    return text.length === 0 ? [] : this.tokenizer.encode(text, { add_special_tokens: false });
  }

  tokenBytes(id: number): Uint8Array {
    let bytes = this.bytesById[id];
    if (bytes === undefined) {
      const piece = this.tokenizer.model.vocab[id];
      if (piece === undefined) bytes = EMPTY_BYTES;
      else if (this.specials.has(piece)) bytes = utf8Bytes(piece);
      else bytes = Uint8Array.from([...piece].map((c) => ByteLevelBpe.BYTES.get(c) ?? 63));
      this.bytesById[id] = bytes;
    }
    return bytes;
  }

  tokenPiece(id: number): string {
    return this.tokenizer.model.vocab[id] ?? '';
  }

  specialId(token: string): number | undefined {
    return this.specials.get(token);
  }

  isSkippedOnDecode(id: number): boolean {
    const piece = this.tokenizer.model.vocab[id];
    return piece !== undefined && this.tokenizer.added_tokens.some((t) => t.id === id && t.special);
  }
}
