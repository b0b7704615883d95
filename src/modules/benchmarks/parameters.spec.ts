import { Catalog } from './catalog';

const catalog = Catalog.load();
const billions = (id: string) => {
  const m = catalog.resolveModel(id);
  return { total: m.numParameters / 1e9, active: m.numActiveParameters / 1e9 };
};

describe('parameter counts from the architecture', () => {
  it.each([
    ['mistralai/Mistral-7B-Instruct-v0.3', 7.25],
    ['meta-llama/Llama-3.1-8B-Instruct', 8.03],
    ['meta-llama/Llama-3.1-70B-Instruct', 70.6],
  ])('%s has about %d B parameters', (id, expected) => {
    expect(billions(id).total).toBeCloseTo(expected, 1);
  });

  it('counts all experts of Mixtral-8x7B in the total and the top-2 in the active count', () => {
    const { total, active } = billions('mistralai/Mixtral-8x7B-Instruct-v0.1');
    expect(total).toBeCloseTo(46.7, 1);
    expect(active).toBeCloseTo(12.9, 1);
  });

  it('counts Qwen3-30B-A3B with its expert width (moe_intermediate_size)', () => {
    const { total, active } = billions('Qwen/Qwen3-30B-A3B');
    expect(total).toBeGreaterThan(30);
    expect(total).toBeLessThan(31);
    expect(active).toBeGreaterThan(3.2);
    expect(active).toBeLessThan(3.5);
  });

  it('keeps the count a model card states', () => {
    expect(billions('Qwen/Qwen2.5-7B-Instruct').total).toBe(7.61);
  });
});
