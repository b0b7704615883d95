import { cosine, EMBEDDING_DIM, embedText, toBase64 } from './embedding';

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('embedText', () => {
  it('is a deterministic unit vector of the asked size', () => {
    const v = embedText('The quick brown fox');
    expect(v).toHaveLength(EMBEDDING_DIM);
    expect(norm(v)).toBeCloseTo(1, 9);
    expect(embedText('The quick brown fox')).toEqual(v);
    expect(embedText('The quick brown fox', { seed: 7 })).not.toEqual(v);
    expect(embedText('x', { size: 384 })).toHaveLength(384);
  });

  it('ranks the document that answers a question above unrelated ones', () => {
    const query = embedText('What is the capital of France?');
    const docs = ['Paris is the capital and largest city of France.', 'Mitochondria are the powerhouse of the cell.', 'The stock market closed higher on Friday.'];
    const scores = docs.map((d) => cosine(query, embedText(d)));
    expect(scores[0]).toBeGreaterThan(scores[1] + 0.1);
    expect(scores[0]).toBeGreaterThan(scores[2] + 0.1);
    // Unrelated texts are still positively similar, as in real embedding spaces; none is identical.
    expect(Math.min(...scores)).toBeGreaterThan(0.1);
    expect(Math.max(...scores)).toBeLessThan(0.95);
  });

  it('cuts Matryoshka dimensions from the front and renormalises', () => {
    const full = embedText('a sentence about embeddings');
    const cut = embedText('a sentence about embeddings', { dimensions: 64 });
    expect(cut).toHaveLength(64);
    expect(norm(cut)).toBeCloseTo(1, 9);
    const scale = cut[0] / full[0];
    expect(cut[10]).toBeCloseTo(full[10] * scale, 9);
  });

  it('encodes base64 as little-endian float32, as the OpenAI client decodes it', () => {
    const v = [0.5, -0.25, 1];
    const bytes = Buffer.from(toBase64(v), 'base64');
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4), bytes.readFloatLE(8)]).toEqual(v);
  });
});
