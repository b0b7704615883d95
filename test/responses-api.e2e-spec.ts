import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { bootApp, post, TestApp } from './support/app';

/*
 * The Responses API against the real app: the openai SDK (responses.create, responses.stream)
 * and the Vercel AI SDK's default OpenAI provider (which calls /v1/responses), unchanged.
 */

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';
const WEATHER = { temperature: 22, condition: 'sunny' };

describe('Responses API', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ responses_store: true });
  });
  afterAll(() => app.close());

  it('answers responses.create with vLLM\'s body: a message item, usage, status', async () => {
    const res = await app.openai.responses.create({ model: MODEL, input: 'Tell me a joke', instructions: 'Be brief.' });
    expect(res.object).toBe('response');
    expect(res.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(res.status).toBe('completed');
    expect(res.instructions).toBe('Be brief.');
    expect(res.output).toHaveLength(1);
    expect(res.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(res.output_text.length).toBeGreaterThan(0);
    expect(res.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), output_tokens_details: { reasoning_tokens: 0 } });
    expect(res.usage!.total_tokens).toBe(res.usage!.input_tokens + res.usage!.output_tokens);
  });

  it('streams the event sequence vLLM emits, numbered, ending with response.completed and no [DONE]', async () => {
    const raw = await fetch(`${app.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, input: 'hello there', stream: true, max_output_tokens: 3 }),
    });
    const text = await raw.text();
    expect(text).not.toContain('[DONE]');
    const events = text
      .trim()
      .split('\n\n')
      .map((block) => {
        const [eventLine, dataLine] = block.split('\n');
        const data = JSON.parse(dataLine.slice('data: '.length));
        expect(eventLine).toBe(`event: ${data.type}`);
        return data as { type: string; sequence_number: number; delta?: string; response?: { status: string; output_text?: string } };
      });
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    expect(new Set(types.slice(4, -4))).toEqual(new Set(['response.output_text.delta']));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0].response!.status).toBe('in_progress');
    expect(events.at(-1)!.response!.status).toBe('incomplete');
  });

  it('works with responses.stream of the openai SDK', async () => {
    const stream = app.openai.responses.stream({ model: MODEL, input: 'What is 2+2?' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(deltas.join(''));
    expect(final.output_text).toContain('4');
  });

  it('continues a stored response with previous_response_id, and GET returns it', async () => {
    const first = await app.openai.responses.create({ model: MODEL, input: 'My name is Ada.' });
    const second = await app.openai.responses.create({ model: MODEL, input: 'What did I say?', previous_response_id: first.id });
    expect(second.previous_response_id).toBe(first.id);
    // The stored conversation is part of the prompt.
    expect(second.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens + first.usage!.output_tokens);
    const got = await app.openai.responses.retrieve(first.id);
    expect(got.id).toBe(first.id);
    const missing = await post(`${app.url}/v1/responses`, { model: MODEL, input: 'x', previous_response_id: 'resp_nope' });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ message: "Response with id 'resp_nope' not found.", param: 'response_id', code: 404 });
    const cancel = await post(`${app.url}/v1/responses/${first.id}/cancel`, {});
    expect(cancel.json.error.message).toBe('Cannot cancel a synchronous response.');
  });

  it('calls a function tool and answers from its output on the next turn', async () => {
    const tools = [{ type: 'function' as const, name: 'get_weather', description: 'Get the weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: false }];
    const first = await app.openai.responses.create({ model: MODEL, input: 'What is the weather in Paris?', tools });
    const call = first.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
    expect(JSON.parse((call as { arguments: string }).arguments)).toEqual({ city: 'Paris' });
    const second = await app.openai.responses.create({
      model: MODEL,
      tools,
      input: [
        { role: 'user', content: 'What is the weather in Paris?' },
        call as never,
        { type: 'function_call_output', call_id: (call as { call_id: string }).call_id, output: JSON.stringify(WEATHER) },
      ],
    });
    expect(second.output_text).toContain('22');
  });

  describe('Vercel AI SDK default OpenAI provider (@ai-sdk/openai 3, Responses API)', () => {
    const provider = () => createOpenAI({ baseURL: `${app.url}/v1`, apiKey: 'unused' });
    const tools = {
      getWeather: tool({
        description: 'Get the current weather for a city',
        inputSchema: z.object({ city: z.string().describe('The city name') }),
        execute: async ({ city }) => ({ city, ...WEATHER }),
      }),
    };

    it('generateText', async () => {
      const result = await generateText({ model: provider()(MODEL), prompt: 'hello' });
      expect(result.text).toMatch(/\b(hello|hi|hey)\b/i);
      expect(result.finishReason).toBe('stop');
      expect(result.usage.inputTokens).toBeGreaterThan(0);
    });

    it('generateText with a tool loop', async () => {
      const result = await generateText({ model: provider()(MODEL), tools, stopWhen: stepCountIs(4), prompt: 'What is the weather in Tokyo right now?' });
      expect(result.steps[0].toolCalls.map((c) => (c.input as { city: string }).city)).toEqual(['Tokyo']);
      expect(result.text).toContain('22');
    });

    it('streamText', async () => {
      const result = streamText({ model: provider()(MODEL), prompt: 'Write a haiku about the sea' });
      let streamed = '';
      for await (const part of result.textStream) streamed += part;
      expect(streamed.length).toBeGreaterThan(10);
      expect(await result.text).toBe(streamed);
      expect(await result.finishReason).toBe('stop');
    });

    it('generateObject', async () => {
      const schema = z.object({ name: z.string(), age: z.number().int(), city: z.string() });
      const { object } = await generateObject({ model: provider()(MODEL), schema, prompt: 'Generate a user profile for a developer from Berlin' });
      expect(schema.parse(object)).toEqual(object);
      expect(object.city).toBe('Berlin');
    });
  });

  it('without the store (vLLM\'s default) keeps nothing: the id of a response answered is not found later', async () => {
    const plain = await bootApp();
    try {
      const first = await plain.openai.responses.create({ model: MODEL, input: 'hello' });
      const got = await fetch(`${plain.url}/v1/responses/${first.id}`);
      expect(got.status).toBe(404);
      const next = await post(`${plain.url}/v1/responses`, { input: 'and?', previous_response_id: first.id });
      expect(next.status).toBe(404);
      const background = await post(`${plain.url}/v1/responses`, { input: 'x', background: true });
      expect(background.json.error.param).toBe('background');
    } finally {
      await plain.close();
    }
  });
});
