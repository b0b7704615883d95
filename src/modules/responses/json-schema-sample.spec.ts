import Ajv2020 from 'ajv/dist/2020';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Random } from '../../common/random';
import { formatJson, sampleJson } from './json-schema-sample';

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

  it('stops a recursive schema', () => {
    const always = { $defs: { n: { type: 'object', properties: { next: { $ref: '#/$defs/n' } }, required: ['next'] } }, $ref: '#/$defs/n' };
    expect(() => formatJson(sampleJson(always, new Random(1)))).not.toThrow();
  });
});

describe('formatJson', () => {
  it("writes JSON as Python's json.dumps does", () => {
    expect(formatJson({ a: 1, b: [true, null, 'x'], c: { d: 'é"' } })).toBe('{"a": 1, "b": [true, null, "x"], "c": {"d": "é\\""}}');
    expect(formatJson([])).toBe('[]');
    expect(formatJson({})).toBe('{}');
  });
});
