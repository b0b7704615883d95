import { Random } from '../../common/random';
import { Tokenizer } from '../tokenizer/tokenizer.types';

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
  private alternatives(tokenId: number, logprob: number, top: number): Array<{ token: string; logprob: number }> {
    const out = [{ token: this.tokenizer.tokenText(tokenId), logprob }];
    let floor = Math.min(logprob, -0.05);
    const seen = new Set([tokenId]);
    while (out.length < top) {
      const id = this.random.int(this.tokenizer.vocabSize);
      if (seen.has(id)) continue;
      seen.add(id);
      floor -= 0.2 + this.random.next() * 2;
      out.push({ token: this.tokenizer.tokenText(id), logprob: floor });
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
      tokens.push(this.tokenizer.tokenText(id));
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
      const token = this.tokenizer.tokenText(id);
      return {
        token,
        logprob: lp,
        bytes: [...Buffer.from(token, 'utf8')],
        top_logprobs: top > 0 ? this.alternatives(id, lp, top).map((a) => ({ ...a, bytes: [...Buffer.from(a.token, 'utf8')] })) : [],
      };
    });
  }
}
