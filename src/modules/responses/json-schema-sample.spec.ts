import Ajv2020 from 'ajv/dist/2020';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Random } from '../../common/random';
import { formatJson, sampleJson, sampleJsonText } from './json-schema-sample';
import { ReplyBudgetError } from './reply-errors';

const ajv2020 = addFormats(new Ajv2020({ strict: false, allErrors: true }));
const ajv07 = addFormats(new Ajv({ strict: false, allErrors: true }));

const SCHEMAS: Record<string, object> = {
  weather: {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'City and state' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer', minimum: 1, maximum: 7 },
    },
    required: ['location'],
    additionalProperties: false,
  },
  emptyObject: { type: 'object', properties: {} },
  noSchemaAtAll: {},
  strings: {
    type: 'object',
    properties: {
      short: { type: 'string', maxLength: 3 },
      long: { type: 'string', minLength: 40 },
      both: { type: 'string', minLength: 5, maxLength: 6 },
      email: { type: 'string', format: 'email' },
      when: { type: 'string', format: 'date-time' },
      day: { type: 'string', format: 'date' },
      at: { type: 'string', format: 'time' },
      id: { type: 'string', format: 'uuid' },
      site: { type: 'string', format: 'uri' },
      host: { type: 'string', format: 'hostname' },
      ip: { type: 'string', format: 'ipv4' },
      ip6: { type: 'string', format: 'ipv6' },
      fixed: { const: 'v1' },
    },
    required: ['short', 'long', 'both', 'email', 'when', 'day', 'at', 'id', 'site', 'host', 'ip', 'ip6', 'fixed'],
  },
  numbers: {
    type: 'object',
    properties: {
      int: { type: 'integer' },
      bounded: { type: 'integer', minimum: -5, maximum: 5 },
      exclusive: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 3 },
      multiple: { type: 'integer', multipleOf: 5, minimum: 12, maximum: 40 },
      ratio: { type: 'number', minimum: 0, maximum: 1 },
      open: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 0.5 },
      onlyMin: { type: 'number', minimum: 1000 },
      onlyMax: { type: 'integer', maximum: -1000 },
      price: { type: 'number', multipleOf: 0.5, minimum: 1, maximum: 3 },
    },
    required: ['int', 'bounded', 'exclusive', 'multiple', 'ratio', 'open', 'onlyMin', 'onlyMax', 'price'],
  },
  arrays: {
    type: 'object',
    properties: {
      tags: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 4 },
      unique: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 3 }, uniqueItems: true, minItems: 3 },
      colors: { type: 'array', items: { enum: ['red', 'green', 'blue'] }, uniqueItems: true, maxItems: 3 },
      empty: { type: 'array', items: { type: 'string' }, maxItems: 0 },
      tuple: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false },
      matrix: { type: 'array', items: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } },
    },
    required: ['tags', 'unique', 'colors', 'empty', 'tuple', 'matrix'],
  },
  nested: {
    type: 'object',
    properties: {
      order: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          customer: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } }, required: ['name', 'email'] },
          items: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 }, price: { type: 'number', minimum: 0 } },
              required: ['sku', 'qty', 'price'],
              additionalProperties: false,
            },
          },
          paid: { type: 'boolean' },
          note: { type: ['string', 'null'] },
        },
        required: ['id', 'customer', 'items', 'paid', 'note'],
      },
    },
    required: ['order'],
  },
  refs: {
    $defs: {
      address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } }, required: ['street', 'city'] },
      person: { type: 'object', properties: { name: { type: 'string' }, home: { $ref: '#/$defs/address' } }, required: ['name', 'home'] },
    },
    type: 'object',
    properties: { people: { type: 'array', items: { $ref: '#/$defs/person' }, minItems: 1 } },
    required: ['people'],
  },
  recursive: {
    $defs: { node: { type: 'object', properties: { value: { type: 'integer' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } }, required: ['value'] } },
    $ref: '#/$defs/node',
  },
  unions: {
    type: 'object',
    properties: {
      either: { anyOf: [{ type: 'string', maxLength: 4 }, { type: 'integer', minimum: 10, maximum: 20 }] },
      exactlyOne: { oneOf: [{ type: 'boolean' }, { type: 'number', minimum: 0.5, maximum: 0.9 }, { type: 'null' }] },
      shape: {
        oneOf: [
          { type: 'object', properties: { kind: { const: 'circle' }, radius: { type: 'number', minimum: 0 } }, required: ['kind', 'radius'], additionalProperties: false },
          { type: 'object', properties: { kind: { const: 'square' }, side: { type: 'number', minimum: 0 } }, required: ['kind', 'side'], additionalProperties: false },
        ],
      },
      merged: { allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'integer' } }, required: ['b'] }] },
      types: { type: ['integer', 'boolean'] },
    },
    required: ['either', 'exactlyOne', 'shape', 'merged', 'types'],
  },
  minProperties: {
    type: 'object',
    properties: { a: { type: 'string' }, b: { type: 'string' }, c: { type: 'string' } },
    minProperties: 3,
  },
  freeForm: { type: 'object', additionalProperties: { type: 'integer' }, minProperties: 2 },
  topLevelArray: { type: 'array', items: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }, minItems: 1, maxItems: 2 },
  topLevelString: { type: 'string', enum: ['yes', 'no'] },
  /** Pydantic's model_json_schema() output, as Python clients send it. */
  pydantic: {
    $defs: { Unit: { enum: ['celsius', 'fahrenheit'], title: 'Unit', type: 'string' } },
    properties: {
      city: { title: 'City', type: 'string' },
      unit: { $ref: '#/$defs/Unit', default: 'celsius' },
      hours: { anyOf: [{ type: 'integer' }, { type: 'null' }], default: null, title: 'Hours' },
    },
    required: ['city'],
    title: 'WeatherQuery',
    type: 'object',
  },
};

const DRAFT7: Record<string, object> = {
  definitions: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    definitions: { tag: { type: 'string', minLength: 2 } },
    type: 'object',
    properties: { tags: { type: 'array', items: { $ref: '#/definitions/tag' }, minItems: 1 }, tuple: { type: 'array', items: [{ type: 'integer' }, { type: 'boolean' }], additionalItems: false } },
    required: ['tags', 'tuple'],
  },
};

describe('sampleJson', () => {
  const seeds = Array.from({ length: 40 }, (_, i) => i);

  it.each(Object.keys(SCHEMAS))('samples that validate against %s (2020-12)', (name) => {
    const validate = ajv2020.compile(SCHEMAS[name]);
    for (const seed of seeds) {
      const value = sampleJson(SCHEMAS[name], new Random(seed));
      if (!validate(value)) throw new Error(`seed ${seed}: ${formatJson(value)}\n${ajv2020.errorsText(validate.errors)}`);
    }
  });

  it.each(Object.keys(DRAFT7))('samples that validate against %s (draft-07)', (name) => {
    const validate = ajv07.compile(DRAFT7[name]);
    for (const seed of seeds) {
      const value = sampleJson(DRAFT7[name], new Random(seed));
      if (!validate(value)) throw new Error(`seed ${seed}: ${formatJson(value)}\n${ajv07.errorsText(validate.errors)}`);
    }
  });

  it('is deterministic for a seed and varies across seeds', () => {
    const a = sampleJson(SCHEMAS.nested, new Random(7));
    expect(sampleJson(SCHEMAS.nested, new Random(7))).toEqual(a);
    const distinct = new Set(seeds.map((s) => formatJson(sampleJson(SCHEMAS.weather, new Random(s)))));
    expect(distinct.size).toBeGreaterThan(5);
  });

  it('includes optional properties sometimes, required ones always', () => {
    const samples = seeds.map((s) => sampleJson(SCHEMAS.weather, new Random(s)) as Record<string, unknown>);
    expect(samples.every((v) => typeof v.location === 'string')).toBe(true);
    expect(samples.some((v) => 'unit' in v)).toBe(true);
    expect(samples.some((v) => !('unit' in v))).toBe(true);
  });

  it('gives string properties plausible values by their names', () => {
    const value = sampleJson({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, new Random(1)) as { city: string };
    expect(['Paris', 'Tokyo', 'San Francisco', 'Berlin', 'Toronto', 'Sydney', 'Lisbon', 'Seoul']).toContain(value.city);
  });

  it('refuses a schema that requires itself, naming where it refers back', () => {
    const always = { $defs: { n: { type: 'object', properties: { next: { $ref: '#/$defs/n' } }, required: ['next'] } }, $ref: '#/$defs/n' };
    const error = refusal(always);
    expect(error.param).toBe('schema.properties.next.$ref');
    expect(error.instancePath).toBe('$.next');
    expect(error.message).toContain('no finite value');
    // A union that refers to itself has no finite value either, and is refused, not followed forever.
    expect(refusal({ $defs: { a: { anyOf: [{ $ref: '#/$defs/a' }] } }, $ref: '#/$defs/a' })).toBeInstanceOf(ReplyBudgetError);
    expect(refusal({ $defs: { a: { title: 'x', anyOf: [{ $ref: '#/$defs/a' }, { $ref: '#/$defs/a' }] } }, $ref: '#/$defs/a' })).toBeInstanceOf(ReplyBudgetError);
  });

  it('unbounded numbers fall in 0..100 by default, or in the configured range; names that say what they are get their own', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' }, x: { type: 'number' }, age: { type: 'integer' } }, required: ['n', 'x', 'age'] };
    for (const seed of seeds) {
      const v = sampleJson(schema, new Random(seed)) as { n: number; x: number; age: number };
      expect(v.n).toBeGreaterThanOrEqual(0);
      expect(v.n).toBeLessThanOrEqual(100);
      expect(v.x).toBeGreaterThanOrEqual(0);
      expect(v.x).toBeLessThanOrEqual(100);
      expect(v.age).toBeGreaterThanOrEqual(18);
      expect(v.age).toBeLessThanOrEqual(80);
      const w = sampleJson(schema, new Random(seed), { integerRange: { minimum: 1000, maximum: 1010 } }) as { n: number };
      expect(w.n).toBeGreaterThanOrEqual(1000);
      expect(w.n).toBeLessThanOrEqual(1010);
    }
  });

  it('uses a hinted value when it satisfies the property, and ignores it otherwise', () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer', maximum: 7 } },
      required: ['city', 'unit', 'days'],
    };
    const hints: Record<string, unknown> = { city: 'Zürich', unit: 'fahrenheit', days: 30 };
    const value = sampleJson(schema, new Random(1), { hint: (key) => hints[key] as never }) as Record<string, unknown>;
    expect(value.city).toBe('Zürich');
    expect(value.unit).toBe('fahrenheit');
    expect(value.days).toBeLessThanOrEqual(7);
  });
});

/** The ReplyBudgetError sampling `schema` throws (fails the test if none). */
function refusal(schema: object, options: Parameters<typeof sampleJsonText>[2] = { maxTokens: 100, roomTokens: 32_000 }): ReplyBudgetError {
  try {
    sampleJsonText(schema, new Random(1), options);
  } catch (err) {
    if (err instanceof ReplyBudgetError) return err;
    throw err;
  }
  throw new Error(`no refusal for ${JSON.stringify(schema)}`);
}

describe('sampleJsonText: sizes come from the token budget, never from the schema', () => {
  const seeds = Array.from({ length: 40 }, (_, i) => i);
  const budget = { maxTokens: 100, roomTokens: 32_000, origin: 'response_format.json_schema.schema' };

  it.each<[string, object, string, string]>([
    ['a string of minLength 1e9', { type: 'string', minLength: 1e9 }, 'minLength', '$'],
    ['an array of minItems 1e9', { type: 'array', minItems: 1e9 }, 'minItems', '$'],
    ['an array of minItems 1e6', { type: 'array', items: { type: 'integer' }, minItems: 1e6 }, 'minItems', '$'],
    ['nested arrays, each small, together huge', { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000, items: { type: 'string', minLength: 10 } } }, 'minItems', '$'],
    ['an object of minProperties 1e7', { type: 'object', minProperties: 1e7 }, 'properties.x.minProperties', '$.x'],
    ['a deep required property', { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string', minLength: 5e8 } }, required: ['b'] } }, required: ['a'] }, 'properties.a.properties.b.minLength', '$.a.b'],
    ['an item of a tuple', { type: 'array', prefixItems: [{ type: 'string' }, { type: 'string', minLength: 1e9 }], minItems: 2 }, 'prefixItems[1].minLength', '$[1]'],
    ['a property that only additionalProperties describes', { type: 'object', required: ['blob'], additionalProperties: { type: 'string', minLength: 1e9 } }, 'additionalProperties.minLength', '$.blob'],
  ])('refuses %s, naming the keyword', (_label, schema, keyword, instancePath) => {
    const wrapped = keyword.startsWith('properties.x.') ? { type: 'object', properties: { x: schema }, required: ['x'] } : schema;
    const error = refusal(wrapped, budget);
    expect(error.param).toBe(`response_format.json_schema.schema.${keyword}`);
    expect(error.instancePath).toBe(instancePath);
    expect(error.budgetTokens).toBe(32_000);
    expect(error.neededTokens).toBeGreaterThan(32_000);
    expect(error.message).toContain(`response_format.json_schema.schema.${keyword}`);
  });

  it('measures $ref graphs without walking every path (2^40 paths)', () => {
    const $defs: Record<string, object> = { d40: { type: 'string', minLength: 1 } };
    for (let i = 39; i >= 0; i--) $defs[`d${i}`] = { type: 'object', properties: { l: { $ref: `#/$defs/d${i + 1}` }, r: { $ref: `#/$defs/d${i + 1}` } }, required: ['l', 'r'] };
    expect(refusal({ $defs, $ref: '#/$defs/d0' }, budget).neededTokens).toBeGreaterThan(32_000);
  });

  it('a minimum beyond max_tokens but within the context window is written only as far as max_tokens shows', () => {
    const sample = sampleJsonText({ type: 'object', properties: { text: { type: 'string', minLength: 100_000 } }, required: ['text'] }, new Random(1), { maxTokens: 10, roomTokens: 32_000 });
    expect(sample.truncated).toBe(true);
    expect(sample.text.startsWith('{"text": "')).toBe(true);
    expect(sample.text.length).toBeGreaterThan(10 * 8);
    expect(sample.text.length).toBeLessThan(1_000);

    const items = sampleJsonText({ type: 'array', items: { type: 'integer' }, minItems: 5_000 }, new Random(1), { maxTokens: 20, roomTokens: 32_000 });
    expect(items.truncated).toBe(true);
    expect(items.text.length).toBeLessThan(1_000);
  });

  it('what the sampler chooses freely stays within max_tokens; the minimum is always kept', () => {
    const properties = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field_${i}`, { type: 'string', description: 'free text' }]));
    const schema = { type: 'object', properties: { ...properties, id: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['id', 'tags'] };
    const validate = ajv2020.compile(schema);
    for (const seed of seeds) {
      const small = sampleJsonText(schema, new Random(seed), { maxTokens: 12 });
      expect(small.truncated).toBe(false);
      expect(validate(small.value)).toBe(true);
      expect(small.text.length).toBeLessThanOrEqual(12 * 3 + 16);
      const roomy = sampleJsonText(schema, new Random(seed), { maxTokens: 2_000 });
      expect(Object.keys(roomy.value as object).length).toBeGreaterThan(10);
    }
  });
});

describe('formatJson', () => {
  it("writes JSON as Python's json.dumps does", () => {
    expect(formatJson({ a: 1, b: [true, null, 'x'], c: { d: 'é"' } })).toBe('{"a": 1, "b": [true, null, "x"], "c": {"d": "é\\""}}');
    expect(formatJson([])).toBe('[]');
    expect(formatJson({})).toBe('{}');
  });
});
