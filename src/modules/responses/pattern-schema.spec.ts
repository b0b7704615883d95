import { PatternValidationError } from './pattern-errors';
import { parsePatternsYaml, stringifyPatternsDocument, validatePattern, validatePatternsDocument } from './pattern-schema';

const good = () => ({
  patterns: [
    { name: 'code', priority: 10, match: { keywords: ['code'], regex: ['\\bwrite\\b.*\\bfunction\\b'] }, responses: ['Here is code.'] },
    { name: 'greeting', match: { keywords: ['hello'] }, responses: ['Hi!', 'Hello!'] },
  ],
  fallback: { responses: ['I am a simulator.'] },
});

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PatternValidationError);
    return [...(err as PatternValidationError).issues];
  }
  throw new Error('expected a PatternValidationError');
}

describe('validatePatternsDocument', () => {
  it('accepts a good document and returns plain, normalised data', () => {
    const doc = validatePatternsDocument({ mode: 'echo', ...good() });
    expect(doc).toEqual({ mode: 'echo', ...good() });
    expect(Object.getPrototypeOf(doc.patterns[0])).toBe(Object.prototype);
    expect('priority' in doc.patterns[1]).toBe(false);
  });

  it('names the field path of missing replies', () => {
    const doc = good();
    doc.patterns[1].responses = [];
    expect(issuesOf(() => validatePatternsDocument(doc))).toEqual(['patterns[1].responses: must contain at least 1 element']);
  });

  it('rejects a missing responses list, empty names, empty replies and non-string replies', () => {
    const doc: Record<string, any> = good(); // eslint-disable-line @typescript-eslint/no-explicit-any
    delete doc.patterns[0].responses;
    doc.patterns[1].name = '';
    doc.patterns.push({ name: 'x', match: { keywords: ['x'] }, responses: ['', 3] });
    const issues = issuesOf(() => validatePatternsDocument(doc));
    expect(issues).toEqual(
      expect.arrayContaining([
        'patterns[0].responses: must be a list of strings',
        'patterns[1].name: must not be empty',
        'patterns[2].responses: each reply must be a string',
        'patterns[2].responses: replies must not be empty strings',
      ]),
    );
  });

  it('accepts tool_call as true, false, a name or scripted calls, and keeps it', () => {
    const scripted = { name: 'get_weather', arguments: { city: '{{place}}' } };
    for (const tool_call of [true, false, 'get_weather', scripted, [scripted, { name: 'get_time' }]]) {
      const doc = validatePatternsDocument({ patterns: [{ name: 'w', match: { keywords: ['weather'] }, responses: ['x'], tool_call }], fallback: { responses: ['f'] } });
      expect(doc.patterns[0].tool_call).toEqual(tool_call);
    }
    for (const tool_call of [3, { arguments: {} }, { name: 'x', args: {} }, { name: 'x', arguments: [] }, []]) {
      expect(() => validatePattern({ name: 'w', match: { keywords: ['a'] }, responses: ['x'], tool_call })).toThrow('tool_call: must be true, false, a tool name, {name, arguments}');
    }
    expect(validatePattern({ name: 'w', match: { keywords: ['a'] }, responses: ['x'] })).not.toHaveProperty('tool_call');
  });

  it('rejects duplicate names', () => {
    const doc = good();
    doc.patterns[1].name = 'code';
    expect(issuesOf(() => validatePatternsDocument(doc))).toEqual([
      "patterns[1].name: duplicate name 'code' (already used by patterns[0])",
    ]);
  });

  it('requires at least one keyword or regex', () => {
    const doc = good();
    doc.patterns[1].match = { keywords: [] };
    expect(issuesOf(() => validatePatternsDocument(doc))).toEqual([
      "patterns[1].match: pattern 'greeting' needs at least one keyword or regex",
    ]);
  });

  it('rejects a regex RE2 cannot compile, naming the pattern', () => {
    const doc = good();
    doc.patterns[0].match.regex = ['ok', '(?<=x)y', '(unclosed'];
    const issues = issuesOf(() => validatePatternsDocument(doc));
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^patterns\[0\]\.match\.regex\[1\]: pattern 'code': invalid regex "\(\?<=x\)y"/);
    expect(issues[1]).toMatch(/^patterns\[0\]\.match\.regex\[2\]: pattern 'code': invalid regex/);
  });

  it('accepts a catastrophic-backtracking regex: RE2 matches it in linear time', () => {
    const doc = good();
    doc.patterns[0].match.regex = ['(a+)+$'];
    expect(() => validatePatternsDocument(doc)).not.toThrow();
  });

  it('rejects unknown fields, a bad mode, a bad priority and a missing fallback', () => {
    const doc: Record<string, any> = { ...good(), mode: 'loud', extra: true }; // eslint-disable-line @typescript-eslint/no-explicit-any
    doc.patterns[0].priority = 'high';
    doc.patterns[0].match.keyword = ['typo'];
    delete doc.fallback;
    expect(issuesOf(() => validatePatternsDocument(doc))).toEqual(
      expect.arrayContaining([
        'extra: is not a known field',
        'mode: must be one of patterns, echo, random',
        'patterns[0].priority: must be an integer',
        'patterns[0].match.keyword: is not a known field',
        'fallback: must be a mapping with responses',
      ]),
    );
  });

  it('rejects non-mapping documents and patterns', () => {
    expect(issuesOf(() => validatePatternsDocument(null))).toEqual(['the document must be a mapping with `patterns` and `fallback`']);
    expect(issuesOf(() => validatePatternsDocument({ patterns: 'x', fallback: { responses: ['f'] } }))).toEqual([
      'patterns: must be a list of patterns',
    ]);
    expect(issuesOf(() => validatePatternsDocument({ patterns: [42], fallback: { responses: ['f'] } }))).toEqual([
      'patterns[0]: each pattern must be a mapping',
    ]);
  });

  it('the error message lists every issue', () => {
    const doc = good();
    doc.patterns[1].responses = [];
    expect(() => validatePatternsDocument(doc)).toThrow('invalid patterns: patterns[1].responses: must contain at least 1 element');
  });
});

describe('validatePattern', () => {
  it('validates one pattern with paths relative to it', () => {
    expect(validatePattern({ name: 'a', match: { regex: ['x+'] }, responses: ['r'] })).toEqual({
      name: 'a',
      match: { regex: ['x+'] },
      responses: ['r'],
    });
    expect(issuesOf(() => validatePattern({ name: 'a', match: { regex: ['('] }, responses: [] }))).toEqual([
      'responses: must contain at least 1 element',
    ]);
    expect(issuesOf(() => validatePattern({ name: 'a', match: { regex: ['('] }, responses: ['r'] }))[0]).toMatch(
      /^match\.regex\[0\]: pattern 'a': invalid regex/,
    );
  });
});

describe('parsePatternsYaml / stringifyPatternsDocument', () => {
  it('reports YAML syntax errors with their position', () => {
    const issues = issuesOf(() => parsePatternsYaml('patterns:\n  - name: [unclosed\n'));
    expect(issues[0]).toMatch(/^YAML syntax error: .*line/);
  });

  it('rejects an empty file and duplicate keys', () => {
    expect(issuesOf(() => parsePatternsYaml('  \n'))).toEqual(['the file is empty']);
    expect(issuesOf(() => parsePatternsYaml('a: 1\na: 2\n'))[0]).toMatch(/YAML syntax error/);
  });

  it('round-trips a document', () => {
    const doc = validatePatternsDocument({
      ...good(),
      patterns: [{ name: 'md', match: { keywords: ['x'] }, responses: ['# Title\n\n```python\nprint("hi")\n```\n- a: b'] }],
    });
    expect(validatePatternsDocument(parsePatternsYaml(stringifyPatternsDocument(doc)))).toEqual(doc);
  });
});
