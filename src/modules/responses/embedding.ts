import { Random } from '../../common/random';

/**
 * Dimension of the simulated embeddings. A fixed size (that of many embedding models, e.g.
 * BGE-large, E5-large) rather than the served model's hidden size, so clients can rely on it.
 */
export const EMBEDDING_DIM = 1024;

/**
 * A deterministic unit vector for a token sequence: the mean of a fixed pseudo-random vector per
 * (token id, position mod 8), normalised. Same tokens, same vector; similar token multisets give
 * nearby vectors, so similarity searches in client tests behave plausibly.
 */
export function embedTokens(tokenIds: readonly number[], dim = EMBEDDING_DIM): number[] {
  const sum = new Float64Array(dim);
  for (let i = 0; i < tokenIds.length; i++) {
    const random = new Random(((tokenIds[i] * 8 + (i % 8)) >>> 0) ^ 0x9e3779b9);
    for (let d = 0; d < dim; d++) sum[d] += random.next() * 2 - 1;
  }
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += sum[d] * sum[d];
  norm = Math.sqrt(norm);
  return Array.from(sum, (v) => (norm > 0 ? v / norm : 0));
}
