import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';
import { PatternMatcher } from './pattern-matcher';
import { parsePatternsYaml, validatePatternsDocument } from './pattern-schema';

/** The bundled config/responses.yaml: valid, varied, and routing typical prompts as intended. */
describe('config/responses.yaml', () => {
  const doc = validatePatternsDocument(parsePatternsYaml(readFileSync(resolve(PROJECT_ROOT, 'config/responses.yaml'), 'utf8')));
  const matcher = new PatternMatcher(doc);
  const match = (prompt: string) => matcher.match({ kind: 'chat', prompt })?.name ?? 'fallback';

  it('has the expected categories with several replies each', () => {
    const names = doc.patterns.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['code', 'summarization', 'question', 'explanation', 'greeting', 'thanks', 'arithmetic', 'poem', 'story', 'translation']),
    );
    for (const p of doc.patterns) expect(p.responses.length).toBeGreaterThanOrEqual(p.name === 'limerick' || p.name === 'song' ? 1 : 2);
    expect(doc.fallback.responses.length).toBeGreaterThanOrEqual(3);
    expect(doc.structured_output).toEqual({ integer_range: [0, 100], number_range: [0, 100] });
  });

  it('code replies put the generated code in the reply', () => {
    const code = doc.patterns.find((p) => p.name === 'code')!;
    expect(code.responses.every((r) => r.includes('{{code}}'))).toBe(true);
  });

  it.each([
    ['Write a Python function that reverses a string', 'code'],
    ['write a function to parse dates', 'code'],
    ['How do I read a file in Rust?', 'code'],
    ['Can you summarize this article for me?', 'summarization'],
    ['tl;dr of the meeting notes please', 'summarization'],
    ['Write a poem about the sea', 'poem'],
    ['tell me a short story about a dragon', 'story'],
    ['Write a haiku about autumn', 'haiku'],
    ['What is the capital of France?', 'question'],
    ['Explain how transformers work', 'explanation'],
    ["What's the difference between TCP and UDP?", 'comparison'],
    ['Hello!', 'greeting'],
    ['hi, how are you', 'how-are-you'],
    ['thanks a lot!', 'thanks'],
    ['What is 12 * 7?', 'arithmetic'],
    ['solve 3x + 7 = 22', 'equation'],
    ['Translate "good morning" into French', 'translation'],
    ['Give me 3 tips for better sleep', 'list'],
    ['My python script throws an exception, can you debug it?', 'debugging'],
    ['The quick brown fox', 'fallback'],
  ])('%j -> %s', (prompt, expected) => {
    expect(match(prompt)).toBe(expected);
  });
});
