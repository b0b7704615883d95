import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';
import { PatternMatcher } from './pattern-matcher';
import { parsePatternsYaml, validatePatternsDocument } from './pattern-schema';
import { WordTokenizer } from './testing/word-tokenizer';

/** The bundled config/responses.yaml: valid, varied, and routing typical prompts as intended. */
describe('config/responses.yaml', () => {
  const doc = validatePatternsDocument(parsePatternsYaml(readFileSync(resolve(PROJECT_ROOT, 'config/responses.yaml'), 'utf8')));
  const matcher = new PatternMatcher(doc);
  const match = (prompt: string) => matcher.match({ kind: 'chat', prompt })?.name ?? 'fallback';

  it('has the expected categories with several replies each', () => {
    const names = doc.patterns.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['code', 'summarization', 'question', 'explanation', 'greeting', 'creative']));
    for (const p of doc.patterns) expect(p.responses.length).toBeGreaterThanOrEqual(3);
    expect(doc.fallback.responses.length).toBeGreaterThanOrEqual(3);
  });

  it('replies have realistic lengths (code blocks where code is asked for)', () => {
    const tokenizer = new WordTokenizer();
    for (const p of doc.patterns.filter((q) => q.name !== 'greeting')) {
      for (const reply of p.responses) {
        const n = tokenizer.count(reply);
        expect(n).toBeGreaterThanOrEqual(15); // words; real BPE tokens are more
        expect(n).toBeLessThanOrEqual(400);
      }
    }
    const code = doc.patterns.find((p) => p.name === 'code')!;
    expect(code.responses.every((r) => /```\w+\n[\s\S]*```/.test(r))).toBe(true);
  });

  it.each([
    ['Write a Python function that reverses a string', 'code'],
    ['write a function to parse dates', 'code'],
    ['How do I read a file in Rust?', 'code'],
    ['Can you summarize this article for me?', 'summarization'],
    ['tl;dr of the meeting notes please', 'summarization'],
    ['Write a poem about the sea', 'creative'],
    ['tell me a short story about a dragon', 'creative'],
    ['What is the capital of France?', 'question'],
    ['Explain how transformers work', 'explanation'],
    ['Hello!', 'greeting'],
    ['hi, how are you', 'greeting'],
    ['What is 12 * 7?', 'math'],
    ['Translate "good morning" into French', 'translation'],
    ['The quick brown fox', 'fallback'],
  ])('%j -> %s', (prompt, expected) => {
    expect(match(prompt)).toBe(expected);
  });
});
