import { APPROXIMATE_PROFILES, ApproximateCodec } from './codecs/approximate';
import { createTokenizer } from './create-tokenizer';
import { CODE, ENGLISH } from './fixtures/corpus';

// Loading the 100k+ vocabularies takes seconds: one file, generous timeout.
jest.setTimeout(60_000);

describe('byte-level BPE families (exact)', () => {
  const llama3 = createTokenizer('meta-llama/Llama-3.1-8B-Instruct');
  const qwen = createTokenizer('Qwen/Qwen2.5-7B-Instruct');
  const phi4 = createTokenizer('microsoft/phi-4');

  it('known ids', () => {
    // Llama 3 / Qwen 2 / cl100k ids of "Hello world!" as HF tokenizers give them.
    expect(llama3.encodePrompt('Hello world!')).toEqual([128000, 9906, 1917, 0]);
    expect(qwen.encodePrompt('Hello world!')).toEqual([9707, 1879, 0]);
    expect(phi4.encodePrompt('Hello world!')).toEqual([9906, 1917, 0]);
  });

  it('chat templates', () => {
    const hello = [{ role: 'user', content: 'Hello' }];
    // <|im_start|>user<|im_sep|>Hello<|im_end|><|im_start|>assistant<|im_sep|>
    expect(phi4.encodeChat(hello)).toEqual([100264, 882, 100266, 9906, 100265, 100264, 78191, 100266]);
    const q = qwen.encodeChat(hello);
    expect(q.slice(0, 1)).toEqual([151644]);
    expect(qwen.decode(q)).toContain('You are Qwen');
    const l = llama3.encodeChat(hello);
    expect(l.slice(0, 2)).toEqual([128000, 128006]);
    expect(l.slice(-4)).toEqual([128006, 78191, 128007, 271]);
  });

  it.each([llama3, qwen, phi4].map((t) => [t.name, t]))('%s: pieces join, decode round-trips', (_name, tok) => {
    for (const text of [...ENGLISH, ...CODE, 'héllo 日本語 😀 🦙']) {
      const enc = tok.encode(text);
      expect(enc.pieces.join('')).toBe(text);
      expect(tok.decode(enc.ids)).toBe(text);
    }
  });

  it.each([llama3, qwen, phi4].map((t) => [t.name, t]))('%s: sliced (async) prompt and chat encoding give the same ids', async (_name, tok) => {
    const text = [...ENGLISH, ...CODE].join('\n').repeat(20);
    expect(text.length).toBeGreaterThan(2 * 16_384);
    expect(await tok.encodePromptAsync(text)).toEqual(tok.encodePrompt(text));
    const turns = [
      { role: 'user', content: text },
      { role: 'assistant', content: 'Noted.' },
      { role: 'user', content: `Summarise: ${text}` },
    ];
    expect(await tok.encodeChatAsync(turns)).toEqual(tok.encodeChat(turns));
  });

  it('approximate counts within 15% of Llama 3, Qwen and cl100k on the corpus', () => {
    const codec = new ApproximateCodec(128256, APPROXIMATE_PROFILES['bpe-large']);
    for (const real of [llama3, qwen, phi4]) {
      for (const texts of [ENGLISH, CODE]) {
        const r = texts.reduce((n, t) => n + real.count(t), 0);
        const a = texts.reduce((n, t) => n + codec.count(t), 0);
        expect(Math.abs(a - r) / r).toBeLessThan(0.15);
      }
    }
  });
});
