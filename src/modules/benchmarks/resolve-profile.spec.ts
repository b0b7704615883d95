import { join } from 'node:path';
import { loadStepModel } from './step-coefficients';
import { Settings } from '../../config/settings';
import { CatalogError, InsufficientMemoryError, MaxModelLenTooLargeError, UnknownGpuError, UnknownModelError } from './catalog-errors';
import { listKnownGpus, listKnownModels, resolveContextWindow, resolveProfile } from './resolve-profile';

const settings = (patch: Partial<Settings> = {}): Settings => Object.assign(new Settings(), patch);

describe('resolveProfile', () => {
  it('resolves the default configuration (Mistral-7B on one L4)', () => {
    const p = resolveProfile(settings());
    expect(p.model).toEqual({
      id: 'mistralai/Mistral-7B-Instruct-v0.3',
      contextLength: 32768,
      numParameters: expect.any(Number),
      numActiveParameters: expect.any(Number),
      vocabSize: 32768,
    });
    expect(p.gpuId).toBe('NVIDIA-L4');
    expect(p.tensorParallelSize).toBe(1);
    expect(p.blockSize).toBe(16);
    expect(p.kvCacheBlocks).toBe(p.kvCapacity.blocks);
    expect(p.description).toMatch(/step model of vLLM v0\.10\+ fitted on \d+ measured points/);
    expect(p.stepTime.stepTimeMs({ prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: 1, decodeContextTokens: 100 })).toBeGreaterThan(50);
  });

  it('applies the configuration correction of the newest release family where it has measured points', () => {
    const file = loadStepModel();
    const correction = { model: 'meta-llama/Llama-3.1-8B-Instruct', gpu: 'NVIDIA-A100-80GB', tensor_parallel: 1, weights_dtype: '16bit' as const, decode_factor: 1.5, prefill_factor: 1.5, points: ['p1'] };
    const stepModel = { ...file, families: file.families.map((f) => (f.name === file.default_family ? { ...f, corrections: [correction] } : f)) };
    const s = settings({ model: 'meta-llama/Llama-3.1-8B-Instruct', gpu_type: 'NVIDIA-A100-80GB' });
    const p = resolveProfile(s, { stepModel });
    expect(p.correction).toEqual(correction);
    expect(p.description).toMatch(/calibrated on its own 1 points/);
    const plain = resolveProfile(s, { stepModel: { ...file, families: file.families.map((f) => ({ ...f, corrections: [] })) } });
    const decode = { prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: 1, decodeContextTokens: 100 };
    expect(p.stepTime.stepTimeMs(decode)).toBeCloseTo(1.5 * plain.stepTime.stepTimeMs(decode), 6);
  });

  it('reads the weight format from a quantized checkpoint name and sizes the weights by it', () => {
    const bf16 = resolveProfile(settings({ model: 'meta-llama/Llama-3.1-70B-Instruct', gpu_type: 'H100', tensor_parallel_size: 2 }));
    const fp8 = resolveProfile(settings({ model: 'RedHatAI/Llama-3.1-70B-Instruct-FP8-dynamic', gpu_type: 'H100', tensor_parallel_size: 2 }));
    expect(fp8.stepTime.weightsDtype).toBe('fp8');
    expect(fp8.description).toMatch(/fp8 weights/);
    expect(fp8.kvCapacity.weightsBytesPerGpu).toBeLessThan(0.55 * bf16.kvCapacity.weightsBytesPerGpu);
    expect(fp8.kvCacheBlocks).toBeGreaterThan(bf16.kvCacheBlocks);
  });

  it('serves a MoE FP8 model absent from the catalog from its config.json (--model-config)', () => {
    const config = join(__dirname, '__fixtures__', 'llama4-scout-fp8-config.json');
    const p = resolveProfile(settings({ model: 'acme/Scout-FP8-finetune', model_config: config, gpu_type: 'H100', tensor_parallel_size: 2 }));
    expect(p.modelSpec.id).toBe('acme/Scout-FP8-finetune');
    expect(p.stepTime.weightsDtype).toBe('fp8');
    expect(p.modelSpec.numExperts).toBe(16);
    // 108 B parameters at one byte leave room for a KV cache on 2 x 80 GB.
    expect(p.kvCacheBlocks).toBeGreaterThan(1000);
    const decode = (n: number) => ({ prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: n, decodeContextTokens: n * 1000 });
    // One token reads one expert per layer; 64 tokens read nearly all 16.
    expect(p.stepTime.stepTimeMs(decode(64))).toBeGreaterThan(1.5 * p.stepTime.stepTimeMs(decode(1)));
  });

  it('serves vLLM\'s batch limits for the GPU unless the settings give them', () => {
    expect(resolveProfile(settings({ gpu_type: 'NVIDIA-L4' })).limits).toEqual({ maxNumSeqs: 256, maxNumBatchedTokens: 2048 });
    expect(resolveProfile(settings({ model: 'meta-llama/Llama-3.1-8B-Instruct', gpu_type: 'H100' })).limits).toEqual({ maxNumSeqs: 1024, maxNumBatchedTokens: 8192 });
    expect(resolveProfile(settings({ model: 'meta-llama/Llama-3.1-8B-Instruct', gpu_type: 'H100', max_num_seqs: 64 })).limits.maxNumSeqs).toBe(64);
  });

  it('honours block size, kv cache dtype and TP', () => {
    const p = resolveProfile(settings({ model: 'meta-llama/Llama-3.1-70B-Instruct', gpu_type: 'H100', tensor_parallel_size: 4, block_size: 32, kv_cache_dtype: 'fp8' }));
    expect(p.blockSize).toBe(32);
    expect(p.gpuId).toBe('NVIDIA-H100-SXM');
    expect(p.kvCapacity.bytesPerTokenPerGpu).toBe(2 * 80 * 2 * 128);
  });

  it('throws the errors that stop start-up', () => {
    expect(() => resolveProfile(settings({ model: 'nope/nope' }))).toThrow(UnknownModelError);
    expect(() => resolveProfile(settings({ gpu_type: 'nope' }))).toThrow(UnknownGpuError);
    expect(() => resolveProfile(settings({ model: 'meta-llama/Llama-3.1-70B-Instruct' }))).toThrow(InsufficientMemoryError);
    expect(() => resolveProfile(settings({ tensor_parallel_size: 3 }))).toThrow(/tensor_parallel_size 3 must divide the number of attention heads/);
    expect(() => resolveProfile(settings({ max_model_len: 200_000 }))).toThrow(CatalogError);
    expect(() => resolveProfile(settings({ max_model_len: 200_000 }))).toThrow(/larger than the maximum number of tokens that can be stored in KV cache/);
  });

  describe('context window (max_model_len)', () => {
    const llamaOnL4 = { model: 'meta-llama/Llama-3.1-8B-Instruct', gpu_type: 'NVIDIA-L4' };

    it("is the model's context when the KV cache holds it", () => {
      const p = resolveProfile(settings());
      expect(p.kvCapacity.tokens).toBeGreaterThan(32768);
      expect(p.contextWindow).toEqual({ maxModelLen: 32768, warning: null });
      expect(p.description).toMatch(/; max_model_len 32768$/);
    });

    it('is capped at the KV cache capacity, with a warning, when the context is larger and max_model_len unset', () => {
      const p = resolveProfile(settings(llamaOnL4));
      expect(p.model.contextLength).toBe(131072);
      expect(p.kvCapacity.tokens).toBeLessThan(131072);
      expect(p.contextWindow.maxModelLen).toBe(p.kvCapacity.tokens);
      expect(p.contextWindow.maxModelLen % 16).toBe(0);
      expect(p.contextWindow.warning).toContain(`max_model_len capped at ${p.kvCapacity.tokens} tokens (the model's context length is 131072)`);
      expect(p.contextWindow.warning).toContain(`1 x NVIDIA-L4 holds only ${p.kvCapacity.tokens} tokens (${p.kvCapacity.blocks} blocks of 16)`);
      expect(p.description).toMatch(/max_model_len \d+ \(capped to the KV cache\)$/);
    });

    it('honours an explicit max_model_len up to the KV cache capacity', () => {
      const kvTokens = resolveProfile(settings(llamaOnL4)).kvCapacity.tokens;
      expect(resolveProfile(settings({ ...llamaOnL4, max_model_len: 8192 })).contextWindow).toEqual({ maxModelLen: 8192, warning: null });
      expect(resolveProfile(settings({ ...llamaOnL4, max_model_len: kvTokens })).contextWindow).toEqual({ maxModelLen: kvTokens, warning: null });
    });

    it("refuses an explicit max_model_len beyond the KV cache with vLLM's message", () => {
      const kvTokens = resolveProfile(settings(llamaOnL4)).kvCapacity.tokens;
      const resolve = () => resolveProfile(settings({ ...llamaOnL4, max_model_len: kvTokens + 1 }));
      expect(resolve).toThrow(MaxModelLenTooLargeError);
      expect(resolve).toThrow(
        `The model's max seq len (${kvTokens + 1}) is larger than the maximum number of tokens that can be stored in KV cache (${kvTokens}). ` +
          'Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.',
      );
    });

    it('works on any profile facts (block multiples, TP and GPU named in the warning)', () => {
      const facts = { model: { contextLength: 10_000 }, kvCacheBlocks: 100, blockSize: 32, gpuId: 'GPU-X', tensorParallelSize: 2 };
      expect(resolveContextWindow(undefined, facts).maxModelLen).toBe(3200);
      expect(resolveContextWindow(undefined, facts).warning).toContain('2 x GPU-X holds only 3200 tokens (100 blocks of 32)');
      expect(resolveContextWindow(undefined, { ...facts, kvCacheBlocks: 1000 })).toEqual({ maxModelLen: 10_000, warning: null });
      expect(resolveContextWindow(3200, facts)).toEqual({ maxModelLen: 3200, warning: null });
      expect(() => resolveContextWindow(3201, facts)).toThrow(MaxModelLenTooLargeError);
    });
  });

  it('lists the known models and GPUs', () => {
    expect(listKnownModels()).toContain('mistralai/Mistral-7B-Instruct-v0.3');
    expect(listKnownGpus()).toContain('NVIDIA-H100-SXM');
  });
});
