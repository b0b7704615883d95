import { stringifySliced } from './sliced-json';

describe('stringifySliced', () => {
  it.each<[string, unknown]>([
    ['a primitive', 42],
    ['null', null],
    ['a small object', { a: 1, b: 'x', c: [1, 2], d: null }],
    ['undefined properties and array holes', { a: undefined, b: [undefined, 1], c: () => 1 }],
    ['a long array inside a short one', { choices: [{ logprobs: { content: Array.from({ length: 300 }, (_, i) => ({ token: `t${i}`, top: [i, { x: 'é' }] })) } }] }],
    ['long arrays of arrays', Array.from({ length: 100 }, (_, i) => Array.from({ length: 70 }, (_, j) => i * j))],
    ['an object with toJSON', { when: new Date(0), list: Array(100).fill({ toJSON: () => 'j' }) }],
  ])('writes what JSON.stringify writes: %s', async (_name, value) => {
    expect(await stringifySliced(value)).toBe(JSON.stringify(value));
  });

  it('lets the event loop turn while it writes a large body', async () => {
    const body = { content: Array.from({ length: 20_000 }, (_, i) => ({ token: `tok${i}`, top_logprobs: Array(20).fill({ token: 'x', logprob: -1, bytes: [120] }) })) };
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    const text = await stringifySliced(body);
    clearInterval(timer);
    expect(text).toBe(JSON.stringify(body));
    expect(turns).toBeGreaterThan(0);
  });
});
