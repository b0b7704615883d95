import { PatternMatcher } from './pattern-matcher';
import { PatternDefinition, PatternsDocument } from './responses.types';
import { compileKeyword, compileSafeRegex } from './safe-regex';

const p = (name: string, match: PatternDefinition['match'], priority?: number): PatternDefinition => ({
  name,
  ...(priority === undefined ? {} : { priority }),
  match,
  responses: [name],
});
const doc = (...patterns: PatternDefinition[]): PatternsDocument => ({ patterns, fallback: { responses: ['fallback'] } });
const completion = (prompt: string) => ({ kind: 'completion' as const, prompt });

describe('keywords', () => {
  it.each([
    ['code', 'Show me some CODE please', true],
    ['code', 'code', true],
    ['code', 'how do I decode this', false],
    ['code', 'codes', false],
    ['code', '(code)', true],
    ['c++', 'a C++ template', true],
    ['c++', 'abc++', false],
    ['how are you', 'hi, how   are\nyou?', true],
    ['héllo', 'HÉLLO world', true],
    ['über', 'hallo über alles', true],
    ['über', 'Kübersetzung', false],
  ])('%j in %j -> %s', (keyword, text, expected) => {
    expect(compileKeyword(keyword).test(text)).toBe(expected);
  });

  it('escapes regex syntax in keywords', () => {
    expect(compileKeyword('a.b').test('axb')).toBe(false);
    expect(compileKeyword('(x)?').test('(x)?')).toBe(true);
  });
});

describe('safe regex', () => {
  it('is case-insensitive and searches anywhere', () => {
    expect(compileSafeRegex('\\bwrite\\b.*\\bfunction\\b').test('Please WRITE me a Python function')).toBe(true);
  });

  it('matches a catastrophic-backtracking regex in linear time', () => {
    const regex = compileSafeRegex('(a+)+$');
    const input = 'a'.repeat(100_000) + '!';
    const started = Date.now();
    expect(regex.test(input)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a pattern with a nasty regex does not hang matching', () => {
    const matcher = new PatternMatcher(doc(p('evil', { regex: ['^(a|aa)+$', '(x+x+)+y'] })));
    const started = Date.now();
    expect(matcher.match(completion('a'.repeat(50_000) + '!'))).toBeNull();
    expect(matcher.match(completion('x'.repeat(50_000)))).toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('PatternMatcher', () => {
  it('tries higher priority first, ties in file order', () => {
    const matcher = new PatternMatcher(
      doc(p('low', { keywords: ['python'] }, -1), p('a', { keywords: ['python'] }), p('b', { keywords: ['python'] }), p('high', { keywords: ['python'] }, 5)),
    );
    expect(matcher.order).toEqual(['high', 'a', 'b', 'low']);
    expect(matcher.match(completion('python'))?.name).toBe('high');
  });

  it('any keyword or any regex matches', () => {
    const matcher = new PatternMatcher(doc(p('x', { keywords: ['alpha'], regex: ['be+ta'] })));
    expect(matcher.match(completion('ALPHA'))?.name).toBe('x');
    expect(matcher.match(completion('beeeta'))?.name).toBe('x');
    expect(matcher.match(completion('gamma'))).toBeNull();
  });

  it('chat matches on the prompt (last user message) only by default', () => {
    const matcher = new PatternMatcher(doc(p('x', { keywords: ['poem'] })));
    const messages = [
      { role: 'user', content: 'write a poem' },
      { role: 'assistant', content: 'roses...' },
      { role: 'user', content: 'thanks' },
    ];
    expect(matcher.match({ kind: 'chat', prompt: 'thanks', messages })).toBeNull();
  });

  it('roles make a rule look at those messages of the conversation', () => {
    const matcher = new PatternMatcher(doc(p('pirate', { keywords: ['pirate'], roles: ['system'] }), p('any', { keywords: ['hello'] })));
    const messages = [
      { role: 'system', content: 'You are a Pirate.' },
      { role: 'user', content: 'hello' },
    ];
    expect(matcher.match({ kind: 'chat', prompt: 'hello', messages })?.name).toBe('pirate');
    expect(matcher.match({ kind: 'chat', prompt: 'pirate', messages: [{ role: 'user', content: 'pirate' }] })?.name).toBeUndefined();
    // a completions prompt counts as a user message
    const users = new PatternMatcher(doc(p('u', { keywords: ['hey'], roles: ['user'] })));
    expect(users.match(completion('hey there'))?.name).toBe('u');
  });
});
