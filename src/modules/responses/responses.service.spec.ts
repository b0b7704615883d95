import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeConfig } from '../../config/runtime-config';
import { Settings } from '../../config/settings';
import { stringifyPatternsDocument } from './pattern-schema';
import { PatternStore } from './pattern-store';
import { ResponsesService } from './responses.service';
import { PatternsDocument, ReplyRequest } from './responses.types';
import { WordTokenizer } from './testing/word-tokenizer';

const DOC: PatternsDocument = {
  patterns: [
    { name: 'code', priority: 10, match: { keywords: ['python', 'function'] }, responses: ['code one', 'code two', 'code three', 'code four'] },
    { name: 'greeting', match: { keywords: ['hello', 'hi'] }, responses: ['Hello there!', 'Hi! How can I help?'] },
  ],
  fallback: { responses: ['fallback one', 'fallback two', 'fallback three'] },
};

const dir = mkdtempSync(join(tmpdir(), 'responses-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store loaded from a temporary file holding `doc` (not watched). */
function storeWith(doc: PatternsDocument): PatternStore {
  const path = join(dir, `responses-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, stringifyPatternsDocument(doc));
  const store = new PatternStore({ path, logger: { log() {}, warn() {}, error() {} } });
  store.loadInitial();
  return store;
}

function request(over: Partial<ReplyRequest> = {}): ReplyRequest {
  return { kind: 'chat', prompt: 'write a python function', choiceIndex: 0, maxTokens: 100, minTokens: 0, ignoreEos: false, stop: [], ...over };
}

function service(settings: Partial<Settings> = {}, doc = DOC, runtime?: RuntimeConfig) {
  const s = Object.assign(new Settings(), settings);
  return new ResponsesService(new WordTokenizer(), s, storeWith(doc), runtime);
}

describe('ResponsesService', () => {
  it('answers with the matching pattern', () => {
    const plan = service().plan(request({ seed: 1 }));
    expect(plan.pattern).toBe('code');
    expect(DOC.patterns[0].responses).toContain(plan.text);
  });

  it('falls back when nothing matches', () => {
    const plan = service().plan(request({ prompt: 'tell me about the weather', seed: 1 }));
    expect(plan.pattern).toBeNull();
    expect(DOC.fallback.responses).toContain(plan.text);
  });

  it('the same prompt, seed and choice index give the same reply', () => {
    const a = service();
    const b = service();
    for (let seed = 0; seed < 20; seed++) {
      for (const choiceIndex of [0, 1, 2]) {
        expect(a.plan(request({ seed, choiceIndex })).text).toBe(b.plan(request({ seed, choiceIndex })).text);
      }
    }
  });

  it('different seeds spread over the replies', () => {
    const svc = service();
    const texts = new Set(Array.from({ length: 40 }, (_, seed) => svc.plan(request({ seed })).text));
    expect(texts.size).toBe(4);
  });

  it('choices of one request get different replies while there are enough', () => {
    const svc = service();
    for (let seed = 0; seed < 10; seed++) {
      const texts = [0, 1, 2, 3].map((choiceIndex) => svc.plan(request({ seed, choiceIndex })).text);
      expect(new Set(texts).size).toBe(4);
    }
  });

  it('uses the server SEED when the request has none', () => {
    const a = service({ seed: 7 });
    const texts = new Set(Array.from({ length: 10 }, () => a.plan(request()).text));
    expect(texts.size).toBe(1);
    expect(a.plan(request()).text).toBe(service().plan(request({ seed: 7 })).text);
  });

  it('without any seed the choice is random', () => {
    const svc = service();
    const texts = new Set(Array.from({ length: 60 }, () => svc.plan(request()).text));
    expect(texts.size).toBeGreaterThan(1);
  });

  it('ignore_eos continues with the other replies of the pattern', () => {
    const plan = service().plan(request({ seed: 3, maxTokens: 9, ignoreEos: true }));
    expect(plan.tokenIds).toHaveLength(9);
    expect(plan.text.split('\n\n').length).toBeGreaterThan(2);
    for (const part of plan.text.split('\n\n').slice(0, -1)) expect(DOC.patterns[0].responses).toContain(part);
  });

  describe('modes', () => {
    it('echo repeats the prompt', () => {
      const svc = service({ response_mode: 'echo' });
      expect(svc.plan(request({ prompt: 'say this back' }))).toMatchObject({ text: 'say this back', pattern: null, finishReason: 'stop' });
      const long = svc.plan(request({ prompt: 'again', maxTokens: 3, ignoreEos: true }));
      expect(long.text).toBe('again\n\nagain\n\nagain');
      const empty = svc.plan(request({ prompt: '', maxTokens: 4, ignoreEos: true }));
      expect(empty.tokenIds).toHaveLength(4);
    });

    it('random gives text of seeded, varied lengths that sometimes reach max_tokens', () => {
      const svc = service({ response_mode: 'random' });
      const plans = Array.from({ length: 200 }, (_, seed) => svc.plan(request({ seed, maxTokens: 200 })));
      const lengths = plans.map((p) => p.tokenIds.length);
      expect(svc.plan(request({ seed: 5, maxTokens: 200 })).text).toBe(plans[5].text);
      expect(Math.min(...lengths)).toBeLessThan(60);
      expect(plans.filter((p) => p.finishReason === 'length').length).toBeGreaterThan(0);
      expect(plans.filter((p) => p.finishReason === 'stop').length).toBeGreaterThan(100);
      const median = [...lengths].sort((a, b) => a - b)[100];
      expect(median).toBeGreaterThan(70);
      expect(median).toBeLessThan(150);
      expect(plans[0].text).toMatch(/^[A-Z][a-z, ]+[.?]/);
    });

    it('setMode changes the mode at run time and mirrors it in RuntimeConfig', () => {
      const runtime = new RuntimeConfig(new Settings());
      const svc = service({}, DOC, runtime);
      expect(svc.mode).toBe('patterns');
      svc.setMode('echo');
      expect(runtime.values.response_mode).toBe('echo');
      expect(svc.plan(request({ prompt: 'ping' })).text).toBe('ping');
      runtime.update({ response_mode: 'patterns' }); // PATCH /admin/config
      expect(svc.mode).toBe('patterns');
      expect(() => svc.setMode('loud' as never)).toThrow('mode: must be one of patterns, echo, random');
    });

    it("the file's mode applies unless --response-mode chose another", () => {
      expect(service({}, { ...DOC, mode: 'echo' }).mode).toBe('echo');
      expect(service({ response_mode: 'random' }, { ...DOC, mode: 'echo' }).mode).toBe('random');
    });
  });

  describe('tools and response_format', () => {
    const weather = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
    const toolDoc: PatternsDocument = {
      ...DOC,
      patterns: [...DOC.patterns, { name: 'weather', match: { keywords: ['weather'] }, responses: ['Sunny.'], tool_call: true }],
    };

    it('plans a tool call as its JSON arguments, marked with the function name', () => {
      const plan = service({ seed: 1 }, toolDoc).plan(request({ prompt: 'weather in Oslo?', tools: { tools: [weather], choice: 'auto' } }));
      expect(plan.toolCalls).toEqual([{ name: 'get_weather', start: 0 }]);
      expect(plan.pattern).toBe('weather');
      expect(plan.finishReason).toBe('stop');
      expect(JSON.parse(plan.text).city).toBe('Oslo');
    });

    it('answers with text when auto has no reason to call, or without an offer', () => {
      const svc = service({ seed: 1 }, toolDoc);
      expect(svc.plan(request({ prompt: 'hello', tools: { tools: [weather], choice: 'auto' } })).toolCalls).toBeUndefined();
      expect(svc.plan(request({ prompt: 'weather in Oslo?' })).text).toBe('Sunny.');
    });

    it('a pattern can script exact calls, their string arguments filled as templates', () => {
      const doc: PatternsDocument = {
        ...DOC,
        patterns: [
          {
            name: 'scripted',
            match: { regex: ['forecast for (?P<city>\\w+)'] },
            responses: ['Sunny.'],
            tool_call: [
              { name: 'get_weather', arguments: { city: '{{city}}', days: 3 } },
              { name: 'get_weather', arguments: { city: 'Oslo', note: '{{missing_name}}' } },
            ],
          },
        ],
      };
      const plan = service({ seed: 1 }, doc).plan(request({ prompt: 'forecast for Lima', tools: { tools: [weather], choice: 'auto' } }));
      expect(plan.toolCalls!.map((c) => c.name)).toEqual(['get_weather', 'get_weather']);
      expect(plan.text).toBe('{"city": "Lima", "days": 3}{"city": "Oslo", "note": "{{missing_name}}"}');
    });

    it('a reply whose template needs a value the prompt lacks gives way to the next matching pattern', () => {
      const doc: PatternsDocument = {
        ...DOC,
        patterns: [
          { name: 'sum', priority: 5, match: { keywords: ['sum'] }, responses: ['It is {{answer}}.'] },
          { name: 'generic', match: { keywords: ['sum'] }, responses: ['Tell me the numbers.'] },
        ],
      };
      const svc = service({ seed: 1 }, doc);
      expect(svc.plan(request({ prompt: 'the sum of 2 + 3' }))).toMatchObject({ text: 'It is 5.', pattern: 'sum' });
      expect(svc.plan(request({ prompt: 'what is the sum?' }))).toMatchObject({ text: 'Tell me the numbers.', pattern: 'generic' });
    });

    it('is seeded: the same request gets the same arguments', () => {
      const req = request({ prompt: 'hi', tools: { tools: [weather], choice: 'required' } });
      expect(service({ seed: 5 }).plan(req).text).toBe(service({ seed: 5 }).plan(req).text);
    });

    it('json_object wraps the reply; json_schema samples the schema; echo and random modes too', () => {
      expect(JSON.parse(service({ seed: 1 }).plan(request({ prompt: 'hello', format: { type: 'json_object' } })).text)).toEqual({ response: expect.any(String) });
      for (const mode of ['patterns', 'echo', 'random'] as const) {
        const plan = service({ seed: 1, response_mode: mode }).plan(request({ format: { type: 'json_schema', schema: { type: 'array', items: { type: 'integer' }, minItems: 2 } } }));
        expect(JSON.parse(plan.text)).toEqual(expect.arrayContaining([expect.any(Number), expect.any(Number)]));
      }
    });

    it('json_object follows a schema shown in the conversation, and ignores one that cannot fit', () => {
      const shown = (schema: object) =>
        JSON.parse(
          service({ seed: 1 }).plan(request({ prompt: 'go', messages: [{ role: 'system', content: `JSON schema: ${JSON.stringify(schema)}` }, { role: 'user', content: 'go' }], format: { type: 'json_object' } })).text,
        );
      expect(shown({ type: 'object', properties: { n: { type: 'integer', minimum: 5, maximum: 6 } }, required: ['n'] })).toEqual({ n: expect.any(Number) });
      expect(shown({ type: 'object', properties: { x: { type: 'string', minLength: 1e9 } }, required: ['x'] })).toEqual({ response: expect.any(String) });
    });

    it('extends JSON with whitespace only (ignore_eos), so it still parses', () => {
      const plan = service({ seed: 1 }).plan(request({ format: { type: 'json_object' }, ignoreEos: true, maxTokens: 40 }));
      expect(plan.tokenIds).toHaveLength(40);
      expect(JSON.parse(plan.text)).toEqual({ response: expect.any(String) });
    });
  });
});
