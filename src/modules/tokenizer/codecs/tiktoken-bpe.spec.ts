import { Random } from '../../../common/random';
import { CODE, ENGLISH } from '../fixtures/corpus';
import { TiktokenBpe } from './tiktoken-bpe';
import { CL100K_MODULE, decodeTiktokenCompact, encodeTiktokenCompact, readRanksModule, tiktokenIdentity } from './tiktoken-data';

jest.setTimeout(60_000);

interface JsTiktoken {
  encode(text: string, allowedSpecial?: string[], disallowedSpecial?: string[]): number[];
}

/** js-tiktoken itself: the reference. */
function reference(): JsTiktoken {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Tiktoken } = require('js-tiktoken/lite') as { Tiktoken: new (ranks: unknown) => JsTiktoken };
  const ranks = require(CL100K_MODULE) as { default?: unknown };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new Tiktoken(ranks.default ?? ranks);
}

function randomTexts(): string[] {
  const random = new Random(99);
  const alphabet = ['a', 'Z', ' ', '  ', '\n', '\r\n', '\t', "'", "'S", "'ll", "'Re", '1', '12345', '٣', '.', '...', '!?', 'é', 'e\u0301', '日本', '語', '😀', '🦙', '\u200b', '<|im_start|>', '<|endoftext|>', 'ﬁ', 'Ω'];
  const texts = ['a'.repeat(500), 'x'.repeat(40) + '1'.repeat(40) + ' '.repeat(40), "I'M here, you'RE there", 'héllo 日本語 😀 🦙  \n\n  \t tabs'];
  for (let i = 0; i < 300; i++) {
    let t = '';
    const n = 1 + Math.floor(random.next() * 30);
    for (let k = 0; k < n; k++) t += alphabet[Math.floor(random.next() * alphabet.length)];
    texts.push(t);
  }
  return texts;
}

describe('TiktokenBpe (cl100k_base)', () => {
  const data = readRanksModule();
  const ours = new TiktokenBpe(100352, { '<|endoftext|>': 100257 }, ['<|endoftext|>'], data);
  const ref = reference();

  it('gives the ids js-tiktoken gives (special strings as text), on the corpus and on random texts', () => {
    const texts = [...ENGLISH, ...CODE, ...randomTexts()];
    const mismatches = texts.filter((t) => JSON.stringify(ours.encodeIds(t)) !== JSON.stringify(ref.encode(t, [], [])));
    expect(mismatches).toEqual([]);
  });

  it('decodes tokens to their bytes; the compact copy holds the same data', () => {
    const ids = ours.encodeIds('Hello world! 日本語');
    expect(Buffer.concat(ids.map((id) => ours.tokenBytes(id))).toString('utf8')).toBe('Hello world! 日本語');
    const identity = tiktokenIdentity();
    const back = decodeTiktokenCompact(encodeTiktokenCompact(data, identity), identity)!;
    expect(back.pattern).toBe(data.pattern);
    expect(Array.from(back.offsets)).toEqual(Array.from(data.offsets));
    expect(Buffer.from(back.bytes).equals(Buffer.from(data.bytes))).toBe(true);
    expect(decodeTiktokenCompact(encodeTiktokenCompact(data, identity), `${identity}x`)).toBeUndefined();
  });
});
