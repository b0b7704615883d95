import { arrayParts, asStrings, formatJson, isSchema, MAX_SCHEMA_DEPTH, num, Schema, SchemaDocument, typesOf } from './json-schema-utils';
import { FORMAT_LENGTHS } from './json-value-hints';

/*
 * The size (in characters of JSON text) of the smallest value a schema allows, found by arithmetic
 * on its keywords, never by building the value: `minLength: 1e9` costs one multiplication. Each
 * schema node is measured once (memoised), so `$ref` graphs are linear, and a node that needs
 * itself (a required property pointing back to its own object) is infinite.
 */

/** Where a minimum is set, as the error names it. */
export interface MinimumCulprit {
  /** Path in the schema, e.g. `properties.tags.minItems` ('' = the root). */
  schemaPath: string;
  /** Path in the value, e.g. `$.tags`. */
  instancePath: string;
  chars: number;
}

const KEY_OVERHEAD = 4; // the quotes around a key, ': ' after it
const SEPARATOR = 2; // ', '

/** Schema nodes measured per request at most; a schema that needs more is too complex (infinite). */
const MAX_STEPS = 100_000;

export class MinimumSize {
  private readonly memo = new Map<object, number>();
  private readonly active = new Set<object>();
  private steps = 0;

  constructor(private readonly doc: SchemaDocument) {}

  /** Characters of the smallest JSON value `input` allows; Infinity when none is finite. */
  of(input: unknown, depth = 0): number {
    if (input === false) return Infinity;
    if (!isSchema(input)) return 2; // `true` or a non-schema: the sampler writes `""`
    if (depth > MAX_SCHEMA_DEPTH || ++this.steps > MAX_STEPS) return Infinity;
    const known = this.memo.get(input);
    if (known !== undefined) return known;
    if (this.active.has(input)) return Infinity;
    this.active.add(input);
    const size = this.measure(this.doc.flatten(input), depth);
    this.active.delete(input);
    this.memo.set(input, size);
    return size;
  }

  /** The size of a flattened schema (no `$ref`, no `allOf` at its top). */
  measure(schema: Schema, depth: number): number {
    if ('const' in schema) return formatJson(schema.const as never).length;
    if (Array.isArray(schema.enum)) return smallest(schema.enum, (v) => formatJson(v as never).length);
    const branches = this.doc.branches(schema);
    // Branches are new objects (merged with their siblings): bounded by depth and steps, not memoised.
    if (branches) return smallest(branches, (b) => (depth >= MAX_SCHEMA_DEPTH || ++this.steps > MAX_STEPS ? Infinity : this.measure(b, depth + 1)));
    return smallest(typesOf(schema), (type) => this.ofType(schema, type, depth));
  }

  private ofType(schema: Schema, type: string, depth: number): number {
    switch (type) {
      case 'null':
      case 'boolean':
        return 4;
      case 'integer':
      case 'number':
        return 1;
      case 'string':
        return stringMinimum(schema);
      case 'array':
        return this.arrayMinimum(schema, depth);
      case 'object':
        return this.objectMinimum(schema, depth);
      default:
        return 2;
    }
  }

  /** The fewest items, the schema of item i, and whether more than the tuple part is allowed. */
  arrayMinimum(schema: Schema, depth: number): number {
    const count = minItemsOf(schema);
    if (count === 0) return 2;
    const { prefix, rest } = arrayParts(schema);
    let size = 2 + SEPARATOR * (count - 1);
    const inPrefix = Math.min(count, prefix.length);
    for (let i = 0; i < inPrefix; i++) size += this.of(prefix[i], depth + 1);
    if (count > inPrefix) size += (count - inPrefix) * this.of(rest, depth + 1);
    return size;
  }

  objectMinimum(schema: Schema, depth: number): number {
    const { required, properties, extra, extraCount } = this.objectParts(schema);
    let size = 2;
    let members = 0;
    for (const name of required) {
      const value = name in properties ? properties[name] : extra === false ? false : (extra ?? {});
      size += JSON.stringify(name).length - 2 + KEY_OVERHEAD + this.of(value, depth + 1);
      members++;
    }
    if (extraCount > 0) {
      // The cheapest optional properties first, then made-up keys (`key1`, ...) if allowed.
      const optional = Object.keys(properties)
        .filter((name) => !required.includes(name))
        .map((name) => name.length + KEY_OVERHEAD + this.of(properties[name], depth + 1))
        .sort((a, b) => a - b);
      const fromOptional = optional.slice(0, extraCount);
      size += fromOptional.reduce((a, b) => a + b, 0);
      const made = extraCount - fromOptional.length;
      if (made > 0) size += extra === false ? Infinity : made * (`key${made}`.length + KEY_OVERHEAD + this.of(extra ?? {}, depth + 1));
      members += extraCount;
    }
    return size + SEPARATOR * Math.max(0, members - 1);
  }

  /** The smallest value's largest part, followed down to the keyword that sets it. */
  culprit(input: unknown, budgetChars: number): MinimumCulprit {
    let node: unknown = input;
    let schemaPath = '';
    let instancePath = '$';
    const join = (a: string, b: string) => (a === '' ? b : `${a}.${b}`);
    const visited = new Set<object>();
    for (let depth = 0; depth <= MAX_SCHEMA_DEPTH; depth++) {
      const chars = this.of(node, depth);
      if (!isSchema(node)) return { schemaPath, instancePath, chars };
      // A schema that requires itself: name the place where it refers back.
      const target = this.doc.refTarget(node) ?? node;
      if (visited.has(target)) return { schemaPath: join(schemaPath, '$ref'), instancePath, chars };
      visited.add(target);
      let schema = this.doc.flatten(node);
      const branches = this.doc.branches(schema);
      if (branches) schema = branches.reduce((a, b) => (this.measure(a, depth + 1) <= this.measure(b, depth + 1) ? a : b));
      const type = typesOf(schema).reduce((a, b) => (this.ofType(schema, a, depth) <= this.ofType(schema, b, depth) ? a : b));
      if (type === 'string') return { schemaPath: join(schemaPath, 'minLength' in schema ? 'minLength' : 'format'), instancePath, chars };
      if (type === 'array') {
        const count = minItemsOf(schema);
        const { prefix, rest } = arrayParts(schema);
        const big = prefix.findIndex((p, i) => i < count && this.of(p, depth + 1) > budgetChars);
        if (big >= 0) {
          [node, schemaPath, instancePath] = [prefix[big], join(schemaPath, `prefixItems[${big}]`), `${instancePath}[${big}]`];
          continue;
        }
        if (count > prefix.length && this.of(rest, depth + 1) > budgetChars) {
          [node, schemaPath, instancePath] = [rest, join(schemaPath, 'items'), `${instancePath}[${prefix.length}]`];
          continue;
        }
        return { schemaPath: join(schemaPath, 'minItems'), instancePath, chars };
      }
      if (type === 'object') {
        const { required, properties, extra, extraCount } = this.objectParts(schema);
        const big = required.find((name) => this.of(name in properties ? properties[name] : (extra ?? {}), depth + 1) > budgetChars);
        if (big !== undefined) {
          const inProperties = big in properties;
          node = inProperties ? properties[big] : extra === false ? false : (extra ?? {});
          schemaPath = join(schemaPath, inProperties ? `properties.${big}` : 'additionalProperties');
          instancePath = `${instancePath}.${big}`;
          continue;
        }
        return { schemaPath: join(schemaPath, extraCount > 0 ? 'minProperties' : 'required'), instancePath, chars };
      }
      return { schemaPath, instancePath, chars };
    }
    return { schemaPath, instancePath, chars: Infinity };
  }

  private objectParts(schema: Schema) {
    const properties = isSchema(schema.properties) ? schema.properties : {};
    const required = [...new Set(asStrings(schema.required))];
    const extra = schema.additionalProperties === false ? false : isSchema(schema.additionalProperties) ? schema.additionalProperties : undefined;
    const minProperties = Math.max(0, Math.floor(num(schema.minProperties) ?? 0));
    return { properties, required, extra, extraCount: Math.max(0, minProperties - required.length) };
  }
}

/** The least of fn over items (Infinity for none), without spreading a long list into arguments. */
function smallest<T>(items: readonly T[], fn: (item: T) => number): number {
  let least = Infinity;
  for (const item of items) least = Math.min(least, fn(item));
  return least;
}

export function minItemsOf(schema: Schema): number {
  return Math.max(0, Math.ceil(num(schema.minItems) ?? 0));
}

function stringMinimum(schema: Schema): number {
  const minLength = Math.max(0, Math.ceil(num(schema.minLength) ?? 0));
  const format = typeof schema.format === 'string' ? FORMAT_LENGTHS[schema.format] : undefined;
  return 2 + Math.max(minLength, format ?? 0);
}
