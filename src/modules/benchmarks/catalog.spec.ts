import { join } from 'node:path';
import { Catalog, loadHfConfig } from './catalog';
import { CatalogError, UnknownGpuError, UnknownModelError } from './catalog-errors';

const fixture = (name: string) => join(__dirname, '__fixtures__', name);

describe('Catalog name resolution', () => {
  const catalog = Catalog.load();

  it.each([
    ['NVIDIA-L4', 'NVIDIA-L4'],
    ['nvidia-l4', 'NVIDIA-L4'],
    ['L4', 'NVIDIA-L4'],
    ['NVIDIA-A100-80GB', 'NVIDIA-A100-80GB'],
    ['a100-80gb', 'NVIDIA-A100-80GB'],
    ['A100', 'NVIDIA-A100-80GB'],
    ['NVIDIA-H100', 'NVIDIA-H100-SXM'],
    ['H100', 'NVIDIA-H100-SXM'],
    ['h100-sxm', 'NVIDIA-H100-SXM'],
    ['H100-PCIe', 'NVIDIA-H100-PCIe'],
    ['L40S', 'NVIDIA-L40S'],
    ['mi300x', 'AMD-MI300X'],
  ])('GPU %s is %s', (name, id) => {
    expect(catalog.resolveGpu(name).id).toBe(id);
  });

  it.each([
    ['mistralai/Mistral-7B-Instruct-v0.3'],
    ['MISTRALAI/mistral-7b-instruct-v0.3'],
    ['Mistral-7B-Instruct-v0.3'],
    ['mistral-7b-instruct-v0.3'],
  ])('model %s resolves', (name) => {
    expect(catalog.resolveModel(name).id).toBe('mistralai/Mistral-7B-Instruct-v0.3');
  });

  it('lists the known models when the model is unknown', () => {
    expect(() => catalog.resolveModel('acme/NoSuchModel')).toThrow(UnknownModelError);
    expect(() => catalog.resolveModel('acme/NoSuchModel')).toThrow(/Unknown model "acme\/NoSuchModel"\. Known models: .*mistralai\/Mistral-7B-Instruct-v0\.3/);
  });

  it('lists the known GPUs when the GPU is unknown', () => {
    expect(() => catalog.resolveGpu('RTX-9090')).toThrow(UnknownGpuError);
    expect(() => catalog.resolveGpu('RTX-9090')).toThrow(/Known GPUs: .*NVIDIA-H100-SXM.*NVIDIA-L4/);
  });

  it('explains a catalog row without facts', () => {
    const sparse = new Catalog([{ id: 'acme/sparse', num_hidden_layers: null }], []);
    expect(() => sparse.resolveModel('acme/sparse')).toThrow(/without enough facts.*--model-config/);
    expect(() => catalog.resolveGpu('A10G')).toThrow(/bf16_dense_tflops/);
  });

  it('takes a zero shared-expert width as no shared expert (Qwen3-MoE configs write 0)', () => {
    const m = catalog.resolveModel('Qwen/Qwen3-Coder-480B-A35B-Instruct');
    expect(m.sharedExpertIntermediateSize).toBeUndefined();
    expect(m.numExperts).toBeGreaterThan(1);
  });

  it('lists every model and GPU, usable or not', () => {
    expect(catalog.listModels()).toContain('meta-llama/Llama-3.1-8B-Instruct');
    expect(catalog.listGpus()).toEqual(expect.arrayContaining(['NVIDIA-L4', 'NVIDIA-H100-SXM', 'NVIDIA-A10G']));
  });
});

describe('user extras', () => {
  it('adds a GPU and a model declared in the config file', () => {
    const catalog = Catalog.load({
      gpus: [{ id: 'ACME-X1', memory_gib: 32, memory_bandwidth_tbs: 1, bf16_dense_tflops: 200, aliases: ['x1'] }],
      models: [{ id: 'acme/tiny', num_hidden_layers: 4, hidden_size: 512, intermediate_size: 1024, num_attention_heads: 8, vocab_size: 1000, max_position_embeddings: 2048 }],
    });
    expect(catalog.resolveGpu('X1').memoryBytes).toBe(32 * 1024 ** 3);
    const m = catalog.resolveModel('tiny');
    expect(m.headDim).toBe(64);
    expect(m.numKvHeads).toBe(8);
    expect(m.contextLength).toBe(2048);
  });

  it('names the bad field of a user GPU', () => {
    expect(() => Catalog.load({ gpus: [{ id: 'ACME-X1', memory_gib: 32, bf16_dense_tflops: 200 }] })).toThrow(
      /config file gpus\[0\] \(GPU "ACME-X1"\): field "memory_bandwidth_tbs" is required/,
    );
    expect(() => Catalog.load({ gpus: [{ id: 'ACME-X1', memory_gib: -1, memory_bandwidth_tbs: 1, bf16_dense_tflops: 1 }] })).toThrow(/"memory_gib" must be a positive number/);
    expect(() => Catalog.load({ gpus: [{ memory_gib: 1 }] })).toThrow(/field "id" is required/);
  });

  it('names the bad field of a user model', () => {
    expect(() => Catalog.load({ models: [{ id: 'acme/x', num_hidden_layers: 2.5 }] })).toThrow(
      /config file models\[0\] \(model "acme\/x"\): field "num_hidden_layers" must be a positive integer, got 2.5/,
    );
    expect(() => Catalog.load({ models: ['nope'] })).toThrow(CatalogError);
  });
});

describe('Hugging Face config.json', () => {
  it('reads a MoE config (experts, top-k) and computes the parameters', () => {
    const m = loadHfConfig(fixture('mixtral-config.json'), 'my/mixtral');
    expect(m.id).toBe('my/mixtral');
    expect(m.numExperts).toBe(8);
    expect(m.expertsPerToken).toBe(2);
    expect(m.headDim).toBe(128);
    expect(m.numParameters / 1e9).toBeCloseTo(46.7, 1);
    expect(m.numActiveParameters / 1e9).toBeCloseTo(12.9, 1);
  });

  it('reads text_config nesting and derives a missing head_dim', () => {
    const m = loadHfConfig(fixture('multimodal-text-config.json'), 'my/llava');
    expect(m.id).toBe('my/llava');
    expect(m.architecture).toBe('LlavaForConditionalGeneration');
    expect(m.numLayers).toBe(32);
    expect(m.headDim).toBe(128);
    expect(m.numParameters / 1e9).toBeCloseTo(7.25, 1);
  });

  it('names the missing field', () => {
    expect(() => loadHfConfig(fixture('broken-config.json'), 'my/broken')).toThrow(/field "intermediate_size" is required/);
  });

  it('says when the file cannot be read', () => {
    expect(() => loadHfConfig(fixture('absent.json'))).toThrow(/model_config: cannot read/);
  });

  it('serves a model given by config.json through the catalog', () => {
    const catalog = Catalog.load({ modelConfigPath: fixture('mixtral-config.json'), modelConfigId: 'my/mixtral' });
    expect(catalog.resolveModel('my/mixtral').numExperts).toBe(8);
  });
});

describe('quantized and mixture-of-experts checkpoints', () => {
  const catalog = Catalog.load();

  it('reads a Llama 4 Scout FP8 config.json given with --model-config: MoE layout, shared expert, 8-bit weights', () => {
    const m = loadHfConfig(fixture('llama4-scout-fp8-config.json'), 'RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic');
    expect(m.quantization).toBe('fp8');
    expect(m.numExperts).toBe(16);
    expect(m.expertsPerToken).toBe(1);
    expect(m.sharedExpertIntermediateSize).toBe(8192);
    expect(m.numParameters / 1e9).toBeGreaterThan(105);
    expect(m.numParameters / 1e9).toBeLessThan(110);
    expect(m.numActiveParameters / 1e9).toBeGreaterThan(16.5);
    expect(m.numActiveParameters / 1e9).toBeLessThan(17.8);
  });

  it('reads an AWQ config.json as 4-bit weights', () => {
    expect(loadHfConfig(fixture('qwen2-awq-config.json'), 'me/qwen-awq').quantization).toBe('int4');
  });

  it('counts Llama 4 Maverick with its dense and MoE layers interleaved', () => {
    const m = catalog.resolveModel('meta-llama/Llama-4-Maverick-17B-128E-Instruct');
    expect(m.moeLayers).toBe(24);
    expect(m.numParameters / 1e9).toBeGreaterThan(390);
    expect(m.numParameters / 1e9).toBeLessThan(405);
    expect(m.numActiveParameters / 1e9).toBeGreaterThan(16);
    expect(m.numActiveParameters / 1e9).toBeLessThan(18.5);
  });

  it('counts DeepSeek-V3 (MLA, dense first layers, shared expert) near its published 671B / 37B', () => {
    const m = catalog.resolveModel('deepseek-ai/DeepSeek-V3');
    expect(m.kvLoraRank).toBe(512);
    expect(m.numParameters / 1e9).toBeGreaterThan(640);
    expect(m.numParameters / 1e9).toBeLessThan(700);
    expect(m.numActiveParameters / 1e9).toBeGreaterThan(34);
    expect(m.numActiveParameters / 1e9).toBeLessThan(40);
    expect(m.quantization).toBe('fp8');
  });

  it.each([
    ['RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic', 'meta-llama/Llama-4-Scout-17B-16E-Instruct', 'fp8'],
    ['neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8', 'meta-llama/Llama-3.1-8B-Instruct', 'fp8'],
    ['Qwen/Qwen2.5-7B-Instruct-AWQ', 'Qwen/Qwen2.5-7B-Instruct', 'int4'],
    ['hugging-quants/Llama-3.1-8B-Instruct-GPTQ-INT4', 'meta-llama/Llama-3.1-8B-Instruct', 'int4'],
    ['RedHatAI/Qwen3-32B-quantized.w4a16', 'Qwen/Qwen3-32B', 'int4'],
    ['RedHatAI/Llama-3.1-8B-Instruct-quantized.w8a8', 'meta-llama/Llama-3.1-8B-Instruct', 'fp8'],
  ])('resolves the quantized checkpoint %s to %s with %s weights', (name, base, q) => {
    const m = catalog.resolveModel(name);
    expect(m.id).toBe(base);
    expect(m.quantization).toBe(q);
  });

  it('keeps 16-bit weights for an unquantized name and says unknown for an unknown base', () => {
    expect(catalog.resolveModel('meta-llama/Llama-3.1-8B-Instruct').quantization).toBeNull();
    expect(() => catalog.resolveModel('acme/NoSuchModel-FP8')).toThrow(UnknownModelError);
  });

  it('serves the catalog models people deploy', () => {
    for (const id of ['openai/gpt-oss-20b', 'openai/gpt-oss-120b', 'Qwen/Qwen3-235B-A22B', 'google/gemma-3-27b-it', 'facebook/opt-125m', 'mistralai/Mistral-Small-3.1-24B-Instruct-2503', 'ibm-granite/granite-3.3-8b-instruct', 'microsoft/phi-4'])
      expect(catalog.resolveModel(id).numParameters).toBeGreaterThan(1e8);
    expect(catalog.resolveModel('openai/gpt-oss-120b').quantization).toBe('int4');
    expect(catalog.resolveModel('facebook/opt-125m').numParameters).toBe(125_000_000);
  });
});
