import { EMBEDDING_DIM, embedTokens } from './embedding';

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('embedTokens', () => {
  it('is a deterministic unit vector of the documented dimension', () => {
    const v = embedTokens([1, 2, 3, 4]);
    expect(v).toHaveLength(EMBEDDING_DIM);
    expect(norm(v)).toBeCloseTo(1, 6);
    expect(embedTokens([1, 2, 3, 4])).toEqual(v);
  });

  it('differs for different tokens; shared tokens make vectors closer', () => {
    const a = embedTokens([10, 11, 12, 13, 14, 15]);
    const b = embedTokens([10, 11, 12, 13, 14, 99]);
    const c = embedTokens([500, 600, 700, 800, 900, 1000]);
    expect(dot(a, b)).toBeGreaterThan(dot(a, c));
    expect(dot(a, b)).toBeLessThan(0.999);
  });
});
