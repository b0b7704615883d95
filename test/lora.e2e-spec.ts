import { bootApp, post, TestApp } from './support/app';
import { pollUntil } from './support/child';
import { parseExposition, sample } from './support/prometheus';

/*
 * LoRA adapters as vLLM serves them: --lora-modules at start-up, /v1/load_lora_adapter and
 * /v1/unload_lora_adapter at run time, adapters in /v1/models, `model: <adapter>` served, and the
 * batch limit (max_loras) seen where vLLM shows it: vllm:num_requests_waiting_by_reason{reason="deferred"}
 * and vllm:lora_requests_info.
 */
describe('LoRA adapters', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await bootApp({
      enable_lora: true,
      lora_modules: ['sql-lora=/adapters/sql', '{"name": "doc-lora", "path": "/adapters/doc"}'],
      max_loras: 1,
      allow_runtime_lora_updating: true,
      latency_scale: 1,
      ttft_ms: 5,
      itl_ms: 25,
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  const metrics = async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    return { text, m: parseExposition(text) };
  };

  it('lists adapters in /v1/models with their path as root and the base model as parent', async () => {
    const models = await app.openai.models.list();
    const byId = Object.fromEntries(models.data.map((m) => [m.id, m as unknown as Record<string, unknown>]));
    const base = app.settings.model;
    expect(byId[base]).toMatchObject({ parent: null, root: base });
    expect(byId['sql-lora']).toMatchObject({ object: 'model', owned_by: 'vllm', root: '/adapters/sql', parent: base, max_model_len: null });
    expect(byId['doc-lora']).toMatchObject({ root: '/adapters/doc', parent: base });
  });

  it('loads an adapter at run time, serves it by name and unloads it, with vLLM answers', async () => {
    const load = await post(`${app.url}/v1/load_lora_adapter`, { lora_name: 'chat-lora', lora_path: '/adapters/chat' });
    expect(load.status).toBe(200);
    expect(load.text).toBe("Success: LoRA adapter 'chat-lora' added successfully.");
    const again = await post(`${app.url}/v1/load_lora_adapter`, { lora_name: 'chat-lora', lora_path: '/adapters/chat' });
    expect(again.status).toBe(400);
    expect(again.json.error).toMatchObject({ message: "The lora adapter 'chat-lora' has already been loaded.", type: 'InvalidUserInput', code: 400 });
    expect((await post(`${app.url}/v1/load_lora_adapter`, { lora_name: 'x' })).json.error.message).toBe("Both 'lora_name' and 'lora_path' must be provided.");

    const completion = await app.openai.completions.create({ model: 'chat-lora', prompt: 'Say hi', max_tokens: 3 });
    expect(completion.model).toBe('chat-lora');

    const unload = await post(`${app.url}/v1/unload_lora_adapter`, { lora_name: 'chat-lora' });
    expect(unload.status).toBe(200);
    expect(unload.text).toBe("Success: LoRA adapter 'chat-lora' removed successfully.");
    const gone = await post(`${app.url}/v1/completions`, { model: 'chat-lora', prompt: 'Say hi', max_tokens: 3 });
    expect(gone.status).toBe(404);
    expect(gone.json.error.message).toBe('The model `chat-lora` does not exist.');
    const unloadAgain = await post(`${app.url}/v1/unload_lora_adapter`, { lora_name: 'chat-lora' });
    expect(unloadAgain.status).toBe(404);
    expect(unloadAgain.json.error).toMatchObject({ message: "The lora adapter 'chat-lora' cannot be found.", type: 'NotFoundError' });
  });

  it('admits one adapter per batch (max_loras 1): a request of another waits, counted as deferred and in lora_requests_info', async () => {
    const long = post(`${app.url}/v1/completions`, { model: 'sql-lora', prompt: 'SELECT', max_tokens: 24, ignore_eos: true });
    const other = post(`${app.url}/v1/completions`, { model: 'doc-lora', prompt: 'Document this', max_tokens: 2, ignore_eos: true });
    const base = post(`${app.url}/v1/completions`, { prompt: 'plain', max_tokens: 10, ignore_eos: true });
    const info = /^vllm:lora_requests_info\{max_lora="1",running_lora_adapters="sql-lora",waiting_lora_adapters="doc-lora"\} \d+(\.\d+)?(e\+\d+)?$/m;
    // The info gauge is stamped when a step ends (as vLLM's scheduler stats are), so it can trail
    // the waiting gauges, read at scrape time, by the step in which doc-lora was first held back.
    const seen = await pollUntil('the doc-lora request to wait', async () => {
      const { text, m } = await metrics();
      const deferred = sample(m, 'vllm:num_requests_waiting_by_reason', 'reason="deferred"');
      return deferred === 1 && sample(m, 'vllm:num_requests_running') === 2 && info.test(text) ? { text, m } : undefined;
    }, 5_000);
    // The base model's request runs beside sql-lora's: only doc-lora's waits, and not for capacity.
    expect(sample(seen.m, 'vllm:num_requests_waiting_by_reason', 'reason="capacity"')).toBe(0);
    expect(seen.text).toMatch(info);
    // The base model's request is not held back by the adapter limit.
    expect((await base).status).toBe(200);
    const [first, second] = [await long, await other];
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.json.model).toBe('doc-lora');
    const after = await metrics();
    expect(sample(after.m, 'vllm:num_requests_waiting_by_reason', 'reason="deferred"')).toBe(0);
  });
});

describe('LoRA routes without VLLM_ALLOW_RUNTIME_LORA_UPDATING', () => {
  it('answers 404, as vLLM does not serve them then', async () => {
    const app = await bootApp({ enable_lora: true });
    try {
      expect((await post(`${app.url}/v1/load_lora_adapter`, { lora_name: 'a', lora_path: '/a' })).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
