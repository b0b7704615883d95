import Anthropic from '@anthropic-ai/sdk';
import { bootApp, post, TestApp } from './support/app';

/* Anthropic's Messages API against the real app, with the official @anthropic-ai/sdk unchanged. */

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';
const weatherTool = {
  name: 'get_weather',
  description: 'Get the current weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('Anthropic Messages API', () => {
  let app: TestApp;
  let client: Anthropic;
  beforeAll(async () => {
    app = await bootApp();
    client = new Anthropic({ baseURL: app.url, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => app.close());

  it('messages.create answers a text block, stop reason and usage', async () => {
    const message = await client.messages.create({ model: MODEL, max_tokens: 200, system: 'You are terse.', messages: [{ role: 'user', content: 'hello' }] });
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.id).toMatch(/^chatcmpl-/);
    expect(message.content[0].type).toBe('text');
    expect((message.content[0] as { text: string }).text).toMatch(/\b(hello|hi|hey)\b/i);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('stops with max_tokens when cut', async () => {
    const message = await client.messages.create({ model: MODEL, max_tokens: 2, messages: [{ role: 'user', content: 'Tell me a long story' }] });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(2);
  });

  it('streams with messages.stream: the event sequence, text and the final message', async () => {
    const stream = client.messages.stream({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'What is 2+2?' }] });
    const types: string[] = [];
    let text = '';
    stream.on('streamEvent', (event) => types.push(event.type));
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(types[0]).toBe('message_start');
    expect(types[1]).toBe('content_block_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(text).toContain('4');
    expect((final.content[0] as { text: string }).text).toBe(text);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it('counts tokens as messages.create counts them', async () => {
    const params = { model: MODEL, messages: [{ role: 'user' as const, content: 'Count me, please.' }] };
    const counted = await client.messages.countTokens(params);
    const message = await client.messages.create({ ...params, max_tokens: 5 });
    expect(counted.input_tokens).toBe(message.usage.input_tokens);
  });

  it('uses a tool, then answers from its result (tool_use / tool_result)', async () => {
    const first = await client.messages.create({ model: MODEL, max_tokens: 300, tools: [weatherTool], messages: [{ role: 'user', content: 'What is the weather in Paris?' }] });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use') as { id: string; name: string; input: { city: string } };
    expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    const second = await client.messages.create({
      model: MODEL,
      max_tokens: 300,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '{"temperature": 22, "condition": "sunny"}' }] },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    expect((second.content.find((b) => b.type === 'text') as { text: string }).text).toContain('22');
  });

  it('streams a tool_use block with input_json_delta, which the SDK assembles', async () => {
    const stream = client.messages.stream({ model: MODEL, max_tokens: 300, tools: [weatherTool], tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'Weather in Rome?' }] });
    const final = await stream.finalMessage();
    const use = final.content.find((b) => b.type === 'tool_use') as { input: { city: string } };
    expect(use.input.city).toBe('Rome');
  });

  it("refuses in Anthropic's error shape, and a bad body in vLLM's", async () => {
    const ctx = await post(`${app.url}/v1/messages`, { model: MODEL, max_tokens: 10_000_000, messages: [{ role: 'user', content: 'hi' }] });
    expect(ctx.status).toBe(400);
    expect(ctx.json).toMatchObject({ type: 'error', error: { type: 'BadRequestError', message: expect.stringMatching(/maximum context length/) } });
    const missing = await post(`${app.url}/v1/messages`, { model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toMatch(/max_tokens/);
    const unknown = await post(`${app.url}/v1/messages`, { model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ type: 'error', error: { type: 'NotFoundError', message: 'The model `nope` does not exist.' } });
  });
});
