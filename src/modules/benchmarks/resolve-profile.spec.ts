import { Settings } from '../../config/settings';
import { CatalogError, InsufficientMemoryError, UnknownGpuError, UnknownModelError } from './catalog-errors';
import { listKnownGpus, listKnownModels, resolveProfile } from './resolve-profile';

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
    expect(p.description).toMatch(/roofline fitted on \d+ measured points/);
    expect(p.stepTime.stepTimeMs({ prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: 1, decodeContextTokens: 100 })).toBeGreaterThan(50);
  });

  it('applies the configuration correction where it has measured points', () => {
    const p = resolveProfile(settings({ model: 'meta-llama/Llama-3.1-8B-Instruct', gpu_type: 'NVIDIA-A100-80GB' }));
    expect(p.correction).not.toBeNull();
    expect(p.description).toMatch(/calibrated on its own 1 points/);
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

  it('lists the known models and GPUs', () => {
    expect(listKnownModels()).toContain('mistralai/Mistral-7B-Instruct-v0.3');
    expect(listKnownGpus()).toContain('NVIDIA-H100-SXM');
  });
});
