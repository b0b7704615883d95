/**
 * A planned prompt as runs of tokens rather than the tokens themselves, so a run of a million
 * requests holds only the prompts in flight: the replay builds the token ids when it sends.
 *
 * Only the token ids matter (the engine hashes them into prefix-cache blocks), so each kind of run
 * draws from its own range of the low 32 bits the block hash reads:
 * - `fresh`: tokens nobody else sends (a user's own words), [2^10, 2^30);
 * - `prefix`: one of a workload's shared system prompts, [2^30, 2^31);
 * - `block`: one of a trace's `hash_ids` (Mooncake: a 512-token block shared by every request naming it), [2^31, 2^32);
 * - `reply`: the earlier reply a conversation carries, as the engine generated it (the filler token
 *   the replay makes every reply of).
 */
export type PromptRun =
  | { kind: 'fresh'; first: number; length: number }
  | { kind: 'prefix'; key: number; length: number }
  | { kind: 'block'; hashId: number; length: number }
  | { kind: 'reply'; length: number };

export type PromptShape = readonly PromptRun[];

/** The token every simulated reply is made of. */
export const REPLY_TOKEN = 7;

const FRESH_BASE = 2 ** 10;
const FRESH_SPAN = 2 ** 30 - FRESH_BASE;
const PREFIX_BASE = 2 ** 30;
const BLOCK_BASE = 2 ** 31;
const SPAN = 2 ** 30;
/** Tokens set aside per shared prefix / trace block before the next one starts (wraps within the range). */
const PREFIX_STRIDE = 1_000_003;
const BLOCK_STRIDE = 4_099;

export function shapeLength(shape: PromptShape): number {
  let n = 0;
  for (const run of shape) n += run.length;
  return n;
}

export function buildPrompt(shape: PromptShape): number[] {
  const out = new Array<number>(shapeLength(shape));
  let k = 0;
  for (const run of shape) {
    switch (run.kind) {
      case 'fresh':
        for (let i = 0; i < run.length; i++) out[k++] = FRESH_BASE + ((run.first + i) % FRESH_SPAN);
        break;
      case 'prefix':
        for (let i = 0; i < run.length; i++) out[k++] = PREFIX_BASE + ((run.key * PREFIX_STRIDE + i) % SPAN);
        break;
      case 'block':
        for (let i = 0; i < run.length; i++) out[k++] = BLOCK_BASE + ((run.hashId * BLOCK_STRIDE + i) % SPAN);
        break;
      case 'reply':
        for (let i = 0; i < run.length; i++) out[k++] = REPLY_TOKEN;
        break;
    }
  }
  return out;
}

/** Hands out `fresh` runs that never repeat within a run. */
export class FreshTokens {
  private next = 0;

  take(length: number): PromptRun {
    const run: PromptRun = { kind: 'fresh', first: this.next, length };
    this.next += length;
    return run;
  }
}
