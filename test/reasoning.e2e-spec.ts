import Anthropic from '@anthropic-ai/sdk';
import { bootApp, post, readSse, TestApp } from './support/app';

/*
 * A reasoning model (--reasoning-parser qwen3): its replies start with a thinking part from the
 * patterns file, split out as vLLM's parser splits it (chat's reasoning_content, a Responses
 * reasoning item, a Messages thinking block), and counted and timed as output tokens.
 */

const MODEL = 'Qwen/Qwen3-4B';
const QUESTION = [{ role: 'user', content: 'What is 12 * 7?' }];

describe('reasoning models', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ model: MODEL, reasoning_parser: 'qwen3' });
  });
  afterAll(() => app.close());

  const generationTokens = async () => Number(/^vllm:generation_tokens_total\{[^}]*\} (\S+)$/m.exec(await (await fetch(`${app.url}/metrics`)).text())![1]);

  it('chat: the thinking in reasoning_content (and reasoning), the answer in content, all counted as completion tokens', async () => {
    const before = await generationTokens();
    const res = await post(`${app.url}/v1/chat/completions`, { model: MODEL, messages: QUESTION });
    const message = res.json.choices[0].message;
    expect(message.reasoning_content).toMatch(/12 \* 7.*84/);
    expect(message.reasoning).toBe(message.reasoning_content);
    expect(message.content).toContain('84');
    expect(message.content).not.toMatch(/think>/);
    const reasoningOnly = await post(`${app.url}/tokenize`, { model: MODEL, prompt: message.reasoning_content, add_special_tokens: false });
    // The thinking and its markers are output tokens, as vLLM counts them.
    expect(res.json.usage.completion_tokens).toBeGreaterThan(reasoningOnly.json.count);
    expect((await generationTokens()) - before).toBe(res.json.usage.completion_tokens);
  });

  it('chat streaming: reasoning deltas first, then content, and no marker text in any delta', async () => {
    const raw = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: QUESTION, stream: true }),
    });
    const chunks = (await readSse(raw)).slice(0, -1).map((d) => JSON.parse(d) as { choices: Array<{ delta: { content?: string; reasoning_content?: string } }> });
    const deltas = chunks.slice(1).map((c) => c.choices[0].delta);
    const kinds = deltas.map((d) => (d.reasoning_content ? 'r' : d.content ? 'c' : '-')).join('');
    expect(kinds).toMatch(/^r+c+-?$/);
    expect(deltas.map((d) => `${d.reasoning_content ?? ''}${d.content ?? ''}`).join('')).not.toMatch(/<\/?think>/);
  });

  it('chat: enable_thinking false (Qwen3 template) answers without thinking', async () => {
    const res = await post(`${app.url}/v1/chat/completions`, { model: MODEL, messages: QUESTION, chat_template_kwargs: { enable_thinking: false } });
    expect(res.json.choices[0].message.reasoning_content).toBeNull();
    expect(res.json.choices[0].message.content).toContain('84');
  });

  it('a max_tokens that ends inside the thinking leaves no content', async () => {
    const res = await post(`${app.url}/v1/chat/completions`, { model: MODEL, messages: QUESTION, max_tokens: 5 });
    expect(res.json.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: null } });
    expect(res.json.choices[0].message.reasoning_content.length).toBeGreaterThan(0);
  });

  it('Responses: a reasoning item before the message, reasoning_tokens in usage, reasoning events in the stream', async () => {
    const res = await app.openai.responses.create({ model: MODEL, input: 'What is 12 * 7?' });
    expect(res.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    expect((res.output[0] as { content: Array<{ text: string }> }).content[0].text).toMatch(/84/);
    expect(res.usage!.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(res.usage!.output_tokens_details.reasoning_tokens).toBeLessThan(res.usage!.output_tokens);
    const stream = app.openai.responses.stream({ model: MODEL, input: 'hello' });
    const types: string[] = [];
    stream.on('event', (e) => types.push(e.type));
    await stream.finalResponse();
    const firstText = types.indexOf('response.output_text.delta');
    expect(types.indexOf('response.reasoning_text.delta')).toBeGreaterThan(0);
    expect(types.lastIndexOf('response.reasoning_text.done')).toBeLessThan(firstText);
  });

  it('Messages: a thinking block with a signature, streamed as thinking_delta then signature_delta', async () => {
    const client = new Anthropic({ baseURL: app.url, apiKey: 'unused', maxRetries: 0 });
    const message = await client.messages.create({ model: MODEL, max_tokens: 300, messages: [{ role: 'user', content: 'What is 12 * 7?' }] });
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect((message.content[0] as { signature: string }).signature).toMatch(/^[0-9a-f]{32}$/);
    const stream = client.messages.stream({ model: MODEL, max_tokens: 300, messages: [{ role: 'user', content: 'hello' }] });
    const deltas: string[] = [];
    stream.on('streamEvent', (e) => {
      if (e.type === 'content_block_delta') deltas.push(e.delta.type);
    });
    const final = await stream.finalMessage();
    expect(final.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(deltas[0]).toBe('thinking_delta');
    expect(deltas).toContain('signature_delta');
    expect(deltas.indexOf('signature_delta')).toBeLessThan(deltas.indexOf('text_delta'));
  });

  it('refuses an unknown parser and --enable-reasoning without one at start-up', async () => {
    await expect(bootApp({ reasoning_parser: 'nope' })).rejects.toThrow(/reasoning_parser/);
    await expect(bootApp({ enable_reasoning: true })).rejects.toThrow('--enable-reasoning requires --reasoning-parser');
  });
});
