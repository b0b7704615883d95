import { hashString } from '../../../common/random';
import { Encoding, Tokenizer } from '../../tokenizer/tokenizer.types';

/**
 * A tiny stand-in tokenizer for unit tests: one token per word with its leading whitespace
 * (trailing whitespace is a token of its own), so counts are easy to reason about.
 */
export class WordTokenizer implements Tokenizer {
  readonly name = 'words (test)';
  readonly vocabSize = 2 ** 16;
  private readonly texts = new Map<number, string>();

  encode(text: string): Encoding {
    const pieces = text.match(/\s*\S+|\s+$/g) ?? [];
    const ids = pieces.map((piece) => {
      const id = hashString(piece) % this.vocabSize;
      this.texts.set(id, piece);
      return id;
    });
    return { ids, pieces };
  }

  count(text: string): number {
    return this.encode(text).ids.length;
  }

  encodePrompt(text: string): number[] {
    return this.encode(text).ids;
  }

  encodeChat(turns: readonly { role: string; content: string }[]): number[] {
    return this.encode(turns.map((t) => `${t.role}: ${t.content}`).join('\n')).ids;
  }

  decode(ids: readonly number[]): string {
    return ids.map((id) => this.tokenText(id)).join('');
  }

  tokenText(id: number): string {
    return this.texts.get(id) ?? '';
  }
}

/** `text` as words: `words(3)` = "w1 w2 w3" (3 tokens for WordTokenizer). */
export function words(n: number, prefix = 'w'): string {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`).join(' ');
}
