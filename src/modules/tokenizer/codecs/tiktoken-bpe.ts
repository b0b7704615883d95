import { TextCodec, EMPTY_BYTES, utf8Bytes } from './text-codec';

interface JsTiktoken {
  encode(text: string, allowedSpecial?: string[] | 'all', disallowedSpecial?: string[] | 'all'): number[];
  decode(ids: number[]): string;
}

/**
 * cl100k_base via js-tiktoken, plus Phi-4's chat tokens: phi-4's tokenizer is cl100k_base with
 * 100352 ids (tiktoken's special tokens and Phi's <|im_sep|>).
 */
export class TiktokenBpe implements TextCodec {
  readonly dummyPrefix = false;
  private readonly enc: JsTiktoken & { textMap?: Map<number, Uint8Array> };
  private readonly specials: Map<string, number>;
  private readonly skipped: Set<number>;

  constructor(readonly vocabSize: number, specials: Record<string, number>, skipped: readonly string[]) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { Tiktoken } = require('js-tiktoken/lite') as { Tiktoken: new (ranks: unknown) => JsTiktoken };
    const ranks = require('js-tiktoken/ranks/cl100k_base') as { default?: unknown };
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.enc = new Tiktoken(ranks.default ?? ranks);
    this.specials = new Map(Object.entries(specials));
    this.skipped = new Set(skipped.map((s) => specials[s]).filter((x) => x !== undefined));
  }

  encodeIds(text: string): number[] {
    return text.length === 0 ? [] : this.enc.encode(text, [], []);
  }

  tokenBytes(id: number): Uint8Array {
    for (const [s, sid] of this.specials) if (sid === id) return this.skipped.has(id) ? EMPTY_BYTES : utf8Bytes(s);
    return this.enc.textMap?.get(id) ?? EMPTY_BYTES;
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
