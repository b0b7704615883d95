import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { bootApp, post, TestApp } from './support/app';

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

const WEATHER_SCHEMA = {
  type: 'object',
  properties: {
    location: { type: 'string', description: 'City, e.g. Paris' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
  },
  required: ['location', 'unit'],
  additionalProperties: false,
};
const SEARCH_SCHEMA = {
  type: 'object',
  properties: { query: { type: 'string', minLength: 3 }, max_results: { type: 'integer', minimum: 1, maximum: 10 }, since: { type: 'string', format: 'date' } },
  required: ['query'],
};
const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_SCHEMA } },
  { type: 'function', function: { name: 'search_docs', description: 'Search the documentation', parameters: SEARCH_SCHEMA } },
];
const SCHEMA_OF: Record<string, object> = { get_weather: WEATHER_SCHEMA, search_docs: SEARCH_SCHEMA };

const RESPONSES = `
patterns:
  - name: weather
    match:
      keywords: [weather, forecast]
    tool_call: get_weather
    responses:
      - "It is sunny and 22 degrees."
  - name: greeting
    match:
      keywords: [hello]
    responses:
      - "Hello! How can I help you today?"
fallback:
  responses:
    - "I'm a simulated model; no pattern matched your prompt."
`;

const expectValid = (schema: object, value: unknown): void => {
  const validate = ajv.compile(schema);
  if (!validate(value)) throw new Error(`${JSON.stringify(value)}: ${ajv.errorsText(validate.errors)}`);
};

describe('Tool calls and response_format (openai SDK v6 against the real app)', () => {
  let app: TestApp;
  let dir: string;
  const chat = (body: Record<string, unknown>) => post(`${app.url}/v1/chat/completions`, { model: MODEL, ...body });
  const tokensOf = async (text: string) => (await post(`${app.url}/tokenize`, { prompt: text, add_special_tokens: false })).json.count as number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tools-e2e-'));
    const file = join(dir, 'responses.yaml');
    writeFileSync(file, RESPONSES);
    app = await bootApp({ responses_file: file });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('non-streaming', () => {
    it('answers a matching pattern with a tool call whose arguments satisfy the schema', async () => {
      const res = await app.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: "What's the weather in Paris?" }],
        tools: TOOLS,
      });
      const choice = res.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBeNull();
      expect(choice.message.tool_calls).toHaveLength(1);
      const call = choice.message.tool_calls![0];
      expect(call.id).toMatch(/^chatcmpl-tool-[0-9a-f]{32}$/);
      expect(call.type).toBe('function');
      if (call.type !== 'function') throw new Error('not a function call');
      expect(call.function.name).toBe('get_weather');
      expectValid(WEATHER_SCHEMA, JSON.parse(call.function.arguments));
      expect(res.usage!.completion_tokens).toBe(await tokensOf(call.function.arguments));
    });

    it('auto: a prompt that names a tool calls it; other prompts get text', async () => {
      const named = await app.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'Use search_docs to find the install guide' }],
        tools: TOOLS,
        tool_choice: 'auto',
      });
      const call = named.choices[0].message.tool_calls![0];
      if (call.type !== 'function') throw new Error('not a function call');
      expect(call.function.name).toBe('search_docs');
      expectValid(SEARCH_SCHEMA, JSON.parse(call.function.arguments));

      const plain = await app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello there' }], tools: TOOLS });
      expect(plain.choices[0].finish_reason).toBe('stop');
      expect(plain.choices[0].message.content).toBe('Hello! How can I help you today?');
      expect(plain.choices[0].message.tool_calls ?? []).toEqual([]);
    });

    it('tool_choice none answers with content even when a pattern would call', async () => {
      const res = await app.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'weather in Rome?' }],
        tools: TOOLS,
        tool_choice: 'none',
      });
      expect(res.choices[0].finish_reason).toBe('stop');
      expect(res.choices[0].message.content).toBe('It is sunny and 22 degrees.');
      expect(res.choices[0].message.tool_calls ?? []).toEqual([]);
    });

    it('a named function is the one called, whatever the prompt', async () => {
      const res = await app.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'weather in Rome?' }],
        tools: TOOLS,
        tool_choice: { type: 'function', function: { name: 'search_docs' } },
      });
      const call = res.choices[0].message.tool_calls![0];
      if (call.type !== 'function') throw new Error('not a function call');
      expect(call.function.name).toBe('search_docs');
      expectValid(SEARCH_SCHEMA, JSON.parse(call.function.arguments));
      // vLLM (as OpenAI): `tool_calls` for auto and required, `stop` for a named function; content "".
      expect(res.choices[0].finish_reason).toBe('stop');
      expect(res.choices[0].message.content).toBe('');
    });

    it('required always calls one of the tools, for every choice', async () => {
      const res = await app.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hello there' }],
        tools: TOOLS,
        tool_choice: 'required',
        n: 4,
      });
      expect(res.choices).toHaveLength(4);
      const ids = new Set<string>();
      for (const choice of res.choices) {
        expect(choice.finish_reason).toBe('tool_calls');
        const call = choice.message.tool_calls![0];
        if (call.type !== 'function') throw new Error('not a function call');
        expectValid(SCHEMA_OF[call.function.name], JSON.parse(call.function.arguments));
        ids.add(call.id);
      }
      expect(ids.size).toBe(4);
    });

    it('a tool call cut by max_tokens ends with length', async () => {
      const res = await chat({ messages: [{ role: 'user', content: 'weather?' }], tools: TOOLS, tool_choice: 'required', max_tokens: 3 });
      expect(res.status).toBe(200);
      expect(res.json.choices[0].finish_reason).toBe('length');
      expect(res.json.choices[0].message.tool_calls[0].function.name).toBe('get_weather');
      expect(res.json.usage.completion_tokens).toBe(3);
    });

    it('counts the offered tools in prompt_tokens, as a chat template does', async () => {
      const messages = [{ role: 'user', content: 'hello there' }];
      const without = await chat({ messages });
      const withTools = await chat({ messages, tools: TOOLS, tool_choice: 'none' });
      const offered = await chat({ messages, tools: TOOLS });
      expect(withTools.json.usage.prompt_tokens).toBe(without.json.usage.prompt_tokens);
      expect(offered.json.usage.prompt_tokens).toBeGreaterThan(without.json.usage.prompt_tokens + 50);
    });
  });

  describe('streaming', () => {
    it('streams the call as OpenAI clients accumulate it', async () => {
      const stream = await app.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'forecast for Tokyo this week' }],
        tools: TOOLS,
        stream: true,
        stream_options: { include_usage: true },
      });
      const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
      let finish: string | null = null;
      let content = '';
      let usage: OpenAI.CompletionUsage | undefined;
      let headers = 0;
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        for (const choice of chunk.choices) {
          content += choice.delta.content ?? '';
          for (const delta of choice.delta.tool_calls ?? []) {
            const call = (calls[delta.index] ??= { arguments: '' });
            if (delta.id) {
              headers++;
              call.id = delta.id;
              expect(delta.type).toBe('function');
            }
            if (delta.function?.name) call.name = delta.function.name;
            call.arguments += delta.function?.arguments ?? '';
          }
          if (choice.finish_reason) finish = choice.finish_reason;
        }
      }
      expect(content).toBe('');
      expect(headers).toBe(1);
      expect(calls).toHaveLength(1);
      expect(calls[0].id).toMatch(/^chatcmpl-tool-[0-9a-f]{32}$/);
      expect(calls[0].name).toBe('get_weather');
      expectValid(WEATHER_SCHEMA, JSON.parse(calls[0].arguments));
      expect(finish).toBe('tool_calls');
      expect(usage!.completion_tokens).toBe(await tokensOf(calls[0].arguments));
    });

    it("the SDK's stream helper assembles the same call", async () => {
      const runner = app.openai.chat.completions.stream({
        model: MODEL,
        messages: [{ role: 'user', content: 'anything' }],
        tools: TOOLS,
        tool_choice: { type: 'function', function: { name: 'search_docs' } },
      });
      const final = await runner.finalChatCompletion();
      const call = final.choices[0].message.tool_calls![0];
      if (call.type !== 'function') throw new Error('not a function call');
      expect(call.function.name).toBe('search_docs');
      expectValid(SEARCH_SCHEMA, JSON.parse(call.function.arguments));
      expect(final.choices[0].finish_reason).toBe('stop');
    });
  });

  describe('calls that follow the conversation', () => {
    it('auto: arguments come from the message (place, enum value, number), valid against the schema', async () => {
      const res = await chat({ messages: [{ role: 'user', content: 'What will the weather be like in Lisbon for the next 3 days, in fahrenheit?' }], tools: TOOLS });
      const call = res.json.choices[0].message.tool_calls[0];
      expect(call.function.name).toBe('get_weather');
      const args = JSON.parse(call.function.arguments);
      expectValid(WEATHER_SCHEMA, args);
      expect(args).toMatchObject({ location: 'Lisbon', unit: 'fahrenheit' });
      if ('days' in args) expect(args.days).toBe(3);
      expect(res.json.choices[0].message.content).toBeNull();
      expect(res.json.choices[0].finish_reason).toBe('tool_calls');
    });

    it('parallel calls: one per city, each with its own index in the stream, as vLLM streams them', async () => {
      const body = { model: MODEL, messages: [{ role: 'user', content: 'Compare the weather in Paris and Tokyo' }], tools: TOOLS, stream: true };
      const res = await fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const events = (await res.text()).split('\n\n').filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]').map((e) => JSON.parse(e.slice(6)));
      const deltas = events.flatMap((e) => e.choices.flatMap((c: any) => c.delta.tool_calls ?? []));
      const heads = deltas.filter((d: any) => d.id);
      expect(heads.map((d: any) => d.index)).toEqual([0, 1]);
      for (const head of heads) {
        expect(Object.keys(head)).toEqual(['id', 'type', 'index', 'function']);
        expect(head).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
      }
      for (const d of deltas.filter((x: any) => !x.id)) expect(Object.keys(d)).toEqual(['index', 'function']);
      const args = [0, 1].map((i) => JSON.parse(deltas.filter((d: any) => d.index === i).map((d: any) => d.function.arguments).join('')));
      expect(args.map((a) => a.location)).toEqual(['Paris', 'Tokyo']);
      expect(events.flatMap((e) => e.choices.map((c: any) => c.finish_reason)).filter(Boolean)).toEqual(['tool_calls']);

      const full = await chat({ messages: body.messages, tools: TOOLS });
      expect(full.json.choices[0].message.tool_calls.map((c: any) => JSON.parse(c.function.arguments).location)).toEqual(['Paris', 'Tokyo']);
      const single = await chat({ messages: body.messages, tools: TOOLS, parallel_tool_calls: false });
      expect(single.json.choices[0].message.tool_calls).toHaveLength(1);
    });

    it('after the tool result the assistant answers in text with its values; the next city comes first when calls go one at a time', async () => {
      const user = { role: 'user', content: 'What is the weather in Paris and Tokyo?' };
      const first = await chat({ messages: [user], tools: TOOLS, parallel_tool_calls: false });
      const call = first.json.choices[0].message.tool_calls[0];
      expect(JSON.parse(call.function.arguments).location).toBe('Paris');
      const afterParis = [user, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: '{"temperature": 18, "condition": "cloudy"}' }];
      const second = await chat({ messages: afterParis, tools: TOOLS, parallel_tool_calls: false });
      const next = second.json.choices[0].message.tool_calls[0];
      expect(JSON.parse(next.function.arguments).location).toBe('Tokyo');
      const afterTokyo = [...afterParis, { role: 'assistant', content: null, tool_calls: [next] }, { role: 'tool', tool_call_id: next.id, content: '{"temperature": 26, "condition": "sunny"}' }];
      const answer = await chat({ messages: afterTokyo, tools: TOOLS, parallel_tool_calls: false });
      const message = answer.json.choices[0].message;
      expect(message.tool_calls).toEqual([]);
      expect(answer.json.choices[0].finish_reason).toBe('stop');
      for (const fact of ['18', 'cloudy', '26', 'sunny', 'Paris', 'Tokyo']) expect(message.content).toContain(fact);
    });

    it('required after a result calls again, never with the same arguments twice in a row', async () => {
      const user = { role: 'user', content: 'weather in Oslo' };
      const first = await chat({ messages: [user], tools: [TOOLS[0]], tool_choice: 'required' });
      const call = first.json.choices[0].message.tool_calls[0];
      const again = await chat({
        messages: [user, { role: 'assistant', content: '', tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'rain' }],
        tools: [TOOLS[0]],
        tool_choice: 'required',
      });
      const next = again.json.choices[0].message.tool_calls[0];
      expect(next.function.name).toBe('get_weather');
      expect(JSON.parse(next.function.arguments)).not.toEqual(JSON.parse(call.function.arguments));
      expectValid(WEATHER_SCHEMA, JSON.parse(next.function.arguments));
    });
  });

  describe('response_format', () => {
    it('json_object: the content is a JSON object', async () => {
      const res = await app.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hello, answer in JSON' }],
        response_format: { type: 'json_object' },
      });
      const value = JSON.parse(res.choices[0].message.content!);
      expect(value).toEqual({ response: 'Hello! How can I help you today?' });
      expect(res.choices[0].finish_reason).toBe('stop');
      expect(res.usage!.completion_tokens).toBe(await tokensOf(res.choices[0].message.content!));
    });

    it('json_schema: the content validates against the schema (streamed too)', async () => {
      const schema = {
        type: 'object',
        properties: {
          title: { type: 'string' },
          rating: { type: 'number', minimum: 0, maximum: 5 },
          tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
          author: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } }, required: ['name', 'email'] },
        },
        required: ['title', 'rating', 'tags', 'author'],
        additionalProperties: false,
      };
      const response_format = { type: 'json_schema' as const, json_schema: { name: 'review', schema, strict: true } };
      const res = await app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'review a book' }], response_format });
      expectValid(schema, JSON.parse(res.choices[0].message.content!));
      expect(res.usage!.completion_tokens).toBe(await tokensOf(res.choices[0].message.content!));

      const stream = await app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'review a film' }], response_format, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expectValid(schema, JSON.parse(text));
    });

    it('/v1/completions takes response_format too (as vLLM): JSON text, streamed or not; a bad one is a 400', async () => {
      const schema = { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } }, required: ['city', 'days'] };
      const response_format = { type: 'json_schema', json_schema: { name: 'forecast', schema } };
      const res = await app.openai.completions.create({ model: MODEL, prompt: 'forecast please', max_tokens: 200, response_format } as never);
      expectValid(schema, JSON.parse(res.choices[0].text));
      expect(res.usage!.completion_tokens).toBe(await tokensOf(res.choices[0].text));

      const object = await post(`${app.url}/v1/completions`, { model: MODEL, prompt: 'hello', max_tokens: 200, response_format: { type: 'json_object' } });
      expect(JSON.parse(object.json.choices[0].text)).toEqual({ response: expect.any(String) });

      const stream = await app.openai.completions.create({ model: MODEL, prompt: 'forecast again', max_tokens: 200, response_format, stream: true } as never);
      let text = '';
      for await (const chunk of stream as unknown as AsyncIterable<{ choices: Array<{ text: string }> }>) text += chunk.choices[0]?.text ?? '';
      expectValid(schema, JSON.parse(text));

      const bad = await post(`${app.url}/v1/completions`, { model: MODEL, prompt: 'hi', response_format: { type: 'yaml' } });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message).toContain('response_format.type');
    });

    it('json_object follows a JSON schema given in the system message (as frameworks send it)', async () => {
      const schema = {
        type: 'object',
        properties: { title: { type: 'string' }, year: { type: 'integer', minimum: 1900, maximum: 2030 }, genres: { type: 'array', items: { type: 'string' }, minItems: 1 } },
        required: ['title', 'year', 'genres'],
        additionalProperties: false,
      };
      const res = await chat({
        messages: [
          { role: 'system', content: `Answer with a JSON object that matches this JSON schema:\n${JSON.stringify(schema)}` },
          { role: 'user', content: 'Recommend a film' },
        ],
        response_format: { type: 'json_object' },
      });
      expectValid(schema, JSON.parse(res.json.choices[0].message.content));
    });

    it('json_object takes the fields a message lists, with values that fit their names', async () => {
      const res = await chat({ messages: [{ role: 'user', content: 'Give me a JSON object with name, age, email and city for a user in Madrid' }], response_format: { type: 'json_object' } });
      const value = JSON.parse(res.json.choices[0].message.content);
      expect(Object.keys(value)).toEqual(['name', 'age', 'email', 'city']);
      expect(value.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
      expect(value.age).toBeGreaterThanOrEqual(18);
      expect(value.age).toBeLessThanOrEqual(80);
      expect(value.email).toMatch(/^[a-z0-9]+@example\.com$/);
      expect(value.city).toBe('Madrid');
    });

    it('json_schema values are sane: unbounded (or zod-wide) integers in 0..100, strings that fit their format and name', async () => {
      const SAFE = Number.MAX_SAFE_INTEGER;
      const schema = {
        type: 'object',
        properties: {
          count: { type: 'integer' },
          score: { type: 'number' },
          wide: { type: 'integer', minimum: -SAFE, maximum: SAFE },
          age: { type: 'integer', minimum: -SAFE, maximum: SAFE },
          positive: { type: 'integer', minimum: 1 },
          email: { type: 'string', format: 'email' },
          born: { type: 'string', format: 'date' },
          homepage: { type: 'string', format: 'uri' },
          name: { type: 'string' },
          city: { type: 'string' },
        },
        required: ['count', 'score', 'wide', 'age', 'positive', 'email', 'born', 'homepage', 'name', 'city'],
      };
      for (const seed of [1, 2, 3, 4, 5]) {
        const res = await chat({ messages: [{ role: 'user', content: 'a profile' }], response_format: { type: 'json_schema', json_schema: { name: 'p', schema } }, seed });
        const v = JSON.parse(res.json.choices[0].message.content);
        expectValid(schema, v);
        for (const key of ['score', 'wide']) {
          expect(v[key]).toBeGreaterThanOrEqual(0);
          expect(v[key]).toBeLessThanOrEqual(100);
        }
        expect(v.count).toBeGreaterThanOrEqual(1);
        expect(v.count).toBeLessThanOrEqual(10);
        expect(v.positive).toBeLessThanOrEqual(100);
        expect(v.age).toBeGreaterThanOrEqual(18);
        expect(v.age).toBeLessThanOrEqual(80);
        expect(v.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
        expect(['Paris', 'Tokyo', 'San Francisco', 'Berlin', 'Toronto', 'Sydney', 'Lisbon', 'Seoul']).toContain(v.city);
      }
    });

    it('text answers as usual', async () => {
      const res = await chat({ messages: [{ role: 'user', content: 'hello' }], response_format: { type: 'text' } });
      expect(res.json.choices[0].message.content).toBe('Hello! How can I help you today?');
    });
  });

  describe('schema sizes are bounded by the token budget, never by the schema (regressions: these froze the server)', () => {
    const HUGE: Array<[string, object, string]> = [
      ['a string of minLength 1e9', { type: 'string', minLength: 1e9 }, 'minLength'],
      ['an array of minItems 1e9', { type: 'array', minItems: 1e9 }, 'minItems'],
      ['an array of minItems 1e6', { type: 'array', items: { type: 'integer' }, minItems: 1e6 }, 'minItems'],
      ['nested arrays', { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000 } } }, 'items.minItems'],
      ['an object of minProperties 1e7', { type: 'object', minProperties: 1e7 }, 'minProperties'],
    ];
    const health = async () => (await fetch(`${app.url}/health`)).status;

    it.each(HUGE)('response_format with %s: 400 naming the field, the server stays up', async (_label, schema, keyword) => {
      for (const stream of [false, true]) {
        const res = await chat({ messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_schema', json_schema: { name: 'x', schema } }, stream });
        expect(res.status).toBe(400);
        expect(res.json.error).toMatchObject({ type: 'BadRequestError', code: 400, param: `response_format.json_schema.schema.${keyword}` });
        expect(res.json.error.message).toContain(`response_format.json_schema.schema.${keyword}`);
      }
      const completion = await post(`${app.url}/v1/completions`, { model: MODEL, prompt: 'hi', response_format: { type: 'json_schema', json_schema: { name: 'x', schema } } });
      expect(completion.status).toBe(400);
      expect(completion.json.error.param).toBe(`response_format.json_schema.schema.${keyword}`);
      expect(await health()).toBe(200);
    });

    it.each(HUGE)("a tool's parameters with %s under tool_choice required: 400 naming the tool and field", async (_label, schema, keyword) => {
      const tools = [TOOLS[0], { type: 'function', function: { name: 'huge', parameters: { type: 'object', properties: { x: schema }, required: ['x'] } } }];
      const res = await chat({ messages: [{ role: 'user', content: 'hi' }], tools, tool_choice: { type: 'function', function: { name: 'huge' } } });
      expect(res.status).toBe(400);
      expect(res.json.error.param).toBe(`tools[1].function.parameters.properties.x.${keyword}`);
      const required = await chat({ messages: [{ role: 'user', content: 'call huge' }], tools: [tools[1]], tool_choice: 'required' });
      expect(required.status).toBe(400);
      expect(required.json.error.param).toBe(`tools[0].function.parameters.properties.x.${keyword}`);
      expect(await health()).toBe(200);
    });

    it('a minimum that fits the context window but not max_tokens is cut at max_tokens (length), as vLLM would', async () => {
      const schema = { type: 'object', properties: { essay: { type: 'string', minLength: 20_000 } }, required: ['essay'] };
      const res = await chat({ messages: [{ role: 'user', content: 'an essay' }], response_format: { type: 'json_schema', json_schema: { name: 'x', schema } }, max_tokens: 20 });
      expect(res.status).toBe(200);
      expect(res.json.choices[0].finish_reason).toBe('length');
      expect(res.json.usage.completion_tokens).toBe(20);
      expect(res.json.choices[0].message.content.startsWith('{"essay": "')).toBe(true);
    });
  });

  describe('validation (400 in vLLM shape)', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['a named tool not offered', { tools: TOOLS, tool_choice: { type: 'function', function: { name: 'nope' } } }, 'does not match any of the specified `tools`'],
      ['required without tools', { tool_choice: 'required' }, 'When using `tool_choice`, `tools` must be set.'],
      ['a named tool without tools', { tool_choice: { type: 'function', function: { name: 'get_weather' } } }, 'When using `tool_choice`, `tools` must be set.'],
      ['an unknown tool_choice', { tools: TOOLS, tool_choice: 'sometimes' }, 'Invalid value for `tool_choice`'],
      ['tool_choice without function', { tools: TOOLS, tool_choice: { type: 'function' } }, 'Expected field `function`'],
      ['tool_choice without name', { tools: TOOLS, tool_choice: { type: 'function', function: {} } }, 'Expected field `name`'],
      ['an empty tools array', { tools: [] }, '`tools` must not be an empty array'],
      ['a tool without function', { tools: [{ type: 'function' }] }, 'tools[0].function'],
      ['a tool without a name', { tools: [{ type: 'function', function: { parameters: {} } }] }, 'tools[0].function.name'],
      ['a tool of another type', { tools: [{ type: 'retrieval', function: { name: 'x' } }] }, 'tools[0].type'],
      ['an unknown response_format type', { response_format: { type: 'yaml' } }, 'response_format.type'],
      ['json_schema without json_schema', { response_format: { type: 'json_schema' } }, 'response_format.json_schema'],
      ['json_schema without a name', { response_format: { type: 'json_schema', json_schema: { schema: {} } } }, 'response_format.json_schema.name'],
    ];
    it.each(cases)('rejects %s', async (_label, body, message) => {
      const res = await chat({ messages: [{ role: 'user', content: 'hi' }], ...body });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ type: 'BadRequestError', code: 400 });
      expect(res.json.error.message).toContain(message);
    });

    it('tool_choice none without tools is fine', async () => {
      const res = await chat({ messages: [{ role: 'user', content: 'hi' }], tool_choice: 'none' });
      expect(res.status).toBe(200);
    });

    it('the SDK surfaces the 400', async () => {
      await expect(
        app.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], tools: TOOLS, tool_choice: { type: 'function', function: { name: 'nope' } } }),
      ).rejects.toMatchObject({ status: 400 });
    });
  });
});
