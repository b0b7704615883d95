import { hashString, Random } from '../../common/random';

/**
 * Dimension of the simulated embeddings when the model states none (gRPC Embed on a generation
 * model): that of many embedding models (BGE-large, E5-large).
 */
export const EMBEDDING_DIM = 1024;

/** Non-zero entries each text feature adds (feature hashing with several hashes). */
const HASHES_PER_FEATURE = 8;
/** Weight of the direction every text shares: real embedding spaces are anisotropic (unrelated texts score well above 0). */
const SHARED_WEIGHT = 0.55;
/** Weight of the per-text dense part, so no two different texts coincide. */
const NOISE_WEIGHT = 0.25;
/** Words that say little about a text's meaning: they count for a fifth of a content word. */
const STOP_WORDS = new Set(
  ('a an and are as at be but by for from has have how i in is it its of on or that the this to was were what when where which who why will with you your ' +
    'do does did can could would should me my we our us they them their he she his her not no yes so if then than there here about into over')
    .split(' '),
);

/** The words of a text as features see them: lower case, letters and digits, a trailing plural `s` dropped. */
function wordsOf(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

/**
 * A deterministic unit vector for a text, standing in for a model's embedding: the same text and
 * seed give the same vector; texts that share words (and word pairs, and spellings close to each
 * other through character trigrams) are close, so a retrieval test ranks the document that answers
 * a question above unrelated ones. It is a sum of
 * - a direction shared by every text (unrelated texts still have a positive similarity, as with
 *   real embedding models),
 * - a small dense part drawn from the whole text (no two different texts coincide),
 * - hashed features: words (stop words weighted down), word pairs and character trigrams, each
 *   adding ±w to a few dimensions, so its cost grows with the text, not with text × dimensions.
 * `dimensions` below the model's size keeps the first ones and renormalises, as a Matryoshka model
 * is cut.
 */
export function embedText(text: string, options: { size?: number; dimensions?: number; seed?: number } = {}): number[] {
  const size = options.size ?? EMBEDDING_DIM;
  const salt = options.seed ?? 0;
  const v = new Float64Array(size);
  const shared = new Random(hashString(`shared:${salt}`));
  for (let d = 0; d < size; d++) v[d] = SHARED_WEIGHT * (shared.next() * 2 - 1) * Math.sqrt(3 / size);
  const noise = new Random(hashString(`${salt}:${text}`));
  for (let d = 0; d < size; d++) v[d] += NOISE_WEIGHT * (noise.next() * 2 - 1) * Math.sqrt(3 / size);

  const features = new Float64Array(size);
  const add = (feature: string, weight: number): void => {
    let h = hashString(`${salt}|${feature}`);
    for (let k = 0; k < HASHES_PER_FEATURE; k++) {
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
      features[h % size] += h & 0x80000000 ? -weight : weight;
    }
  };
  const words = wordsOf(text);
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const weight = STOP_WORDS.has(word) ? 0.2 : 1;
    add(`w:${word}`, weight);
    if (i > 0) add(`b:${words[i - 1]} ${word}`, 0.5 * weight);
    if (!STOP_WORDS.has(word) && word.length > 3) for (let c = 0; c + 3 <= word.length; c++) add(`c:${word.slice(c, c + 3)}`, 0.25);
  }
  let featureNorm = 0;
  for (let d = 0; d < size; d++) featureNorm += features[d] * features[d];
  featureNorm = Math.sqrt(featureNorm);
  if (featureNorm > 0) for (let d = 0; d < size; d++) v[d] += features[d] / featureNorm;

  const keep = Math.min(size, options.dimensions ?? size);
  let norm = 0;
  for (let d = 0; d < keep; d++) norm += v[d] * v[d];
  norm = Math.sqrt(norm);
  const out = new Array<number>(keep);
  for (let d = 0; d < keep; d++) out[d] = norm > 0 ? v[d] / norm : 0;
  return out;
}

/** Cosine similarity of two unit vectors of one size. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

/** A vector as vLLM's `encoding_format: base64` sends it: float32 values, little-endian, base64. */
export function toBase64(vector: readonly number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i], i * 4);
  return buf.toString('base64');
}
