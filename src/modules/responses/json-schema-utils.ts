/*
 * The JSON-schema reading the sampler, its size estimate and its value check share: local `$ref`s,
 * `allOf` folded into one schema, a union branch merged with its siblings.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type Schema = Record<string, unknown>;

/** Nested deeper than this (objects in arrays in objects ...), a schema is not followed. */
export const MAX_SCHEMA_DEPTH = 32;
/** `$ref` chains longer than this are cut (a ref to a ref to ...). */
const MAX_REF_HOPS = 32;

export function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** A schema document: resolves its own `$ref`s (`#/$defs/X`, `#/definitions/X`, any `#/...` pointer). */
export class SchemaDocument {
  constructor(readonly root: Schema) {}

  /** `input` with its `$ref`s followed and `allOf` folded: the keywords that apply to one value. */
  flatten(input: unknown): Schema {
    let schema = this.resolve(isSchema(input) ? input : {});
    if (Array.isArray(schema.allOf)) schema = this.merge(schema);
    return schema;
  }

  /** Follows local `$ref`s; sibling keywords of a `$ref` overlay its target. */
  resolve(schema: Schema): Schema {
    for (let hops = 0; typeof schema.$ref === 'string' && hops < MAX_REF_HOPS; hops++) {
      const target = pointer(this.root, schema.$ref);
      const { $ref: _ref, ...siblings } = schema;
      schema = isSchema(target) ? { ...target, ...siblings } : siblings;
    }
    return schema;
  }

  /** The schema a `$ref` points to (the object itself, for recognising a schema that refers back to itself). */
  refTarget(schema: unknown): object | undefined {
    if (!isSchema(schema) || typeof schema.$ref !== 'string') return undefined;
    const target = pointer(this.root, schema.$ref);
    return isSchema(target) ? target : undefined;
  }

  /** `allOf` folded into one schema: properties and required united, other keywords overlaid. */
  merge(schema: Schema, depth = 0): Schema {
    const { allOf, ...rest } = schema;
    let out: Schema = {};
    for (const part of [...(Array.isArray(allOf) ? allOf : []), rest]) {
      let s = this.resolve(isSchema(part) ? part : {});
      if (Array.isArray(s.allOf) && depth < MAX_REF_HOPS) s = this.merge(s, depth + 1);
      const properties = { ...(out.properties as Schema | undefined), ...(s.properties as Schema | undefined) };
      const required = [...new Set([...asStrings(out.required), ...asStrings(s.required)])];
      out = { ...out, ...s };
      if (Object.keys(properties).length > 0) out.properties = properties;
      if (required.length > 0) out.required = required;
    }
    return out;
  }

  /** The branches of `oneOf`/`anyOf`, each merged with the keywords beside the union; null if none. */
  branches(schema: Schema): Schema[] | null {
    const raw = (schema.oneOf ?? schema.anyOf) as unknown;
    if (!Array.isArray(raw) || raw.length === 0) return null;
    const { oneOf: _o, anyOf: _a, ...rest } = schema;
    return raw.map((branch) => this.flatten(this.merge({ allOf: [rest, this.resolve(isSchema(branch) ? branch : {})] })));
  }
}

function pointer(root: Schema, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    let part: string;
    try {
      part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    node = isSchema(node) || Array.isArray(node) ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}

/** The types a schema allows, in order: `type` as given, else what its keywords imply. */
export function typesOf(schema: Schema): string[] {
  const type = schema.type;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type) && type.length > 0) return type.map(String);
  if ('properties' in schema || 'required' in schema || 'additionalProperties' in schema || 'minProperties' in schema) return ['object'];
  if ('items' in schema || 'prefixItems' in schema || 'minItems' in schema) return ['array'];
  if ('minimum' in schema || 'maximum' in schema || 'multipleOf' in schema || 'exclusiveMinimum' in schema || 'exclusiveMaximum' in schema) return ['number'];
  return ['string'];
}

/** Array items: the tuple part (`prefixItems`, or draft-07 `items: [...]`) and the schema for the rest. */
export function arrayParts(schema: Schema): { prefix: unknown[]; rest: unknown } {
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
  const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
  return { prefix, rest: rest === undefined ? {} : rest };
}

/** The numeric range a schema allows; exclusive bounds are tightened (by 1 for integers). */
export function declaredBounds(schema: Schema, integer: boolean): { lo?: number; hi?: number } {
  const nudge = integer ? 1 : 1e-6;
  const los = [num(schema.minimum), num(schema.exclusiveMinimum) !== undefined ? num(schema.exclusiveMinimum)! + nudge : undefined];
  const his = [num(schema.maximum), num(schema.exclusiveMaximum) !== undefined ? num(schema.exclusiveMaximum)! - nudge : undefined];
  // Draft 4: exclusiveMinimum/exclusiveMaximum are booleans that make minimum/maximum exclusive.
  if (schema.exclusiveMinimum === true && los[0] !== undefined) los[0] += nudge;
  if (schema.exclusiveMaximum === true && his[0] !== undefined) his[0] -= nudge;
  const lo = los.filter((v): v is number => v !== undefined);
  const hi = his.filter((v): v is number => v !== undefined);
  return { lo: lo.length > 0 ? Math.max(...lo) : undefined, hi: hi.length > 0 ? Math.min(...hi) : undefined };
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

/** Length in code points, as JSON schema's minLength/maxLength count. */
export function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}
