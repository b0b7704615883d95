import { Random } from '../../common/random';

/*
 * A small, seeded generator of JSON values that satisfy a JSON schema: the arguments of a simulated
 * tool call and the reply to `response_format: json_schema`. Pure: same schema and generator state,
 * same value. It covers what tool and structured-output schemas use in practice:
 * `type` (one or a list), `const`, `enum`, objects (every `required` property, some optional ones,
 * `minProperties`), strings (`format`, `minLength`/`maxLength`), numbers and integers (`minimum`,
 * `maximum`, exclusive bounds, `multipleOf`), arrays (`items`, `prefixItems`, `minItems`/`maxItems`,
 * `uniqueItems`), `$ref` into `$defs`/`definitions`, `allOf` (merged), `anyOf`/`oneOf` (one branch).
 * Not covered: string `pattern`, `not`, `if`/`then`, `dependentRequired`, `contains`;
 * a value may then miss the schema.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type Schema = Record<string, unknown>;

/** Deeper than this, objects get only their required properties and arrays their fewest items. */
const LEAN_DEPTH = 4;
/** Recursive schemas stop here. */
const MAX_DEPTH = 12;

export function sampleJson(schema: unknown, rng: Random): JsonValue {
  return new JsonSampler(isSchema(schema) ? schema : {}, rng).sample(schema, 0, '');
}

/**
 * JSON as Python's `json.dumps` writes it (`{"a": 1, "b": [1, 2]}`): what models trained on it emit
 * and what vLLM's tool parsers put in `arguments`. Non-ASCII characters stay as they are.
 */
export function formatJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(formatJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${formatJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

class JsonSampler {
  constructor(
    private readonly root: Schema,
    private readonly rng: Random,
  ) {}

  sample(input: unknown, depth: number, key: string): JsonValue {
    if (input === false || depth > MAX_DEPTH) return null;
    let schema = this.resolve(isSchema(input) ? input : {});
    if (Array.isArray(schema.allOf)) schema = this.merge(schema);
    if ('const' in schema) return schema.const as JsonValue;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return this.rng.pick(schema.enum) as JsonValue;
    const branches = (schema.oneOf ?? schema.anyOf) as unknown;
    if (Array.isArray(branches) && branches.length > 0) {
      const { oneOf: _o, anyOf: _a, ...rest } = schema;
      const picked: unknown = this.rng.pick(branches);
      const branch = this.resolve(isSchema(picked) ? picked : {});
      return this.sample(this.merge({ allOf: [rest, branch] }), depth, key);
    }
    switch (this.typeOf(schema)) {
      case 'null':
        return null;
      case 'boolean':
        return this.rng.next() < 0.5;
      case 'integer':
        return this.integer(schema);
      case 'number':
        return this.number(schema);
      case 'array':
        return this.array(schema, depth, key);
      case 'object':
        return this.object(schema, depth);
      default:
        return this.string(schema, key);
    }
  }

  /** Follows local `$ref`s (`#/$defs/X`, `#/definitions/X`, any `#/...` pointer). */
  private resolve(schema: Schema): Schema {
    for (let hops = 0; typeof schema.$ref === 'string' && hops < 32; hops++) {
      const target = pointer(this.root, schema.$ref);
      const { $ref: _ref, ...siblings } = schema;
      schema = isSchema(target) ? { ...target, ...siblings } : siblings;
    }
    return schema;
  }

  /** `allOf` folded into one schema: properties and required united, other keywords overlaid. */
  private merge(schema: Schema): Schema {
    const { allOf, ...rest } = schema;
    let out: Schema = {};
    for (const part of [...(Array.isArray(allOf) ? allOf : []), rest]) {
      let s = this.resolve(isSchema(part) ? part : {});
      if (Array.isArray(s.allOf)) s = this.merge(s);
      const properties = { ...(out.properties as Schema | undefined), ...(s.properties as Schema | undefined) };
      const required = [...new Set([...asStrings(out.required), ...asStrings(s.required)])];
      out = { ...out, ...s };
      if (Object.keys(properties).length > 0) out.properties = properties;
      if (required.length > 0) out.required = required;
    }
    return out;
  }

  private typeOf(schema: Schema): string {
    const type = schema.type;
    if (typeof type === 'string') return type;
    if (Array.isArray(type) && type.length > 0) {
      const concrete = type.filter((t) => t !== 'null');
      return concrete.length > 0 && this.rng.next() < 0.9 ? String(this.rng.pick(concrete)) : String(this.rng.pick(type));
    }
    if ('properties' in schema || 'required' in schema || 'additionalProperties' in schema) return 'object';
    if ('items' in schema || 'prefixItems' in schema || 'minItems' in schema) return 'array';
    if ('minimum' in schema || 'maximum' in schema || 'multipleOf' in schema) return 'number';
    return 'string';
  }

  private integer(schema: Schema): number {
    const { lo, hi } = bounds(schema, true);
    const step = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? schema.multipleOf : 1;
    const kLo = Math.ceil(lo / step);
    const kHi = Math.floor(hi / step);
    if (kHi < kLo) return Math.ceil(lo);
    return (kLo + this.rng.int(kHi - kLo + 1)) * step;
  }

  private number(schema: Schema): number {
    if (typeof schema.multipleOf === 'number') return this.integer(schema);
    const { lo, hi } = bounds(schema, false);
    // Two decimals, not a whole number, strictly inside the range when the range allows it.
    const value = Math.round((lo + (0.05 + 0.9 * this.rng.next()) * (hi - lo)) * 100) / 100;
    const fractional = Number.isInteger(value) ? value + 0.25 : value;
    return fractional > lo && fractional < hi ? fractional : (lo + hi) / 2;
  }

  private string(schema: Schema, key: string): string {
    const format = typeof schema.format === 'string' ? formatted(schema.format, this.rng) : null;
    if (format !== null) return format;
    let text = hinted(key, this.rng);
    const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
    const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
    while ([...text].length < min) text += ` ${this.rng.pick(WORDS)}`;
    if ([...text].length > max) text = [...text].slice(0, max).join('');
    return text;
  }

  private array(schema: Schema, depth: number, key: string): JsonValue[] {
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
    const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
    const max = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
    const min = Math.min(typeof schema.minItems === 'number' ? schema.minItems : 1, max);
    const lean = depth >= LEAN_DEPTH;
    let count = lean ? min : min + this.rng.int(Math.max(0, Math.min(max, min + 3) - min) + 1);
    if (rest === false) count = Math.min(count, prefix.length);
    count = Math.max(count, Math.min(prefix.length, max));
    const out: JsonValue[] = [];
    const seen = new Set<string>();
    const itemKey = singular(key);
    for (let i = 0; i < count; i++) {
      const itemSchema = i < prefix.length ? prefix[i] : rest ?? {};
      let item = this.sample(itemSchema, depth + 1, itemKey);
      // uniqueItems: redraw a duplicate a few times, then stop short (minItems permitting).
      for (let tries = 0; schema.uniqueItems === true && seen.has(formatJson(item)) && tries < 20; tries++) {
        item = this.sample(itemSchema, depth + 1, itemKey);
      }
      if (schema.uniqueItems === true && seen.has(formatJson(item))) {
        if (out.length >= min) break;
      }
      seen.add(formatJson(item));
      out.push(item);
    }
    return out;
  }

  private object(schema: Schema, depth: number): { [key: string]: JsonValue } {
    const properties = isSchema(schema.properties) ? schema.properties : {};
    const required = new Set(asStrings(schema.required));
    const minProperties = typeof schema.minProperties === 'number' ? schema.minProperties : 0;
    const lean = depth >= LEAN_DEPTH;
    const out: { [key: string]: JsonValue } = {};
    const optional: string[] = [];
    for (const name of Object.keys(properties)) {
      if (required.has(name) || (!lean && this.rng.next() < 0.6)) out[name] = this.sample(properties[name], depth + 1, name);
      else optional.push(name);
    }
    for (const name of required) {
      if (!(name in out)) out[name] = this.sample(isSchema(schema.additionalProperties) ? schema.additionalProperties : {}, depth + 1, name);
    }
    while (Object.keys(out).length < minProperties && optional.length > 0) {
      const name = optional.shift()!;
      out[name] = this.sample(properties[name], depth + 1, name);
    }
    const extra = schema.additionalProperties === false ? null : isSchema(schema.additionalProperties) ? schema.additionalProperties : {};
    for (let k = 1; extra && Object.keys(out).length < minProperties; k++) {
      if (!(`key${k}` in out)) out[`key${k}`] = this.sample(extra, depth + 1, `key${k}`);
    }
    return out;
  }
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function pointer(root: Schema, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isSchema(node) || Array.isArray(node) ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}

/** The numeric range a schema allows; exclusive bounds are tightened (by 1 for integers). */
function bounds(schema: Schema, integer: boolean): { lo: number; hi: number } {
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const nudge = integer ? 1 : 1e-6;
  const candidatesLo = [num(schema.minimum), num(schema.exclusiveMinimum) !== undefined ? num(schema.exclusiveMinimum)! + nudge : undefined];
  const candidatesHi = [num(schema.maximum), num(schema.exclusiveMaximum) !== undefined ? num(schema.exclusiveMaximum)! - nudge : undefined];
  // Draft 4: exclusiveMinimum/exclusiveMaximum are booleans that make minimum/maximum exclusive.
  if (schema.exclusiveMinimum === true && candidatesLo[0] !== undefined) candidatesLo[0] += nudge;
  if (schema.exclusiveMaximum === true && candidatesHi[0] !== undefined) candidatesHi[0] -= nudge;
  const definedLo = candidatesLo.filter((v): v is number => v !== undefined);
  const definedHi = candidatesHi.filter((v): v is number => v !== undefined);
  let lo = definedLo.length > 0 ? Math.max(...definedLo) : undefined;
  let hi = definedHi.length > 0 ? Math.min(...definedHi) : undefined;
  if (lo === undefined && hi === undefined) [lo, hi] = [0, 100];
  else if (lo === undefined) lo = hi! - 100;
  else if (hi === undefined) hi = lo + 100;
  return { lo: lo!, hi: hi! };
}

const WORDS = 'alpha bravo delta river stone cloud maple harbor signal garden orbit silver quiet amber copper meadow'.split(' ');
const CITIES = ['Paris', 'Tokyo', 'San Francisco', 'Berlin', 'Toronto', 'Sydney', 'Lisbon', 'Seoul'];
const NAMES = ['Alice Martin', 'Bob Chen', 'Carla Diaz', 'David Okafor', 'Emma Schmidt', 'Farid Haddad'];
const COUNTRIES = ['France', 'Japan', 'Canada', 'Brazil', 'Germany', 'Kenya'];
const TOPICS = ['latest results', 'weather forecast', 'project status', 'release notes', 'quarterly report', 'travel options'];

/** A plausible value for a string property, by its name: `city` gets a city, `email` an address. */
function hinted(key: string, rng: Random): string {
  const k = key.toLowerCase();
  if (/city|location|place|destination|origin/.test(k)) return rng.pick(CITIES);
  if (/country/.test(k)) return rng.pick(COUNTRIES);
  if (/email/.test(k)) return formatted('email', rng)!;
  if (/url|link|website/.test(k)) return formatted('uri', rng)!;
  if (/date/.test(k)) return formatted('date', rng)!;
  if (/(^|_)id$|uuid/.test(k)) return formatted('uuid', rng)!;
  if (/name|author|user|person/.test(k)) return rng.pick(NAMES);
  if (/query|search|topic|subject|title|keyword/.test(k)) return rng.pick(TOPICS);
  if (/description|text|content|message|summary|body|note|comment|reason/.test(k)) {
    return `The ${rng.pick(WORDS)} ${rng.pick(TOPICS)} for ${rng.pick(CITIES)}.`;
  }
  return `${rng.pick(WORDS)} ${rng.pick(WORDS)}`;
}

const hex = (rng: Random, digits: number): string => Array.from({ length: digits }, () => rng.int(16).toString(16)).join('');
const pad = (n: number): string => String(n).padStart(2, '0');

/** A value of a known string `format`, or null for formats this sampler does not know. */
function formatted(format: string, rng: Random): string | null {
  const date = () => `20${pad(20 + rng.int(6))}-${pad(1 + rng.int(12))}-${pad(1 + rng.int(28))}`;
  const time = () => `${pad(rng.int(24))}:${pad(rng.int(60))}:${pad(rng.int(60))}`;
  switch (format) {
    case 'date-time':
      return `${date()}T${time()}Z`;
    case 'date':
      return date();
    case 'time':
      return `${time()}Z`;
    case 'email':
    case 'idn-email':
      return `${rng.pick(NAMES).split(' ')[0].toLowerCase()}${rng.int(100)}@example.com`;
    case 'uri':
    case 'url':
    case 'iri':
    case 'uri-reference':
      return `https://example.com/${rng.pick(WORDS)}/${rng.int(1000)}`;
    case 'hostname':
    case 'idn-hostname':
      return `${rng.pick(WORDS)}.example.com`;
    case 'uuid':
      return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${'89ab'[rng.int(4)]}${hex(rng, 3)}-${hex(rng, 12)}`;
    case 'ipv4':
      return `${10 + rng.int(200)}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`;
    case 'ipv6':
      return `2001:db8::${hex(rng, 4).replace(/^0+(?=.)/, '')}`;
    case 'duration':
      return `PT${1 + rng.int(59)}M`;
    default:
      return null;
  }
}

/** `cities` -> `city`: items of an array property named in the plural get the singular's hints. */
function singular(key: string): string {
  if (/ies$/.test(key)) return key.replace(/ies$/, 'y');
  if (/s$/.test(key) && !/ss$/.test(key)) return key.slice(0, -1);
  return key;
}
