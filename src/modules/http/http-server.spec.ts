import { nestedDeeperThan } from './json-body';
import Fastify from 'fastify';
import { Settings } from '../../config/settings';
import { fastifyOptions, requestIdFrom } from './http-server';

describe('requestIdFrom', () => {
  it('keeps an id a header can carry as it came', () => {
    expect(requestIdFrom('trace-42/abc:def')).toBe('trace-42/abc:def');
    expect(requestIdFrom(['first', 'second'])).toBe('first');
  });

  it.each([['non-ASCII', 'héllo'], ['control characters', 'a\tb\u0001'], ['spaces', 'a b'], ['too long', 'x'.repeat(257)], ['empty', '']])(
    'replaces %s with a fresh id',
    (_name, value) => {
      expect(requestIdFrom(value)).toMatch(/^[0-9a-f]{32}$/);
    },
  );

  it('makes a fresh id when there is none', () => {
    expect(requestIdFrom(undefined)).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('nestedDeeperThan', () => {
  const deep = (n: number): unknown => JSON.parse('['.repeat(n) + ']'.repeat(n));
  it('measures nesting of objects and arrays, not of primitives', () => {
    expect(nestedDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(nestedDeeperThan({ a: [{ b: [] }] }, 3)).toBe(true);
    expect(nestedDeeperThan('text', 0)).toBe(false);
    expect(nestedDeeperThan(deep(64), 64)).toBe(false);
    expect(nestedDeeperThan(deep(65), 64)).toBe(true);
  });

  it('measures a body nested a million levels without recursion', () => {
    expect(nestedDeeperThan(deep(1_000_000), 64)).toBe(true);
  });
});

describe('fastifyOptions: schema compilers loaded on first use', () => {
  it('still validates a route body and serializes a response by their schemas', async () => {
    const { http: _http, ...options } = fastifyOptions(new Settings());
    const app = Fastify(options);
    app.post(
      '/typed',
      {
        schema: {
          body: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
          response: { 200: { type: 'object', properties: { doubled: { type: 'integer' } } } },
        },
      },
      async (req) => ({ doubled: (req.body as { n: number }).n * 2, dropped: 'not in the response schema' }),
    );
    try {
      const ok = await app.inject({ method: 'POST', url: '/typed', payload: { n: 21 } });
      expect(ok.json()).toEqual({ doubled: 42 });
      const bad = await app.inject({ method: 'POST', url: '/typed', payload: { n: 'many' } });
      expect(bad.statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });
});
