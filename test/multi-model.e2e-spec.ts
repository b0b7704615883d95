import { bootApp, post, TestApp } from './support/app';
import { cleanEnv, exitWithin, freePort, SimulatorProcess, spawnSimulator, waitForHttp } from './support/child';

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

describe('LoRA adapters beside additional models', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootApp({ enable_lora: true, lora_modules: ['sql=/adapters/sql'], additional_models: [`${SMALL};served_model_name=opt`] });
  });
  afterAll(() => app.close());

  it('an adapter is served under the first model, on its engine; the additional model resolves too', async () => {
    const models = await app.openai.models.list();
    const cards = models.data.map((m) => [m.id, (m as unknown as { parent: string | null }).parent]);
    expect(cards).toEqual([[PRIMARY, null], ['sql', PRIMARY], ['opt', null]]);
    const before = await (await fetch(`${app.url}/metrics`)).text();
    const viaAdapter = await app.openai.completions.create({ model: 'sql', prompt: 'SELECT', max_tokens: 3, ignore_eos: true } as never);
    const viaOpt = await app.openai.completions.create({ model: 'opt', prompt: 'SELECT', max_tokens: 5, ignore_eos: true } as never);
    expect([viaAdapter.model, viaOpt.model]).toEqual(['sql', 'opt']);
    const after = await (await fetch(`${app.url}/metrics`)).text();
    const delta = (model: string) => metric(after, 'vllm:generation_tokens_total', model) - metric(before, 'vllm:generation_tokens_total', model);
    expect([delta(PRIMARY), delta('opt')]).toEqual([3, 5]);
  });

  it('refuses an adapter that takes an additional model\'s name', async () => {
    await expect(bootApp({ enable_lora: true, lora_modules: ['opt=/adapters/opt'], additional_models: [`${SMALL};served_model_name=opt`] })).rejects.toThrow("The name 'opt' is a served model name");
  });
});

describe('two models whose timings differ, in one instance', () => {
  const SLOW = 'meta-llama/Llama-3.1-8B-Instruct';
  let app: TestApp;
  beforeAll(async () => {
    // Real (unscaled) step times: an 8B model on an L4, and a 0.6B reasoning model on an H100.
    app = await bootApp({ model: SLOW, gpu_type: 'NVIDIA-L4', latency_scale: 1, additional_models: ['Qwen/Qwen3-0.6B;gpu_type=NVIDIA-H100;served_model_name=small;reasoning_parser=qwen3'] });
  });
  afterAll(() => app.close());

  /** Mean of a histogram's observations for one model, from its _sum and _count. */
  const mean = (text: string, name: string, model: string) => metric(text, `${name}_sum`, model) / metric(text, `${name}_count`, model);

  it("streams each model at its own engine's pace (the step times of its model on its GPU), in parallel", async () => {
    const stream = async (model: string) => {
      const chunks = await app.openai.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Count from one to twenty.' }],
        max_tokens: 12,
        stream: true,
        stream_options: { include_usage: true },
        ignore_eos: true,
      } as never);
      let tokens = 0;
      for await (const chunk of chunks as unknown as AsyncIterable<{ model: string; usage?: { completion_tokens: number } | null }>) {
        expect(chunk.model).toBe(model);
        if (chunk.usage) tokens = chunk.usage.completion_tokens;
      }
      return tokens;
    };
    expect(await Promise.all([stream(SLOW), stream('small')])).toEqual([12, 12]);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const slowItl = mean(text, 'vllm:inter_token_latency_seconds', SLOW);
    const fastItl = mean(text, 'vllm:inter_token_latency_seconds', 'small');
    // Decoding is memory-bound: 16 GB of weights over an L4's 300 GB/s against 1.2 GB over an H100's 3.35 TB/s.
    expect(slowItl).toBeGreaterThan(0.02);
    expect(slowItl / fastItl).toBeGreaterThan(4);
    expect(mean(text, 'vllm:time_to_first_token_seconds', SLOW)).toBeGreaterThan(mean(text, 'vllm:time_to_first_token_seconds', 'small'));
  });

  it('keeps each model\'s own reasoning parser', async () => {
    const messages = [{ role: 'user' as const, content: 'What is 12 * 7?' }];
    const small = await app.openai.chat.completions.create({ model: 'small', messages, max_tokens: 400 });
    const slow = await app.openai.chat.completions.create({ model: SLOW, messages, max_tokens: 4 });
    expect((small.choices[0].message as { reasoning_content?: string }).reasoning_content).toBeTruthy();
    expect((slow.choices[0].message as { reasoning_content?: string | null }).reasoning_content ?? null).toBeNull();
  });
});

describe('several models from the command line', () => {
  const running: SimulatorProcess[] = [];
  afterAll(async () => {
    for (const sim of running) sim.kill('SIGKILL');
    await Promise.all(running.map((s) => s.exited));
  });

  it('--add-model repeated: one start-up line per additional model, every model in /v1/models', async () => {
    const port = await freePort();
    const sim = spawnSimulator(
      ['serve', PRIMARY, '--port', String(port), '--host', '127.0.0.1', '--no-grpc', '--add-model', `${SMALL};gpu_type=NVIDIA-H100;served_model_name=opt`, '--add-model', EMBEDDER],
      cleanEnv(),
    );
    running.push(sim);
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(sim, `${url}/health`);
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual([PRIMARY, 'opt', EMBEDDER]);
    expect(sim.output()).toMatch(/\[simulator\] Also serving 'opt' \(facebook\/opt-125m\) with its own engine: .*NVIDIA-H100.*; max_model_len 2048; \d+ KV cache blocks/);
    expect(sim.output()).toContain(`Also serving '${EMBEDDER}'`);
    sim.kill('SIGTERM');
    expect((await exitWithin(sim, 30_000)).code).toBe(0);
  });

  it('a bad --add-model entry stops start-up with exit code 2 before anything loads', async () => {
    const sim = spawnSimulator(['serve', PRIMARY, '--no-grpc', '--add-model', `${SMALL};port=9`], cleanEnv());
    running.push(sim);
    expect((await exitWithin(sim, 60_000)).code).toBe(2);
    expect(sim.stderr()).toContain('additional_models[0]: port cannot be set per model.');
    expect(sim.output()).not.toContain('loaded');
  });
});
