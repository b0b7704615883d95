import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import OpenAI from 'openai';
import { GRPC_LOADER_OPTIONS, VLLM_ENGINE_PROTO } from '../src/modules/grpc/proto';
import { bootApp, post, readSse, TestApp } from './support/app';

// Messages as vLLM words them: CompletionRequest.validate_prompt_and_prompt_embeds
// (vllm/entrypoints/openai/completion/protocol.py) and InputProcessor._validate_prompt_len /
// _validate_model_input (vllm/v1/engine/input_processor.py). gRPC Generate uses the same check.
const EMPTY_PROMPT = 'Either prompt or prompt_embeds must be provided and non-empty.';
const EMPTY_TOKENS = 'The decoder prompt cannot be empty';
// vLLM's renderer (render_completions / render_prompts): a prompt list with nothing in it.
const NO_PROMPT = 'You must pass at least one prompt';
const outOfVocabulary = (id: number) => `Token id ${id} is out of vocabulary`;

/** Mistral-7B v0.3, the default model: 32768 ids. */
const VOCAB = 32768;
const PROMPT = 'Write a python function that adds two numbers';

async function streamChunks(url: string, body: object): Promise<any[]> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
  expect(res.status).toBe(200);
  const events = await readSse(res);
  expect(events[events.length - 1]).toBe('[DONE]');
  return events.slice(0, -1).map((e) => JSON.parse(e));
}

/** The status details of a gRPC Generate call that fails (or 'OK'). */
function grpcGenerateError(engine: grpc.Client & Record<string, any>, req: object): Promise<{ code: number; details: string } | 'OK'> {
  return new Promise((resolve) => {
    const call = engine.Generate(req);
    call.on('data', () => undefined);
    call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
    call.on('end', () => resolve('OK'));
  });
}

describe('prompt checks, return_token_ids and stop_token_ids (vLLM semantics)', () => {
  let app: TestApp;
  let engine: grpc.Client & Record<string, any>;
  let completions: string;
  let chat: string;

  beforeAll(async () => {
    app = await bootApp({ grpc_port: 0 });
    completions = `${app.url}/v1/completions`;
    chat = `${app.url}/v1/chat/completions`;
    const def = grpc.loadPackageDefinition(protoLoader.loadSync(VLLM_ENGINE_PROTO, GRPC_LOADER_OPTIONS)) as any;
    engine = new def.vllm.grpc.engine.VllmEngine(`127.0.0.1:${app.grpcPort}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    engine?.close();
    await app?.close();
  });

  describe('/v1/completions refuses prompts vLLM refuses, with its messages', () => {
    it.each<[string, unknown, string]>([
      ['an empty string', '', EMPTY_PROMPT],
      ['an empty array', [], NO_PROMPT],
      ['an empty token-id array inside an array', [[]], EMPTY_TOKENS],
      ['one empty prompt among others', [[1, 2], []], EMPTY_TOKENS],
      ['a token id past the vocabulary', [999_999_999], outOfVocabulary(999_999_999)],
      ['the first id past the vocabulary', [VOCAB], outOfVocabulary(VOCAB)],
      ['ids past the vocabulary (the largest is named)', [[5, VOCAB + 7, 2, VOCAB + 1]], outOfVocabulary(VOCAB + 7)],
    ])('%s: 400', async (_name, prompt, message) => {
      const res = await post(completions, { prompt, max_tokens: 3 });
      expect(res.status).toBe(400);
      // vLLM names `prompt` for the empty string (request validation), no parameter for the
      // engine's input checks.
      expect(res.json.error).toEqual({ message, type: 'BadRequestError', param: prompt === '' ? 'prompt' : null, code: 400 });
    });

    it('also when streaming, before any event', async () => {
      const res = await post(completions, { prompt: [[]], max_tokens: 3, stream: true });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toBe(EMPTY_TOKENS);
    });

    it.each<[string, unknown]>([
      ['a negative token id', [-1]],
      ['a negative id in a nested array', [[3, -5]]],
    ])('%s: 400', async (_name, prompt) => {
      const res = await post(completions, { prompt, max_tokens: 3 });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ type: 'BadRequestError', param: 'prompt', code: 400 });
    });

    it.each<[string, number[], string]>([
      ['empty token ids', [], EMPTY_TOKENS],
      ['ids past the vocabulary (the largest is named, not the first)', [5, VOCAB + 1, VOCAB + 7], outOfVocabulary(VOCAB + 7)],
    ])('gRPC Generate gives the same message for %s (INVALID_ARGUMENT)', async (_name, ids, message) => {
      const status = await grpcGenerateError(engine, { tokenized: { input_ids: ids }, sampling_params: { max_tokens: 3 }, stream: false });
      expect(status).toEqual({ code: grpc.status.INVALID_ARGUMENT, details: message });
      const http = await post(completions, { prompt: [ids], max_tokens: 3 });
      expect(http.json.error.message).toBe(message);
    });

    it('the openai SDK sees a BadRequestError', async () => {
      const err = await app.openai.completions.create({ model: app.settings.model, prompt: '', max_tokens: 3 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as InstanceType<typeof OpenAI.BadRequestError>).status).toBe(400);
    });

    it('accepts the last id of the vocabulary, and an empty string among texts (it still has BOS)', async () => {
      expect((await post(completions, { prompt: [VOCAB - 1], max_tokens: 2 })).status).toBe(200);
      const res = await post(completions, { prompt: ['', 'hi'], max_tokens: 2 });
      expect(res.status).toBe(200);
      expect(res.json.choices).toHaveLength(2);
    });
  });

  it('a long text prompt (encoded in slices, the event loop turning between them) counts the tokens /tokenize counts', async () => {
    const prompt = Array.from({ length: 3000 }, (_, i) => `word${i} and, then`).join(' ');
    expect(prompt.length).toBeGreaterThan(3 * 16_384);
    const res = await post(completions, { prompt, max_tokens: 2, return_token_ids: true });
    expect(res.status).toBe(200);
    const tok = await post(`${app.url}/tokenize`, { prompt });
    expect(res.json.usage.prompt_tokens).toBe(tok.json.count);
    expect(res.json.choices[0].prompt_token_ids).toEqual(tok.json.tokens);
  });

  describe('return_token_ids', () => {
    it('completions: token_ids per choice and prompt_token_ids, null unless asked (vLLM writes every field)', async () => {
      const plain = await post(completions, { prompt: PROMPT, max_tokens: 20 });
      expect(Object.keys(plain.json.choices[0])).toEqual(['index', 'text', 'logprobs', 'finish_reason', 'stop_reason', 'token_ids', 'prompt_logprobs', 'prompt_token_ids']);
      expect(plain.json.choices[0]).toMatchObject({ token_ids: null, prompt_token_ids: null });
      const plainChunks = await streamChunks(completions, { prompt: PROMPT, max_tokens: 3 });
      for (const chunk of plainChunks) {
        expect(Object.keys(chunk)).toEqual(['id', 'object', 'created', 'model', 'choices', 'usage']);
        expect(chunk.usage).toBeNull();
        expect(Object.keys(chunk.choices[0])).toEqual(['index', 'text', 'logprobs', 'finish_reason', 'stop_reason', 'prompt_token_ids', 'token_ids']);
        expect(chunk.choices[0]).toMatchObject({ prompt_token_ids: null, token_ids: null });
      }

      const res = await post(completions, { prompt: PROMPT, max_tokens: 20, return_token_ids: true });
      expect(res.status).toBe(200);
      const tok = await post(`${app.url}/tokenize`, { prompt: PROMPT });
      const choice = res.json.choices[0];
      expect(choice.prompt_token_ids).toEqual(tok.json.tokens);
      expect(choice.token_ids).toHaveLength(res.json.usage.completion_tokens);
      expect(choice.text).toBe(plain.json.choices[0].text);
    });

    it('completions streaming: prompt_token_ids on each choice first chunk, token_ids the delta', async () => {
      const body = { prompt: PROMPT, max_tokens: 12, n: 2, return_token_ids: true };
      const full = await post(completions, body);
      const chunks = await streamChunks(completions, body);
      for (const index of [0, 1]) {
        const mine = chunks.map((c) => c.choices[0]).filter((c) => c.index === index);
        expect(mine[0].prompt_token_ids).toEqual(full.json.choices[index].prompt_token_ids);
        expect(mine.slice(1).every((c) => c.prompt_token_ids === null)).toBe(true);
        expect(mine.flatMap((c) => c.token_ids)).toEqual(full.json.choices[index].token_ids);
      }
    });

    it('completions with echo: the prompt comes back as ids, not as text (as vLLM)', async () => {
      const res = await post(completions, { prompt: PROMPT, max_tokens: 5, echo: true, return_token_ids: true });
      const choice = res.json.choices[0];
      expect(choice.text.startsWith(PROMPT)).toBe(false);
      expect(choice.prompt_token_ids).toHaveLength(res.json.usage.prompt_tokens);
    });

    it('chat: prompt_token_ids on the response and the first chunk, token_ids per choice', async () => {
      const body = { messages: [{ role: 'user', content: 'Hello! How are you?' }], max_tokens: 8, return_token_ids: true };
      const res = await post(chat, body);
      expect(res.status).toBe(200);
      expect(res.json.prompt_token_ids).toHaveLength(res.json.usage.prompt_tokens);
      expect(res.json.choices[0].token_ids).toHaveLength(res.json.usage.completion_tokens);

      const chunks = await streamChunks(chat, body);
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      expect(chunks[0].prompt_token_ids).toEqual(res.json.prompt_token_ids);
      expect(chunks.slice(1).every((c) => !('prompt_token_ids' in c))).toBe(true);
      expect(chunks.slice(1).flatMap((c) => c.choices[0].token_ids)).toEqual(res.json.choices[0].token_ids);

      const plain = await post(chat, { ...body, return_token_ids: undefined });
      expect(plain.json.prompt_token_ids).toBeNull();
      expect(plain.json.choices[0].token_ids).toBeNull();
    });
  });

  describe('stop_token_ids', () => {
    /** A reply's ids and the index of a token that does not occur before it (index >= 2). */
    async function replyAndStopIndex(url: string, body: object) {
      const res = await post(url, { ...body, return_token_ids: true });
      const ids: number[] = res.json.choices[0].token_ids;
      const k = ids.findIndex((id, i) => i >= 2 && ids.indexOf(id) === i);
      expect(k).toBeGreaterThanOrEqual(2);
      return { res, ids, k };
    }

    it('completions: ends at the id with finish stop and stop_reason = the id; the token counts, its text does not', async () => {
      const body = { prompt: PROMPT, max_tokens: 30, seed: 7 };
      const { res: full, ids, k } = await replyAndStopIndex(completions, body);
      const res = await post(completions, { ...body, stop_token_ids: [ids[k]], return_token_ids: true });
      expect(res.status).toBe(200);
      const choice = res.json.choices[0];
      expect(choice).toMatchObject({ finish_reason: 'stop', stop_reason: ids[k], token_ids: ids.slice(0, k + 1) });
      expect(res.json.usage.completion_tokens).toBe(k + 1);
      const fullText: string = full.json.choices[0].text;
      expect(fullText.startsWith(choice.text)).toBe(true);

      const kept = await post(completions, { ...body, stop_token_ids: [ids[k]], include_stop_str_in_output: true });
      expect(kept.json.choices[0].finish_reason).toBe('stop');
      expect(fullText.startsWith(kept.json.choices[0].text)).toBe(true);
      expect(kept.json.choices[0].text.length).toBeGreaterThan(choice.text.length);
    });

    it('completions streaming: the last chunk carries finish stop and the id', async () => {
      const body = { prompt: PROMPT, max_tokens: 30, seed: 7 };
      const { ids, k } = await replyAndStopIndex(completions, body);
      const chunks = await streamChunks(completions, { ...body, stop_token_ids: [ids[k]] });
      const last = chunks[chunks.length - 1].choices[0];
      expect(last).toMatchObject({ finish_reason: 'stop', stop_reason: ids[k] });
    });

    it('chat: ends at the id with finish stop and stop_reason = the id', async () => {
      const body = { messages: [{ role: 'user', content: 'Tell me a story about a dragon' }], max_tokens: 40, seed: 3 };
      const { ids, k } = await replyAndStopIndex(chat, body);
      const res = await post(chat, { ...body, stop_token_ids: [ids[k]] });
      expect(res.json.choices[0]).toMatchObject({ finish_reason: 'stop', stop_reason: ids[k] });
      expect(res.json.usage.completion_tokens).toBe(k + 1);
    });

    it('ids the reply never reaches change nothing', async () => {
      const body = { prompt: PROMPT, max_tokens: 10, seed: 7 };
      const a = await post(completions, body);
      const b = await post(completions, { ...body, stop_token_ids: [VOCAB - 1] });
      expect(b.json.choices[0]).toMatchObject({ text: a.json.choices[0].text, finish_reason: a.json.choices[0].finish_reason, stop_reason: null });
    });
  });
});

/*
 * Everyday prompts a new user tries first, against the bundled patterns: every reply a prompt can
 * get (n = 5 choices take the pattern's replies in turn) must fit it. A reviewer's checklist, run
 * as assertions on the reply's content.
 */
type Check = (reply: string) => void;
const has = (...parts: Array<string | RegExp>): Check => (reply) => {
  for (const part of parts) {
    if (typeof part === 'string') expect(reply).toContain(part);
    else expect(reply).toMatch(part);
  }
};
const lacks = (...parts: Array<string | RegExp>): Check => (reply) => {
  for (const part of parts) {
    if (typeof part === 'string') expect(reply).not.toContain(part);
    else expect(reply).not.toMatch(part);
  }
};
const all = (...checks: Check[]): Check => (reply) => checks.forEach((c) => c(reply));

const GREETING = /\b(hello|hi|hey)\b/i;
const EVERYDAY: Array<[string, Check]> = [
  ['hi', all(has(GREETING), lacks(/welcome/i, /goodbye/i))],
  ['Hello!', all(has(GREETING), lacks(/welcome/i))],
  ['Good morning', all(has(GREETING), lacks(/welcome/i))],
  ['hey, my name is Anna', all(has(GREETING), lacks(/welcome/i))],
  ['How are you?', has(/\b(well|good|great|fine)\b/i)],
  ['Thank you so much!', has(/welcome|glad|any time/i)],
  ['Bye!', has(/bye|see you/i)],
  ['Who are you?', has(/simulat/i)],
  ['What is 2+2?', all(has(/\b4\b/), lacks('42'))],
  ['What is 12 * 7?', has(/\b84\b/)],
  ['Calculate 15% of 80', has(/\b12\b/)],
  ['What is the square root of 144?', has(/\b12\b/)],
  ['How much is 100 minus 37?', has(/\b63\b/)],
  ['Solve 3x + 7 = 22', has(/x = 5\b/)],
  ['Write a python function that reverses a string', all(has('```python', 'def reverse_string', '[::-1]'), lacks(/fibonacci/i))],
  ['Write a JavaScript function to check if a number is prime', all(has('```javascript', 'function isPrime'), lacks(/fibonacci/i))],
  ['Can you write a Go function that adds two numbers?', has('```go', 'func add(')],
  ['Write a TypeScript function that computes the factorial of a number', has('```typescript', 'factorial')],
  ['Write a SQL query that counts users by country', has('```sql', 'GROUP BY country', 'FROM users')],
  ['How do I read a file in Rust?', has('```rust', 'read_file')],
  [
    'Summarize this: The city council voted on Tuesday to expand the bike lane network across downtown. The plan adds 12 miles of protected lanes over two years. Supporters say it will reduce traffic deaths, while some business owners worry about parking.',
    all(has(/council|bike lane/i), lacks(/releases|cache|study/i)),
  ],
  ['Can you summarize an article for me?', has(/paste|share/i)],
  ['Translate "good morning" into French', has('Bonjour')],
  ['How do I say thank you in Spanish?', has('Gracias')],
  ['Write a poem about the sea', all(has(/\bsea\b/i), lacks(/once upon a time/i, '```'))],
  ['Write a haiku about autumn', has(/autumn/i)],
  ['Tell me a short story about a dragon', all(has(/dragon/i), lacks('```'))],
  ['Tell me a joke', all(has(/computer|programmer|developer|engineer/i), lacks('```'))],
  ['What is the capital of France?', has('Paris')],
  ['What is the capital of Japan?', all(has('Tokyo'), lacks('Paris'))],
  ['Explain how photosynthesis works', has(/photosynthesis/i)],
  ["What's the difference between TCP and UDP?", has('TCP', 'UDP')],
  ['Give me 3 tips for better sleep', all(has(/better sleep/i, /^1\. /m, /^3\. /m), lacks(/^4\. /m))],
  ["What's the weather like today?", has(/live|real-time|can't/i)],
  ['Why is the sky blue?', has(/sky/i)],
  ['Recommend a good book about history', has(/history/i)],
];

describe('everyday prompts: replies fit the prompt (bundled patterns)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it(`covers at least 30 prompts`, () => {
    expect(EVERYDAY.length).toBeGreaterThanOrEqual(30);
  });

  it.each(EVERYDAY)('%j', async (prompt, check) => {
    const res = await post(`${app.url}/v1/chat/completions`, { messages: [{ role: 'user', content: prompt }], n: 5, max_tokens: 1000 });
    expect(res.status).toBe(200);
    for (const choice of res.json.choices) {
      const reply: string = choice.message.content;
      expect(reply.trim()).not.toBe('');
      expect(reply).not.toMatch(/\{\{|\}\}/);
      check(reply);
    }
  });
});
