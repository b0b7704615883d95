import { Catalog } from './catalog';
import { InsufficientMemoryError } from './catalog-errors';
import { NON_TORCH_RESERVE_BYTES, kvBytesPerTokenPerGpu, kvCacheCapacity } from './kv-capacity';

const catalog = Catalog.load();
const mistral = catalog.resolveModel('mistralai/Mistral-7B-Instruct-v0.3');
const l4 = catalog.resolveGpu('NVIDIA-L4');
const base = { model: mistral, gpu: l4, tensorParallelSize: 1, gpuMemoryUtilization: 0.9, blockSize: 16, kvDtype: '16bit' as const, maxNumBatchedTokens: 8192 };

describe('KV cache capacity', () => {
  it('stores 2 x layers x kv_heads x head_dim x 2 bytes per token (128 KiB for Mistral-7B in bf16)', () => {
    expect(kvBytesPerTokenPerGpu(mistral, 1, '16bit')).toBe(2 * 32 * 8 * 128 * 2);
    expect(kvBytesPerTokenPerGpu(mistral, 1, 'fp8')).toBe(2 * 32 * 8 * 128);
    expect(kvBytesPerTokenPerGpu(mistral, 2, '16bit')).toBe(2 * 32 * 4 * 128 * 2);
  });

  it('is (memory x utilisation - weights - reserve) / bytes per token, in whole blocks', () => {
    const kv = kvCacheCapacity(base);
    const weights = mistral.numParameters * 2;
    const reserve = 8192 * (4 * 4096 + 2 * 14336) * 2 + NON_TORCH_RESERVE_BYTES;
    const expected = Math.floor((24 * 1024 ** 3 * 0.9 - weights - reserve) / (131072 * 16));
    expect(kv.blocks).toBe(expected);
    expect(kv.tokens).toBe(expected * 16);
    // About 52k tokens: more than one full 32k context, as vLLM reports on an L4.
    expect(kv.tokens).toBeGreaterThan(45_000);
    expect(kv.tokens).toBeLessThan(60_000);
  });

  it('doubles the tokens with an fp8 KV cache and grows with utilisation and TP', () => {
    const kv = kvCacheCapacity(base);
    expect(kvCacheCapacity({ ...base, kvDtype: 'fp8' }).tokens).toBeCloseTo(2 * kv.tokens, -2);
    expect(kvCacheCapacity({ ...base, gpuMemoryUtilization: 0.95 }).tokens).toBeGreaterThan(kv.tokens);
    expect(kvCacheCapacity({ ...base, tensorParallelSize: 2 }).tokens).toBeGreaterThan(3 * kv.tokens);
  });

  it('refuses to start when the weights do not fit, naming needed vs available memory', () => {
    const big = catalog.resolveModel('meta-llama/Llama-3.1-70B-Instruct');
    expect(() => kvCacheCapacity({ ...base, model: big })).toThrow(InsufficientMemoryError);
    expect(() => kvCacheCapacity({ ...base, model: big })).toThrow(
      /does not fit on 1 x NVIDIA-L4: it needs 131\.\d\d GiB of weights \+ [\d.]+ GiB reserve per GPU, but only 21\.60 GiB per GPU is available/,
    );
  });
});
