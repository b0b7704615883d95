import { Catalog } from './catalog';
import { stepModelFor } from './resolve-profile';
import { StepBatch } from './profile.types';
import { modelSpecFromConfig } from './model-spec';
import { RooflineStepTimeModel } from './roofline-step-model';
import { DEFAULT_COEFFICIENTS, asyncSchedulingIn, loadStepModel } from './step-coefficients';

const catalog = Catalog.load();
const file = loadStepModel();
const model = (m: string, g: string, tp = 1) => stepModelFor(catalog.resolveModel(m), catalog.resolveGpu(g), tp, file).stepTime;
const decode = (seqs: number, context = 512): StepBatch => ({ prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: seqs, decodeContextTokens: seqs * context });
const prefill = (tokens: number): StepBatch => ({ prefillTokens: tokens, prefillContextTokens: 0, decodeSeqs: 0, decodeContextTokens: 0 });

describe('roofline step time (fitted coefficients)', () => {
  const mistralL4 = model('mistralai/Mistral-7B-Instruct-v0.3', 'NVIDIA-L4');

  it('decodes one Mistral-7B stream on an L4 in 50-65 ms per step', () => {
    const ms = mistralL4.stepTimeMs(decode(1));
    expect(ms).toBeGreaterThan(50);
    expect(ms).toBeLessThan(65);
  });

  it('prefills a short prompt in tens of ms and a 4000-token prompt several times slower', () => {
    const short = mistralL4.stepTimeMs(prefill(100));
    const long = mistralL4.stepTimeMs(prefill(4000));
    expect(short).toBeGreaterThan(10);
    expect(short).toBeLessThan(100);
    expect(long).toBeGreaterThan(4 * short);
  });

  it('rises with the batch size and the context', () => {
    const times = [1, 8, 32, 64, 256].map((b) => mistralL4.stepTimeMs(decode(b)));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    expect(mistralL4.stepTimeMs(decode(16, 8000))).toBeGreaterThan(mistralL4.stepTimeMs(decode(16, 500)));
  });

  it('runs Llama-3.1-8B several times faster on an H100 than on an L4', () => {
    const h100 = model('meta-llama/Llama-3.1-8B-Instruct', 'NVIDIA-H100');
    const l4 = model('meta-llama/Llama-3.1-8B-Instruct', 'NVIDIA-L4');
    expect(l4.stepTimeMs(decode(1)) / h100.stepTimeMs(decode(1))).toBeGreaterThan(4);
    expect(l4.stepTimeMs(prefill(2000)) / h100.stepTimeMs(prefill(2000))).toBeGreaterThan(4);
  });

  it('is slower per token for a 70B on 4 x H100 than for an 8B on one H100', () => {
    const big = model('meta-llama/Llama-3.1-70B-Instruct', 'H100', 4);
    const small = model('meta-llama/Llama-3.1-8B-Instruct', 'H100', 1);
    expect(big.stepTimeMs(decode(1))).toBeGreaterThan(small.stepTimeMs(decode(1)));
    expect(big.stepTimeMs(decode(32))).toBeGreaterThan(small.stepTimeMs(decode(32)));
  });

  it('charges tensor parallelism for its all-reduces', () => {
    const tp1 = model('meta-llama/Llama-3.1-8B-Instruct', 'H100', 1).breakdown(decode(1));
    const tp2 = model('meta-llama/Llama-3.1-8B-Instruct', 'H100', 2).breakdown(decode(1));
    expect(tp1.communicationMs).toBe(0);
    expect(tp2.communicationMs).toBeGreaterThan(0);
    // Each rank streams half the weights (plus the fixed time of its kernels).
    expect(tp2.linearMs).toBeLessThan(0.6 * tp1.linearMs);
    expect(tp2.linearMs).toBeGreaterThan(0.45 * tp1.linearMs);
  });

  it('reads only the routed experts of a MoE model at small batch', () => {
    const mixtral = model('mistralai/Mixtral-8x7B-Instruct-v0.1', 'H100', 2);
    expect(mixtral.breakdown(decode(1)).moeMs).toBeLessThan(0.5 * mixtral.breakdown(decode(64)).moeMs);
  });

  it('decodes Llama-3.1-8B on one H100 in 5-9 ms and a 70B on 4 x H100 in 11-18 ms at low batch (vLLM 0.10+)', () => {
    const small = model('meta-llama/Llama-3.1-8B-Instruct', 'H100', 1).stepTimeMs(decode(1, 1000));
    const big = model('meta-llama/Llama-3.1-70B-Instruct', 'H100', 4).stepTimeMs(decode(1, 1000));
    expect(small).toBeGreaterThan(5);
    expect(small).toBeLessThan(9);
    expect(big).toBeGreaterThan(11);
    expect(big).toBeLessThan(18);
  });

  it('charges all-reduces more over PCIe than over NVLink', () => {
    const nvlink = model('meta-llama/Llama-3.1-8B-Instruct', 'H100', 2).breakdown(decode(8));
    const pcie = model('meta-llama/Llama-3.1-8B-Instruct', 'H100-PCIe', 2).breakdown(decode(8));
    expect(pcie.communicationMs).toBeGreaterThan(1.5 * nvlink.communicationMs);
  });

  it('runs large steps eagerly, small ones from a CUDA graph', () => {
    const m = model('meta-llama/Llama-3.1-8B-Instruct', 'H100', 2);
    expect(m.breakdown(decode(64)).cudaGraph).toBe(true);
    expect(m.breakdown(prefill(4096)).cudaGraph).toBe(false);
  });

  it('costs causal attention per prefilling sequence, not over their sum', () => {
    const m = model('meta-llama/Llama-3.1-8B-Instruct', 'H100', 1);
    const one: StepBatch = { ...prefill(4000), prefillSeqs: 1, prefillAttentionTokens: 4000 * 2000 };
    const four: StepBatch = { ...prefill(4000), prefillSeqs: 4, prefillAttentionTokens: 4 * 1000 * 500 };
    expect(m.breakdown(four).attentionMs).toBeLessThan(m.breakdown(one).attentionMs);
  });

  it('streams 8-bit weights faster than 16-bit ones', () => {
    const spec = catalog.resolveModel('meta-llama/Llama-3.1-70B-Instruct');
    const fp8 = stepModelFor(spec, catalog.resolveGpu('H100'), 4, file, { weights: 'fp8' }).stepTime;
    const bf16 = stepModelFor(spec, catalog.resolveGpu('H100'), 4, file, { weights: '16bit' }).stepTime;
    expect(fp8.stepTimeMs(decode(1))).toBeLessThan(0.8 * bf16.stepTimeMs(decode(1)));
  });

  it('takes no time for an empty step', () => {
    expect(mistralL4.stepTimeMs(decode(0))).toBe(0);
  });
});

describe('roofline step time: the host around the GPU', () => {
  const spec = (m: string) => catalog.resolveModel(m);
  const host = { ...DEFAULT_COEFFICIENTS, step_overhead_ms: 2, per_seq_overhead_ms: 0.01 };
  const at = (m: string, g: string, tp: number, asyncScheduling: boolean) =>
    new RooflineStepTimeModel(spec(m), catalog.resolveGpu(g), tp, host, { asyncScheduling });

  it('adds the host work to each step of a synchronous engine, and hides it behind the GPU under async scheduling', () => {
    const sync = at('meta-llama/Llama-3.1-70B-Instruct', 'H100', 4, false).breakdown(decode(8));
    const overlapped = at('meta-llama/Llama-3.1-70B-Instruct', 'H100', 4, true).breakdown(decode(8));
    expect(sync.overheadMs).toBeCloseTo(2.08, 6);
    expect(overlapped.overheadMs).toBe(0);
    expect(sync.totalMs - overlapped.totalMs).toBeCloseTo(2.08, 6);
  });

  it('under async scheduling, a step whose GPU work is shorter than the host work takes the host time', () => {
    const tiny = at('Qwen/Qwen2.5-0.5B-Instruct', 'H100', 1, true);
    const b = tiny.breakdown(decode(256));
    expect(b.totalMs).toBeCloseTo(2 + 0.01 * 256, 6);
  });

  it("gives the API server's time per request, growing with the prompt, and none offline", () => {
    const online = at('meta-llama/Llama-3.1-8B-Instruct', 'H100', 1, true).host;
    const offline = new RooflineStepTimeModel(spec('meta-llama/Llama-3.1-8B-Instruct'), catalog.resolveGpu('H100'), 1, host, { offline: true }).host;
    expect(online.frontendMs(0)).toBe(host.frontend_ms);
    expect(online.frontendMs(4000)).toBeCloseTo(host.frontend_ms + 4 * host.frontend_per_1k_tokens_ms, 9);
    expect(offline.frontendMs(4000)).toBe(0);
  });

  it('schedules asynchronously from the release its family names, and in the newest releases the server impersonates', () => {
    const family = { async_scheduling_since: '0.14.0' };
    expect(asyncSchedulingIn(family, '0.12.0')).toBe(false);
    expect(asyncSchedulingIn(family, '0.14.1')).toBe(true);
    expect(asyncSchedulingIn(family, null)).toBe(true);
    expect(asyncSchedulingIn({}, '0.18.0')).toBe(false);
  });
});

describe('roofline step time: sliding-window attention', () => {
  it('reads five of six Gemma 3 layers only within their 1024-token window', () => {
    const gemma = catalog.resolveModel('google/gemma-3-12b-it');
    expect(gemma.slidingWindow).toEqual({ window: 1024, layers: 40 });
    const gpu = catalog.resolveGpu('H100');
    const windowed = new RooflineStepTimeModel(gemma, gpu, 1, DEFAULT_COEFFICIENTS);
    const full = new RooflineStepTimeModel({ ...gemma, slidingWindow: undefined }, gpu, 1, DEFAULT_COEFFICIENTS);
    // Short contexts fit the window: no difference. Long ones: the sliding layers stop growing.
    expect(windowed.breakdown(decode(32, 800)).attentionMs).toBeCloseTo(full.breakdown(decode(32, 800)).attentionMs, 9);
    const long = (m: RooflineStepTimeModel) => m.breakdown(decode(32, 8000)).attentionMs;
    expect(long(windowed)).toBeLessThan(0.35 * long(full));
    const prefillLong: StepBatch = { ...prefill(8000), prefillSeqs: 1, prefillAttentionTokens: 8000 * 4000 };
    expect(windowed.breakdown(prefillLong).attentionMs).toBeLessThan(0.5 * full.breakdown(prefillLong).attentionMs);
  });

  it('alternates sliding and full layers for Gemma 2 and gpt-oss, and slides in none for Llama or Qwen', () => {
    expect(catalog.resolveModel('google/gemma-2-9b-it').slidingWindow).toEqual({ window: 4096, layers: 21 });
    expect(catalog.resolveModel('openai/gpt-oss-120b').slidingWindow).toEqual({ window: 128, layers: 18 });
    expect(catalog.resolveModel('meta-llama/Llama-3.1-8B-Instruct').slidingWindow).toBeUndefined();
    expect(catalog.resolveModel('Qwen/Qwen2.5-7B-Instruct').slidingWindow).toBeUndefined();
  });

  it("takes the layers a config.json lists as sliding_attention, and none when use_sliding_window is false", () => {
    const base = { num_hidden_layers: 4, hidden_size: 1024, intermediate_size: 4096, num_attention_heads: 8, vocab_size: 32000, max_position_embeddings: 32768, sliding_window: 512 };
    const listed = modelSpecFromConfig({ ...base, layer_types: ['sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention'] }, 'm', 'test');
    expect(listed.slidingWindow).toEqual({ window: 512, layers: 3 });
    expect(modelSpecFromConfig({ ...base, use_sliding_window: false }, 'm', 'test').slidingWindow).toBeUndefined();
  });
});
