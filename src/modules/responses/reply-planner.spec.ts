import { planReply, planReplyAsync, PlanLimits, ReplySource } from './reply-planner';
import { WordTokenizer, words } from './testing/word-tokenizer';

const tokenizer = new WordTokenizer();
const limits = (over: Partial<PlanLimits> = {}): PlanLimits => ({ maxTokens: 100, minTokens: 0, ignoreEos: false, stop: [], ...over });
const source = (text: string, next: (k: number) => string = (k) => `more${k} text`): ReplySource => ({ text, continuation: next, pattern: 'p' });

function expectConsistent(plan: ReturnType<typeof planReply>) {
  expect(plan.pieces.join('')).toBe(plan.text);
  expect(plan.tokenIds).toHaveLength(plan.pieces.length);
}

describe('planReply', () => {
  it('gives the whole reply with finish stop when it fits', () => {
    const plan = planReply(tokenizer, source(words(10)), limits({ maxTokens: 16 }));
    expectConsistent(plan);
    expect(plan.tokenIds).toHaveLength(10);
    expect(plan.text).toBe(words(10));
    expect(plan).toMatchObject({ finishReason: 'stop', stopReason: null, pattern: 'p' });
  });

  it('cuts at max_tokens with finish length', () => {
    const plan = planReply(tokenizer, source(words(50)), limits({ maxTokens: 16 }));
    expectConsistent(plan);
    expect(plan.tokenIds).toHaveLength(16);
    expect(plan.text).toBe(words(16));
    expect(plan.finishReason).toBe('length');
  });

  it('a reply of exactly max_tokens tokens ends with length (no room for EOS)', () => {
    const plan = planReply(tokenizer, source(words(16)), limits({ maxTokens: 16 }));
    expect(plan.tokenIds).toHaveLength(16);
    expect(plan.finishReason).toBe('length');
  });

  it.each([1, 7, 16, 100, 1000])('ignore_eos produces exactly max_tokens=%i tokens', (maxTokens) => {
    const plan = planReply(tokenizer, source(words(5)), limits({ maxTokens, ignoreEos: true }));
    expectConsistent(plan);
    expect(plan.tokenIds).toHaveLength(maxTokens);
    expect(plan.finishReason).toBe('length');
  });

  it('ignore_eos continues with the continuation text after a blank line', () => {
    const plan = planReply(tokenizer, source('one two', (k) => `next${k}`), limits({ maxTokens: 4, ignoreEos: true }));
    expect(plan.text).toBe('one two\n\nnext1\n\nnext2');
    expect(plan.tokenIds).toHaveLength(4);
  });

  it('min_tokens extends a short reply to at least min_tokens', () => {
    const plan = planReply(tokenizer, source(words(3), () => words(4, 'c')), limits({ maxTokens: 50, minTokens: 10 }));
    expectConsistent(plan);
    expect(plan.tokenIds).toHaveLength(11); // 3 + 4 + 4: whole continuation segments
    expect(plan.finishReason).toBe('stop');
  });

  it('min_tokens never goes past max_tokens', () => {
    const plan = planReply(tokenizer, source(words(3), () => words(4, 'c')), limits({ maxTokens: 9, minTokens: 20 }));
    expect(plan.tokenIds).toHaveLength(9);
    expect(plan.finishReason).toBe('length');
  });

  it('an empty reply is 0 tokens and finish stop', () => {
    const plan = planReply(tokenizer, source(''), limits());
    expect(plan).toMatchObject({ tokenIds: [], pieces: [], text: '', finishReason: 'stop' });
  });

  it('an empty reply with ignore_eos is filled from the continuation', () => {
    const plan = planReply(tokenizer, source(''), limits({ maxTokens: 5, ignoreEos: true }));
    expectConsistent(plan);
    expect(plan.tokenIds).toHaveLength(5);
    expect(plan.text.startsWith('more1')).toBe(true);
  });

  describe('stop strings', () => {
    it('cut before the earliest stop string, tokens up to the one that completed it', () => {
      const plan = planReply(tokenizer, source('alpha beta gamma delta epsilon'), limits({ stop: ['delta', 'beta'] }));
      expectConsistent(plan);
      expect(plan.text).toBe('alpha ');
      expect(plan.tokenIds).toHaveLength(2); // "alpha", " beta"
      expect(plan.pieces).toEqual(['alpha', ' ']);
      expect(plan).toMatchObject({ finishReason: 'stop', stopReason: 'beta' });
    });

    it('include_stop_str_in_output keeps the stop string', () => {
      const plan = planReply(tokenizer, source('alpha beta gamma'), limits({ stop: ['bet'], includeStopStr: true }));
      expectConsistent(plan);
      expect(plan.text).toBe('alpha bet');
      expect(plan.tokenIds).toHaveLength(2);
      expect(plan.stopReason).toBe('bet');
    });

    it('a stop string inside a token clips that token', () => {
      const plan = planReply(tokenizer, source('say hello.world now'), limits({ stop: ['.'] }));
      expectConsistent(plan);
      expect(plan.text).toBe('say hello');
      expect(plan.tokenIds).toHaveLength(2);
    });

    it('a stop string past max_tokens does not count: finish length', () => {
      const plan = planReply(tokenizer, source(words(20)), limits({ maxTokens: 5, stop: ['w10'] }));
      expect(plan.tokenIds).toHaveLength(5);
      expect(plan).toMatchObject({ finishReason: 'length', stopReason: null });
    });

    it('a stop string completed by the last allowed token wins over length', () => {
      const plan = planReply(tokenizer, source(words(20)), limits({ maxTokens: 5, stop: ['w5'] }));
      expect(plan.text).toBe(words(4) + ' ');
      expect(plan.tokenIds).toHaveLength(5);
      expect(plan).toMatchObject({ finishReason: 'stop', stopReason: 'w5' });
    });

    it('the stop string that completes first wins, whatever its place in the list', () => {
      const plan = planReply(tokenizer, source('aa bb cc'), limits({ stop: ['bb cc', 'cc', 'b'] }));
      expect(plan.stopReason).toBe('b');
      expect(plan.text).toBe('aa ');
    });

    it('stop strings are not checked before min_tokens', () => {
      const plan = planReply(tokenizer, source('x y x y x y x y'), limits({ minTokens: 4, stop: ['y'] }));
      expectConsistent(plan);
      expect(plan.tokenIds).toHaveLength(6); // first "y" completed at index >= 4 is token 5
      expect(plan.text).toBe('x y x y x ');
    });

    it('applies to text added by ignore_eos too', () => {
      const plan = planReply(tokenizer, source('a b', () => 'c STOP d'), limits({ maxTokens: 50, ignoreEos: true, stop: ['STOP'] }));
      expectConsistent(plan);
      expect(plan.text).toBe('a b\n\nc ');
      expect(plan.finishReason).toBe('stop');
    });

    it('ignores empty stop strings', () => {
      const plan = planReply(tokenizer, source('a b'), limits({ stop: [''] }));
      expect(plan).toMatchObject({ text: 'a b', finishReason: 'stop', stopReason: null });
    });
  });

  describe('stop_token_ids', () => {
    const idOf = (piece: string) => tokenizer.encode(piece).ids[0];

    it('ends at the first stop token id: it counts, its text is left out, stop_reason is the id', () => {
      const plan = planReply(tokenizer, source('one two three four'), limits({ stopTokenIds: [idOf(' four'), idOf(' three')] }));
      expectConsistent(plan);
      expect(plan.tokenIds).toEqual(tokenizer.encode('one two three').ids);
      expect(plan).toMatchObject({ text: 'one two', finishReason: 'stop', stopReason: idOf(' three') });
    });

    it('keeps the token text with include_stop_str_in_output', () => {
      const plan = planReply(tokenizer, source('one two three four'), limits({ stopTokenIds: [idOf(' three')], includeStopStr: true }));
      expect(plan).toMatchObject({ text: 'one two three', finishReason: 'stop', stopReason: idOf(' three') });
    });

    it('wins over a stop string completed by the same token, loses to one completed earlier', () => {
      const same = planReply(tokenizer, source('one two three four'), limits({ stop: ['three'], stopTokenIds: [idOf(' three')] }));
      expect(same).toMatchObject({ text: 'one two', stopReason: idOf(' three') });
      const earlier = planReply(tokenizer, source('one two three four'), limits({ stop: ['two'], stopTokenIds: [idOf(' three')] }));
      expect(earlier).toMatchObject({ text: 'one ', stopReason: 'two' });
    });

    it('is not checked before min_tokens, and applies past the reply with ignore_eos', () => {
      const early = planReply(tokenizer, source('x y x y x y'), limits({ minTokens: 3, stopTokenIds: [idOf(' x')] }));
      expect(early.tokenIds).toHaveLength(5); // the " x" at index 2 is before min_tokens; the one at 4 stops
      const extended = planReply(tokenizer, source('a b', () => 'c d'), limits({ maxTokens: 50, ignoreEos: true, stopTokenIds: [idOf(' d')] }));
      expect(extended).toMatchObject({ text: 'a b\n\nc', finishReason: 'stop', stopReason: idOf(' d') });
    });

    it('a stop token id at max_tokens still gives stop; one past it changes nothing', () => {
      const at = planReply(tokenizer, source('one two three four'), limits({ maxTokens: 3, stopTokenIds: [idOf(' three')] }));
      expect(at).toMatchObject({ finishReason: 'stop', stopReason: idOf(' three') });
      const past = planReply(tokenizer, source('one two three four'), limits({ maxTokens: 2, stopTokenIds: [idOf(' three')] }));
      expect(past).toMatchObject({ text: 'one two', finishReason: 'length', stopReason: null });
    });
  });
});

describe('planReplyAsync', () => {
  it('gives the same plan as planReply, letting the event loop turn on a long reply', async () => {
    const source = { text: 'Hello there.', continuation: (k: number) => `Part ${k} of a long story that goes on and on.`, pattern: null };
    const limits = { maxTokens: 20_000, minTokens: 0, ignoreEos: true, stop: [] };
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    const plan = await planReplyAsync(tokenizer, source, limits);
    clearInterval(timer);
    expect(plan).toEqual(planReply(tokenizer, source, limits));
    expect(plan.tokenIds).toHaveLength(20_000);
    expect(turns).toBeGreaterThan(0);
  });

  it("puts a reasoning model's thinking first, between its markers, and counts it against max_tokens", () => {
    const thinking = { ...source(words(5)), reasoning: 'think about it' };
    const markers = { reasoning: { start: 'BEGIN ', end: ' END ' } };
    const plan = planReply(tokenizer, thinking, limits({ maxTokens: 100, ...markers }));
    expectConsistent(plan);
    const body = plan.pieces.slice(plan.reasoning!.bodyStart, plan.reasoning!.bodyEnd).join('');
    expect(body.trim()).toBe('think about it');
    expect(plan.pieces.slice(0, plan.reasoning!.bodyStart).join('').trim()).toBe('BEGIN');
    expect(plan.pieces.slice(plan.reasoning!.end).join('').trim()).toBe(words(5));
    const cut = planReply(tokenizer, thinking, limits({ maxTokens: 3, ...markers }));
    expect(cut.tokenIds).toHaveLength(3);
    expect(cut.finishReason).toBe('length');
    expect(cut.reasoning!.end).toBeLessThanOrEqual(3);
    // No markers asked for: no thinking, whatever the source holds.
    expect(planReply(tokenizer, thinking, limits()).reasoning).toBeUndefined();
  });
});
