import { bootApp, post, TestApp } from './support/app';

/*
 * vLLM's development routes (VLLM_SERVER_DEV_MODE) and sleep mode (--enable-sleep-mode): sleep
 * pauses the engine and drops its KV cache, requests that arrive meanwhile wait, waking costs the
 * time to copy the weights back; plus /reset_prefix_cache, /server_info and SageMaker's /invocations.
 */

const isSleeping = async (url: string): Promise<boolean> => ((await (await fetch(`${url}/is_sleeping`)).json()) as { is_sleeping: boolean }).is_sleeping;

const sleepState = async (url: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (state: string) => Number(new RegExp(`^vllm:engine_sleep_state\\{[^}]*sleep_state="${state}"[^}]*\\} (\\S+)$`, 'm').exec(text)![1]);
  return { awake: value('awake'), weights_offloaded: value('weights_offloaded'), discard_all: value('discard_all') };
};

describe('sleep mode and development routes', () => {
  let app: TestApp;
  beforeAll(async () => {
    // Mistral-7B's 14.5 GB of weights over 50 GB/s: about 0.29 s to wake at latency scale 1.
    app = await bootApp({ enable_sleep_mode: true, server_dev_mode: true, sleep_reload_gbps: 50, latency_scale: 1, enable_prompt_tokens_details: true, ttft_ms: 1, itl_ms: 1 });
  });
  afterAll(() => app.close());

  it('sleeps, holds a request that arrives meanwhile, and wakes after the weights are reloaded', async () => {
    expect((await post(`${app.url}/sleep?level=1`, {})).status).toBe(200);
    expect((await (await fetch(`${app.url}/is_sleeping`)).json())).toEqual({ is_sleeping: true });
    expect(await sleepState(app.url)).toEqual({ awake: 0, weights_offloaded: 1, discard_all: 0 });

    let answered = false;
    const pending = post(`${app.url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'hello' }], max_tokens: 3 }).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(answered).toBe(false);
    expect(((await (await fetch(`${app.url}/load`)).json()) as { server_load: number }).server_load).toBe(1);

    const started = performance.now();
    expect((await post(`${app.url}/wake_up`, {})).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.json.choices[0].message.content.length).toBeGreaterThan(0);
    expect((await (await fetch(`${app.url}/is_sleeping`)).json())).toEqual({ is_sleeping: false });
    expect(await sleepState(app.url)).toEqual({ awake: 1, weights_offloaded: 0, discard_all: 0 });
  });

  it('stays asleep until every tag is woken; level 2 reports discard_all', async () => {
    await post(`${app.url}/sleep?level=2`, {});
    expect(await sleepState(app.url)).toEqual({ awake: 0, weights_offloaded: 0, discard_all: 1 });
    await post(`${app.url}/wake_up?tags=weights`, {});
    expect(await isSleeping(app.url)).toBe(true);
    await post(`${app.url}/wake_up?tags=kv_cache&tags=scheduling`, {});
    expect(await isSleeping(app.url)).toBe(false);
    const bad = await post(`${app.url}/wake_up?tags=gpu`, {});
    expect(bad.status).toBe(400);
  });

  it('sleep mode "abort" ends the requests in flight', async () => {
    const res = await fetch(`${app.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'count to a thousand', max_tokens: 2000, ignore_eos: true, stream: true }),
    });
    const reader = res.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    // The first chunk is out: the request runs in the engine.
    await post(`${app.url}/sleep?level=1&mode=abort`, {});
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += new TextDecoder().decode(chunk.value);
    expect(text).toContain('"finish_reason":"abort"');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    await post(`${app.url}/wake_up`, {});
  });

  it('reset_prefix_cache drops the cached prefixes', async () => {
    const prompt = 'a shared system prompt that is long enough to fill a few blocks of the cache '.repeat(4);
    const ask = () => post(`${app.url}/v1/completions`, { prompt, max_tokens: 1 });
    await ask();
    expect((await ask()).json.usage.prompt_tokens_details.cached_tokens).toBeGreaterThan(0);
    expect((await post(`${app.url}/reset_prefix_cache`, {})).status).toBe(200);
    expect((await ask()).json.usage.prompt_tokens_details).toBeNull();
  });

  it('server_info answers the configuration; /invocations dispatches by request type', async () => {
    const info = await (await fetch(`${app.url}/server_info?config_format=json`)).json();
    expect(info).toMatchObject({ vllm_config: { model: 'mistralai/Mistral-7B-Instruct-v0.3', enable_sleep_mode: true }, vllm_env: { VLLM_SERVER_DEV_MODE: '1' } });
    const chat = await post(`${app.url}/invocations`, { messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    expect(chat.json.object).toBe('chat.completion');
    const completion = await post(`${app.url}/invocations`, { prompt: 'Once upon a time', max_tokens: 3 });
    expect(completion.json.object).toBe('text_completion');
    const neither = await post(`${app.url}/invocations`, { input: 'x' });
    expect(neither.status).toBe(400);
    expect(neither.json.error.message).toBe("Cannot find suitable handler for request. Expected one of: ['ChatCompletionRequest', 'CompletionRequest']");
  });

  it('without VLLM_SERVER_DEV_MODE the routes are not served; without --enable-sleep-mode sleep is refused', async () => {
    const plain = await bootApp();
    const devOnly = await bootApp({ server_dev_mode: true });
    try {
      expect((await post(`${plain.url}/sleep`, {})).status).toBe(404);
      expect((await fetch(`${plain.url}/is_sleeping`)).status).toBe(404);
      const refused = await post(`${devOnly.url}/sleep`, {});
      expect(refused.status).toBe(400);
      expect(refused.json.error.message).toMatch(/--enable-sleep-mode/);
    } finally {
      await plain.close();
      await devOnly.close();
    }
  });
});
