import { bootApp, post, TestApp } from './support/app';

/*
 * Several models in one instance: each additional model has its own engine (GPU type, TP, KV
 * cache, batch), tokenizer and metrics series under its model_name, and requests are routed by
 * their `model`. The defaults stay one model.
 */

const PRIMARY = 'mistralai/Mistral-7B-Instruct-v0.3';
const SMALL = 'facebook/opt-125m';
const EMBEDDER = 'BAAI/bge-large-en-v1.5';

const metric = (text: string, name: string, model: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`model_name="${model}"`));
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('several models in one instance', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ additional_models: [`${SMALL};gpu_type=NVIDIA-H100;served_model_name=opt small-opt`, EMBEDDER] });
  });
  afterAll(() => app.close());

  it('lists every model in /v1/models, each with its own context window', async () => {
    const models = await app.openai.models.list();
    const byId = Object.fromEntries(models.data.map((m) => [m.id, m as unknown as { root: string; max_model_len: number }]));
    expect(Object.keys(byId)).toEqual([PRIMARY, 'opt', 'small-opt', EMBEDDER]);
    expect(byId.opt.root).toBe(SMALL);
    expect(byId.opt.max_model_len).toBe(2048);
    expect(byId[EMBEDDER].max_model_len).toBe(512);
  });

  it('routes by model: each answers with its name, its tokenizer counts the prompt', async () => {
    const messages = [{ role: 'user' as const, content: 'Summarize the plot of Hamlet in two sentences, please.' }];
    const a = await app.openai.chat.completions.create({ model: PRIMARY, messages, max_tokens: 5 });
    const b = await app.openai.chat.completions.create({ model: 'small-opt', messages, max_tokens: 5 });
    const unset = await app.openai.chat.completions.create({ messages, max_tokens: 5 } as never);
    expect([a.model, b.model, unset.model]).toEqual([PRIMARY, 'small-opt', PRIMARY]);
    expect(a.usage!.prompt_tokens).not.toBe(b.usage!.prompt_tokens);
    const emb = await app.openai.embeddings.create({ model: EMBEDDER, input: 'hello' });
    expect(emb.data[0].embedding).toHaveLength(1024);
    const refused = await post(`${app.url}/v1/chat/completions`, { model: EMBEDDER, messages });
    expect(refused.json.error.message).toBe('The model does not support Chat Completions API');
    const unknown = await post(`${app.url}/v1/chat/completions`, { model: 'nope', messages });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: { message: 'The model `nope` does not exist.', type: 'NotFoundError', param: 'model', code: 404 } });
  });

  it('keeps a metrics series per model, fed by its own engine, and a KV cache per engine', async () => {
    const before = await (await fetch(`${app.url}/metrics`)).text();
    await app.openai.completions.create({ model: 'opt', prompt: 'Once upon a time', max_tokens: 7, ignore_eos: true } as never);
    const after = await (await fetch(`${app.url}/metrics`)).text();
    const delta = (model: string) => metric(after, 'vllm:generation_tokens_total', model) - metric(before, 'vllm:generation_tokens_total', model);
    expect(delta('opt')).toBe(7);
    expect(delta(PRIMARY)).toBe(0);
    expect(metric(after, 'vllm:num_requests_running', EMBEDDER)).toBe(0);
    // Each engine sized its KV cache for its own model and GPU.
    const blocks = [...after.matchAll(/^vllm:cache_config_info\{[^}]*num_gpu_blocks="(\d+)"/gm)].map((m) => Number(m[1]));
    expect(new Set(blocks).size).toBe(3);
    // /admin/status shows every model's engine.
    const status = (await (await fetch(`${app.url}/admin/status`)).json()) as { models: Array<{ model: string; kv_cache_blocks: number }> };
    expect(status.models.map((m) => m.model)).toEqual([PRIMARY, 'opt', EMBEDDER]);
    expect(status.models.map((m) => m.kv_cache_blocks).sort()).toEqual([...blocks].sort());
  });

  it('refuses a name two models share, and a setting that is the server\'s, at start-up', async () => {
    await expect(bootApp({ additional_models: [`${SMALL};served_model_name=${PRIMARY}`] })).rejects.toThrow(`The served model name '${PRIMARY}' is used by two models`);
    await expect(bootApp({ additional_models: [`${SMALL};port=9`] })).rejects.toThrow('port cannot be set per model');
  });
});
