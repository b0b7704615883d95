import { Random } from '../../common/random';
import { fits } from './json-schema-fit';
import { MinimumSize, minItemsOf } from './json-schema-size';
import {
  arrayParts,
  asStrings,
  codePoints,
  declaredBounds,
  formatJson,
  isSchema,
  JsonValue,
  MAX_SCHEMA_DEPTH,
  num,
  Schema,
  SchemaDocument,
  typesOf,
} from './json-schema-utils';
import { FILLER_WORDS, formatted, hintedRange, hintedString } from './json-value-hints';
import { ReplyBudgetError } from './reply-errors';

/*
 * A seeded generator of JSON values that satisfy a JSON schema: the arguments of a simulated tool
 * call and the reply to `response_format: json_schema`. Same schema, options and generator state,
 * same value. It covers what tool and structured-output schemas use in practice:
 * `type` (one or a list), `const`, `enum`, objects (every `required` property, some optional ones,
 * `minProperties`), strings (`format`, `minLength`/`maxLength`), numbers and integers (`minimum`,
 * `maximum`, exclusive bounds, `multipleOf`), arrays (`items`, `prefixItems`, `minItems`/`maxItems`,
 * `uniqueItems`), `$ref` into `$defs`/`definitions`, `allOf` (merged), `anyOf`/`oneOf` (one branch).
 * Not covered: string `pattern`, `not`, `if`/`then`, `dependentRequired`, `contains`;
 * a value may then miss the schema.
 *
 * Sizes come from the request's token budget, never from the schema's numbers:
 * - the smallest value the schema allows is measured first (arithmetic, see MinimumSize); if it
 *   cannot fit in the tokens the request may ever generate (`roomTokens`: the context window left
 *   after the prompt), the schema is refused with a ReplyBudgetError naming the keyword;
 * - what the sampler chooses freely (optional properties, extra items, string lengths) stays
 *   within `maxTokens`, so a value fits max_tokens whenever the schema allows it;
 * - a minimum larger than `maxTokens` (but within the room) is written only as far as max_tokens
 *   will show, then the text stops (`truncated`): the reply is cut at max_tokens, as a constrained
 *   model that cannot stop before the schema is satisfied would be.
 * So the work per request is bounded by its max_tokens, whatever the schema says.
 */

export type { JsonValue } from './json-schema-utils';
export { formatJson } from './json-schema-utils';

export interface NumberRange {
  minimum: number;
  maximum: number;
}

export interface SampleOptions {
  /** Tokens the value should fit in (max_tokens, already clipped to the context window). */
  maxTokens?: number;
  /** The most tokens the request may ever generate; a schema whose minimum needs more is refused. Default: maxTokens. */
  roomTokens?: number;
  /** A value for a property from elsewhere (the conversation); used when it satisfies the property's schema. */
  hint?: (key: string, path: string, schema: Schema) => JsonValue | undefined;
  /** Where integers and numbers fall when the schema sets no bounds (default 0..100). */
  integerRange?: NumberRange;
  numberRange?: NumberRange;
  /** Where the schema is in the request, for errors (`response_format.json_schema.schema`). */
  origin?: string;
}

export interface JsonSample {
  value: JsonValue;
  /** The value as JSON text (Python's `json.dumps` layout). */
  text: string;
  /** The schema's minimum is longer than max_tokens: `text` is only its beginning, to be cut there. */
  truncated: boolean;
}

/** Characters per token when sizing what the sampler chooses freely (JSON's punctuation tokenizes short). */
const CHARS_PER_TOKEN = 3;
/** Characters per token at most, for the refusal: a minimum is refused only when it surely cannot fit. */
const MAX_CHARS_PER_TOKEN = 8;
/**
 * A truncated text is this many characters per max_tokens token long: more tokens than max_tokens for
 * the words and numbers the sampler writes (the planner fills the reply up to max_tokens if not).
 */
const TRUNCATED_CHARS_PER_TOKEN = 6;
const DEFAULT_MAX_TOKENS = 4096;
/** Deeper than this, objects get only their required properties and arrays their fewest items. */
const LEAN_DEPTH = 4;
const DEFAULT_RANGE: NumberRange = { minimum: 0, maximum: 100 };
/** A numeric range at most this wide is the schema's deliberate choice, drawn from whole. */
const DELIBERATE_RANGE = 10_000;

/** A value for `schema` (see the file comment); throws ReplyBudgetError when its minimum cannot fit. */
export function sampleJsonText(schema: unknown, rng: Random, options: SampleOptions = {}): JsonSample {
  const root = isSchema(schema) ? schema : {};
  const doc = new SchemaDocument(root);
  const sizes = new MinimumSize(doc);
  const maxTokens = Math.max(1, Math.floor(options.maxTokens ?? DEFAULT_MAX_TOKENS));
  const roomTokens = Math.max(maxTokens, Math.floor(options.roomTokens ?? maxTokens));
  const minimum = sizes.of(root);
  if (!Number.isFinite(minimum) || minimum / MAX_CHARS_PER_TOKEN > roomTokens) {
    const culprit = sizes.culprit(root, roomTokens * MAX_CHARS_PER_TOKEN);
    throw new ReplyBudgetError(
      options.origin ?? 'schema',
      culprit.schemaPath,
      culprit.instancePath,
      culprit.chars / MAX_CHARS_PER_TOKEN,
      roomTokens,
    );
  }
  const sampler = new JsonSampler(doc, sizes, rng, options, maxTokens * TRUNCATED_CHARS_PER_TOKEN + 64);
  const value = sampler.sample(root, 0, '', '$', maxTokens * CHARS_PER_TOKEN);
  return { value, text: formatJson(value), truncated: sampler.truncated };
}

/** The value alone (tests, callers that need no text). */
export function sampleJson(schema: unknown, rng: Random, options: SampleOptions = {}): JsonValue {
  return sampleJsonText(schema, rng, options).value;
}

class JsonSampler {
  /** Characters of JSON text written so far, in output order: where the hard cap is checked. */
  private written = 0;
  truncated = false;

  constructor(
    private readonly doc: SchemaDocument,
    private readonly sizes: MinimumSize,
    private readonly rng: Random,
    private readonly options: SampleOptions,
    private readonly capChars: number,
  ) {}

  private get full(): boolean {
    if (this.written >= this.capChars) this.truncated = true;
    return this.truncated;
  }

  /** A value for `input`, using about `allowance` characters if the schema lets it choose. */
  sample(input: unknown, depth: number, key: string, path: string, allowance: number): JsonValue {
    if (input === false || depth > MAX_SCHEMA_DEPTH || this.full) return this.emit(null);
    const schema = this.doc.flatten(input);
    if ('const' in schema) return this.emit(schema.const as JsonValue);
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return this.emit(this.rng.pick(schema.enum) as JsonValue);
    const branches = this.doc.branches(schema);
    if (branches) {
      // A branch whose minimum fits the allowance, when there is one.
      const fitting = branches.filter((b) => this.sizes.measure(b, depth + 1) <= Math.max(allowance, 2));
      const branch = this.rng.pick(fitting.length > 0 ? fitting : branches);
      return this.sample(branch, depth + 1, key, path, allowance);
    }
    switch (this.typeOf(schema)) {
      case 'null':
        return this.emit(null);
      case 'boolean':
        return this.emit(this.rng.next() < 0.5);
      case 'integer':
        return this.emit(this.integer(schema, key));
      case 'number':
        return this.emit(this.number(schema, key));
      case 'array':
        return this.array(schema, depth, key, path, allowance);
      case 'object':
        return this.object(schema, depth, path, allowance);
      default:
        return this.string(schema, key, allowance);
    }
  }

  private emit(value: JsonValue): JsonValue {
    this.written += formatJson(value).length;
    return value;
  }

  private typeOf(schema: Schema): string {
    const types = typesOf(schema);
    if (types.length === 1) return types[0];
    const concrete = types.filter((t) => t !== 'null');
    return concrete.length > 0 && this.rng.next() < 0.9 ? this.rng.pick(concrete) : this.rng.pick(types);
  }

  /**
   * Where a number falls: a deliberate range (a few thousand wide at most) is used whole; an open
   * or very wide one (zod's `int()` sends ±2^53) gets the sane default inside it: the range the
   * property's name suggests, else the configured one (0..100), else that width next to its bound.
   */
  private range(schema: Schema, key: string, integer: boolean): { lo: number; hi: number } {
    const { lo = -Infinity, hi = Infinity } = declaredBounds(schema, integer);
    if (hi - lo <= DELIBERATE_RANGE) return { lo, hi };
    const span = (integer ? this.options.integerRange : this.options.numberRange) ?? DEFAULT_RANGE;
    const sane = hintedRange(key, integer) ?? { lo: span.minimum, hi: span.maximum };
    const width = Math.max(1, sane.hi - sane.lo);
    const a = Math.max(lo, sane.lo);
    const b = Math.min(hi, sane.hi);
    if (a <= b) return { lo: a, hi: b };
    return lo > sane.hi ? { lo, hi: Math.min(hi, lo + width) } : { lo: Math.max(lo, hi - width), hi };
  }

  private integer(schema: Schema, key: string): number {
    const { lo, hi } = this.range(schema, key, true);
    const step = num(schema.multipleOf) !== undefined && (schema.multipleOf as number) > 0 ? (schema.multipleOf as number) : 1;
    const kLo = Math.ceil(lo / step);
    const kHi = Math.floor(hi / step);
    if (kHi < kLo) return Math.ceil(lo);
    // Spans beyond 2^32 are drawn from the generator's resolution; the value stays in range.
    return (kLo + Math.min(kHi - kLo, Math.floor(this.rng.next() * (kHi - kLo + 1)))) * step;
  }

  private number(schema: Schema, key: string): number {
    if (num(schema.multipleOf) !== undefined) return this.integer(schema, key);
    const { lo, hi } = this.range(schema, key, false);
    // Two decimals, not a whole number, strictly inside the range when the range allows it.
    const value = Math.round((lo + (0.05 + 0.9 * this.rng.next()) * (hi - lo)) * 100) / 100;
    const fractional = Number.isInteger(value) ? value + 0.25 : value;
    return fractional > lo && fractional < hi ? fractional : (lo + hi) / 2;
  }

  private string(schema: Schema, key: string, allowance: number): string {
    const min = Math.max(0, Math.ceil(num(schema.minLength) ?? 0));
    const max = Math.max(min, Math.floor(num(schema.maxLength) ?? Infinity));
    const format = typeof schema.format === 'string' ? formatted(schema.format, this.rng) : null;
    if (format !== null && codePoints(format) >= min && codePoints(format) <= max) return this.emit(format) as string;
    let text = hintedString(key, this.rng);
    // Free length stays within the allowance; the minimum is written only up to the hard cap.
    const room = Math.max(min, Math.min(max, allowance - 2));
    if (codePoints(text) > room) text = [...text].slice(0, room).join('').trimEnd();
    if (codePoints(text) < min) {
      const cap = Math.max(0, this.capChars - this.written);
      const target = Math.min(min, cap + 1);
      const parts = [text];
      let length = codePoints(text);
      while (length < target) {
        const word = ` ${this.rng.pick(FILLER_WORDS)}`;
        parts.push(word);
        length += word.length;
      }
      text = parts.join('');
      if (codePoints(text) > max) text = [...text].slice(0, max).join('');
      if (target < min) this.truncated = true;
    }
    return this.emit(text) as string;
  }

  private array(schema: Schema, depth: number, key: string, path: string, allowance: number): JsonValue[] {
    const { prefix, rest } = arrayParts(schema);
    const max = Math.floor(num(schema.maxItems) ?? Infinity);
    const least = Math.min(minItemsOf(schema), max);
    // Without minItems an array gets an item or a few, as a model would write it.
    const natural = Math.min(Math.max(least, num(schema.minItems) === undefined ? 1 : least), max);
    const itemSchema = (i: number) => (i < prefix.length ? prefix[i] : rest);
    let count = depth >= LEAN_DEPTH ? natural : natural + this.rng.int(Math.max(0, Math.min(max, natural + 3) - natural) + 1);
    if (rest === false) count = Math.min(count, prefix.length);
    count = Math.max(count, Math.min(prefix.length, max, count));
    // Items beyond the minimum only while they fit the allowance.
    const itemCost = this.sizes.of(itemSchema(prefix.length), depth + 1) + 2;
    if (count > least && Number.isFinite(itemCost)) count = Math.max(least, Math.min(count, Math.floor((allowance - 2) / Math.max(itemCost, 1))));
    const share = count > 0 ? Math.max(0, (allowance - 2) / count - 2) : 0;

    const out: JsonValue[] = [];
    const seen = new Set<string>();
    const itemKey = singular(key);
    this.written += 2;
    for (let i = 0; i < count; i++) {
      if (this.full) break;
      const mark = this.written;
      let item = this.sample(itemSchema(i), depth + 1, itemKey, `${path}[${i}]`, share);
      // uniqueItems: redraw a duplicate a few times, then stop short (minItems permitting).
      for (let tries = 0; schema.uniqueItems === true && seen.has(formatJson(item)) && tries < 20; tries++) {
        this.written = mark;
        item = this.sample(itemSchema(i), depth + 1, itemKey, `${path}[${i}]`, share);
      }
      if (schema.uniqueItems === true && seen.has(formatJson(item)) && out.length >= least) {
        this.written = mark;
        break;
      }
      if (schema.uniqueItems === true) seen.add(formatJson(item));
      out.push(item);
      this.written += 2;
    }
    return out;
  }

  private object(schema: Schema, depth: number, path: string, allowance: number): { [key: string]: JsonValue } {
    const properties = isSchema(schema.properties) ? schema.properties : {};
    const required = new Set(asStrings(schema.required));
    const minProperties = Math.max(0, Math.ceil(num(schema.minProperties) ?? 0));
    const maxProperties = Math.floor(num(schema.maxProperties) ?? Infinity);
    const extra = schema.additionalProperties === false ? null : isSchema(schema.additionalProperties) ? schema.additionalProperties : {};
    const lean = depth >= LEAN_DEPTH;
    const cost = (name: string, s: unknown) => name.length + 6 + this.sizes.of(s, depth + 1);
    const valueOf = (name: string) => (name in properties ? properties[name] : (extra ?? false));

    // Which properties: every required one, optional ones by chance while they fit, then enough
    // for minProperties (optional ones first, then made-up keys where the schema allows them).
    let spare = allowance - this.sizes.measure(schema, depth);
    const chosen = new Set<string>(required);
    for (const name of Object.keys(properties)) {
      if (chosen.has(name) || lean || chosen.size >= maxProperties) continue;
      const c = cost(name, properties[name]);
      if (this.rng.next() < 0.6 && c <= spare) {
        chosen.add(name);
        spare -= c;
      }
    }
    for (const name of Object.keys(properties)) {
      if (chosen.size >= minProperties || this.full) break;
      if (Number.isFinite(cost(name, properties[name]))) chosen.add(name);
    }
    const made: string[] = [];
    for (let k = 1; extra && chosen.size + made.length < minProperties; k++) {
      if (this.written + made.length * 8 >= this.capChars) {
        this.truncated = true;
        break;
      }
      if (!(`key${k}` in properties) && !chosen.has(`key${k}`)) made.push(`key${k}`);
    }
    const names = [...Object.keys(properties).filter((n) => chosen.has(n)), ...[...required].filter((n) => !(n in properties)), ...made];
    const share = names.length > 0 ? Math.max(0, spare) / names.length : 0;

    const out: { [key: string]: JsonValue } = {};
    this.written += 2;
    for (const name of names) {
      if (this.full) break;
      const childPath = `${path}.${name}`;
      const childSchema = valueOf(name);
      this.written += JSON.stringify(name).length + 4;
      const hinted = this.options.hint && isSchema(childSchema) ? this.options.hint(name, childPath, this.doc.flatten(childSchema)) : undefined;
      out[name] = hinted !== undefined && fits(this.doc, hinted, childSchema) ? this.emit(hinted) : this.sample(childSchema, depth + 1, name, childPath, this.sizes.of(childSchema, depth + 1) + share);
    }
    return out;
  }
}

/** `cities` -> `city`: items of an array property named in the plural get the singular's hints. */
function singular(key: string): string {
  if (/ies$/.test(key)) return key.replace(/ies$/, 'y');
  if (/s$/.test(key) && !/ss$/.test(key)) return key.slice(0, -1);
  return key;
}
