import { bootApp, post, readSse, TestApp } from './support/app';
import { parseExposition, sample } from './support/prometheus';

/*
 * Prefill/decode disaggregation as llm-d's routing sidecar drives it against two vLLM instances
 * with the NIXL connector: the prefill instance computes the prompt and answers at once with the
 * kv_transfer_params for the decoder; the decoder pulls the KV instead of computing it.
 */

const NIXL = (role: string) => JSON.stringify({ kv_connector: 'NixlConnector', kv_role: role });
/** Prefill costs 2 ms per prompt token on both; the decoder's KV transfer takes 60 ms. */
const TIMING = { latency_scale: 1, prefill_ms_per_token: 2, itl_ms: 10 };
const PROMPT = Array.from({ length: 200 }, (_, i) => 1000 + ((i * 13) % 5000));
/** What the sidecar sends the prefill instance (llm-d's pd-sidecar, vLLM's toy proxy). */
const TO_PREFILL = { do_remote_decode: true, do_remote_prefill: false, remote_engine_id: null, remote_block_ids: null, remote_host: null, remote_port: null };

describe('P/D disaggregation: a prefill and a decode simulator behind a routing sidecar', () => {
  let prefill: TestApp;
  let decode: TestApp;

  beforeAll(async () => {
    [prefill, decode] = await Promise.all([
      bootApp({ ...TIMING, kv_transfer_config: NIXL('kv_producer') }),
      bootApp({ ...TIMING, kv_transfer_config: NIXL('kv_consumer'), kv_cache_transfer_latency_ms: 60 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([prefill?.close(), decode?.close()]);
  });

  const metrics = async (app: TestApp) => parseExposition(await (await fetch(`${app.url}/metrics`)).text());

  it('prefill side: answers after the prefill with one token, finish_reason "length" and the params for the decoder', async () => {
    const res = await post(`${prefill.url}/v1/completions`, { prompt: PROMPT, max_tokens: 1, kv_transfer_params: TO_PREFILL });
    expect(res.status).toBe(200);
    expect(res.json.choices[0].finish_reason).toBe('length');
    expect(res.json.usage).toMatchObject({ prompt_tokens: 200, completion_tokens: 1 });
    const params = res.json.kv_transfer_params;
    expect(params).toMatchObject({ do_remote_prefill: true, do_remote_decode: false, remote_host: '127.0.0.1', remote_port: 5600, tp_size: 1 });
    expect(params.remote_block_ids).toHaveLength(12);
    expect(typeof params.remote_engine_id).toBe('string');
    expect(params.remote_request_id).toBe(res.json.id);
  });

  it("decode side: the first token's time excludes the prefill and includes the KV transfer", async () => {
    const fromPrefill = (await post(`${prefill.url}/v1/completions`, { prompt: PROMPT, max_tokens: 1, kv_transfer_params: TO_PREFILL })).json.kv_transfer_params;
    const res = await fetch(`${decode.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: PROMPT, max_tokens: 5, ignore_eos: true, stream: true, kv_transfer_params: fromPrefill }),
    });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.slice(0, -1).map((e) => JSON.parse(e).choices[0].finish_reason).at(-1)).toBe('length');

    const m = await metrics(decode);
    // The engine's own clock: 60 ms of transfer, then a one-token prefill step (2 ms) plus timer slack;
    // computing the prompt here would have taken 400 ms.
    const ttft = sample(m, 'vllm:time_to_first_token_seconds_sum');
    expect(ttft).toBeGreaterThanOrEqual(0.062);
    expect(ttft).toBeLessThan(0.3);
    expect(sample(m, 'vllm:nixl_xfer_time_seconds_count')).toBe(1);
    expect(sample(m, 'vllm:nixl_xfer_time_seconds_sum')).toBeCloseTo(0.06, 6);
    expect(sample(m, 'vllm:nixl_bytes_transferred_count')).toBe(1);
    expect(sample(m, 'vllm:prompt_tokens_by_source_total', 'source="external_kv_transfer"')).toBe(200);
    expect(sample(m, 'vllm:prompt_tokens_by_source_total', 'source="local_compute"')).toBe(1);

    // The same request without the prefill's params is computed on the decoder: 400 ms of prefill.
    const local = await post(`${decode.url}/v1/completions`, { prompt: PROMPT.map((t) => t + 1), max_tokens: 1 });
    expect(local.status).toBe(200);
    const after = await metrics(decode);
    expect(sample(after, 'vllm:time_to_first_token_seconds_sum') - ttft).toBeGreaterThanOrEqual(0.4);
  });

  it('serves the same flow on chat completions and on /inference/v1/generate (token ids in, token ids out)', async () => {
    const chat = await post(`${prefill.url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'Summarize the report.' }], max_tokens: 1, kv_transfer_params: TO_PREFILL });
    expect(chat.json.choices[0].finish_reason).toBe('length');
    expect(chat.json.kv_transfer_params.do_remote_prefill).toBe(true);

    const p = await post(`${prefill.url}/inference/v1/generate`, { request_id: 'gen-1', token_ids: PROMPT, sampling_params: { max_tokens: 1 }, kv_transfer_params: TO_PREFILL });
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ request_id: 'gen-1', prompt_logprobs: null, kv_transfer_params: { do_remote_prefill: true, remote_request_id: 'gen-1' } });
    expect(p.json.choices).toEqual([{ index: 0, logprobs: null, finish_reason: 'length', token_ids: [expect.any(Number)] }]);

    const res = await fetch(`${decode.url}/inference/v1/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request_id: 'gen-1', token_ids: PROMPT, sampling_params: { max_tokens: 4, ignore_eos: true }, stream: true, kv_transfer_params: p.json.kv_transfer_params }),
    });
    const chunks = (await readSse(res)).slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.every((c) => c.request_id === 'gen-1')).toBe(true);
    expect(chunks.flatMap((c) => c.choices[0].token_ids)).toHaveLength(4);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('length');
  });

  it('renders a request into the token ids its prefill would see', async () => {
    const messages = [{ role: 'user', content: 'What is the capital of France?' }];
    const rendered = await post(`${prefill.url}/v1/chat/completions/render`, { messages });
    const tokenized = await post(`${prefill.url}/tokenize`, { messages });
    expect(rendered.status).toBe(200);
    expect(rendered.json.token_ids).toEqual(tokenized.json.tokens);
    const completions = await post(`${prefill.url}/v1/completions/render`, { prompt: ['one', 'two words'] });
    expect(completions.json).toHaveLength(2);
    expect(completions.json[1].token_ids.length).toBeGreaterThan(completions.json[0].token_ids.length - 1);
  });

  it('refuses malformed kv_transfer_params with a 400 naming them', async () => {
    const both = await post(`${decode.url}/v1/completions`, { prompt: 'x', kv_transfer_params: { do_remote_decode: true, do_remote_prefill: true } });
    expect(both.status).toBe(400);
    expect(both.json.error.param).toBe('kv_transfer_params');
    const huge = await post(`${decode.url}/v1/completions`, { prompt: 'x', kv_transfer_params: { remote_block_ids: Array.from({ length: 70_000 }, (_, i) => i % 1000) } });
    expect(huge.status).toBe(400);
  });
});
