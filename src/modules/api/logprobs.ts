import { Random } from '../../common/random';
import { Tokenizer } from '../tokenizer/tokenizer.types';

/** A token's text and UTF-8 bytes, as logprob entries carry them. */
interface TokenFace {
  token: string;
  bytes: number[];
}

/**
 * Faces by token id, per tokenizer: logprobs name up to 21 tokens per output token, and building
 * each text and byte list afresh made a request with top_logprobs mostly garbage. Bounded by the
 * vocabulary.
 */
const faces = new WeakMap<Tokenizer, Map<number, TokenFace>>();

function faceOf(tokenizer: Tokenizer, id: number): TokenFace {
  let known = faces.get(tokenizer);
  if (!known) faces.set(tokenizer, (known = new Map()));
  let face = known.get(id);
  if (!face) {
    const token = tokenizer.tokenText(id);
    face = { token, bytes: [...Buffer.from(token, 'utf8')] };
    known.set(id, face);
  }
  return face;
}

/** Plausible log-probabilities: the sampled token is likely (-0.0..-2.5), alternatives less so. */
export class LogprobSampler {
  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly random: Random,
  ) {}

  private chosen(): number {
    const r = this.random.next();
    return -(r * r * 2.5);
  }

  /** `top` alternatives below `best`, each with its token text; the sampled token is among them. */
  private alternatives(tokenId: number, logprob: number, top: number): Array<{ id: number; token: string; logprob: number }> {
    const out = [{ id: tokenId, token: faceOf(this.tokenizer, tokenId).token, logprob }];
    let floor = Math.min(logprob, -0.05);
    const seen = new Set([tokenId]);
    while (out.length < top) {
      const id = this.random.int(this.tokenizer.vocabSize);
      if (seen.has(id)) continue;
      seen.add(id);
      floor -= 0.2 + this.random.next() * 2;
      out.push({ id, token: faceOf(this.tokenizer, id).token, logprob: floor });
    }
    return out;
  }

  /** vLLM's completions `logprobs` object for the given tokens. */
  completion(tokenIds: readonly number[], pieces: readonly string[], top: number, textOffset: number) {
    const tokens: string[] = [];
    const tokenLogprobs: number[] = [];
    const topLogprobs: Array<Record<string, number>> = [];
    const offsets: number[] = [];
    let offset = textOffset;
    tokenIds.forEach((id, i) => {
      const lp = this.chosen();
      tokens.push(faceOf(this.tokenizer, id).token);
      tokenLogprobs.push(lp);
      topLogprobs.push(Object.fromEntries(this.alternatives(id, lp, Math.max(1, top)).map((a) => [a.token, a.logprob])));
      offsets.push(offset);
      offset += pieces[i]?.length ?? 0;
    });
    return { text_offset: offsets, token_logprobs: tokenLogprobs, tokens, top_logprobs: topLogprobs };
  }

  /** vLLM's chat `logprobs.content` entries for the given tokens. */
  chat(tokenIds: readonly number[], top: number) {
    return tokenIds.map((id) => {
      const lp = this.chosen();
      const face = faceOf(this.tokenizer, id);
      return {
        token: face.token,
        logprob: lp,
        bytes: face.bytes,
        top_logprobs: top > 0 ? this.alternatives(id, lp, top).map((a) => ({ token: a.token, logprob: a.logprob, bytes: faceOf(this.tokenizer, a.id).bytes })) : [],
      };
    });
  }
}
