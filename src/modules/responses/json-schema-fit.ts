import { arrayParts, codePoints, declaredBounds, formatJson, isSchema, JsonValue, num, Schema, SchemaDocument, typesOf } from './json-schema-utils';

/*
 * Does a value taken from the conversation (a city named in the prompt, a number, an enum value)
 * satisfy the schema of the property it would fill? A deliberately small check over the keywords
 * the sampler honours; anything it cannot judge (objects, unions it cannot settle) is a no, and
 * the sampler then generates the value instead.
 */

const FORMAT_CHECKS: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  time: /^\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  uri: /^[a-z][a-z0-9+.-]*:\S+$/i,
  url: /^[a-z][a-z0-9+.-]*:\S+$/i,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};

export function fits(doc: SchemaDocument, value: JsonValue, input: unknown, depth = 0): boolean {
  if (input === true || input === undefined) return true;
  if (!isSchema(input) || depth > 8) return false;
  const schema = doc.flatten(input);
  if ('const' in schema) return formatJson(schema.const as JsonValue) === formatJson(value);
  if (Array.isArray(schema.enum)) return schema.enum.some((v) => formatJson(v as JsonValue) === formatJson(value));
  const branches = doc.branches(schema);
  if (branches) return branches.some((b) => fits(doc, value, b, depth + 1));
  const types = typesOf(schema);
  return types.some((type) => fitsType(doc, value, schema, type, depth));
}

function fitsType(doc: SchemaDocument, value: JsonValue, schema: Schema, type: string, depth: number): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && fitsNumber(value, schema, true);
    case 'number':
      return typeof value === 'number' && fitsNumber(value, schema, false);
    case 'string':
      return typeof value === 'string' && fitsString(value, schema);
    case 'array': {
      if (!Array.isArray(value)) return false;
      const min = num(schema.minItems) ?? 0;
      const max = num(schema.maxItems) ?? Infinity;
      if (value.length < min || value.length > max) return false;
      if (schema.uniqueItems === true && new Set(value.map((v) => formatJson(v))).size !== value.length) return false;
      const { prefix, rest } = arrayParts(schema);
      return value.every((item, i) => fits(doc, item, i < prefix.length ? prefix[i] : rest, depth + 1));
    }
    default:
      return false; // objects are generated, not filled from the conversation
  }
}

function fitsNumber(value: number, schema: Schema, integer: boolean): boolean {
  const { lo, hi } = declaredBounds(schema, integer);
  if (lo !== undefined && value < lo) return false;
  if (hi !== undefined && value > hi) return false;
  const step = num(schema.multipleOf);
  return step === undefined || step <= 0 || Math.abs(value / step - Math.round(value / step)) < 1e-9;
}

function fitsString(value: string, schema: Schema): boolean {
  const length = codePoints(value);
  if (length < (num(schema.minLength) ?? 0) || length > (num(schema.maxLength) ?? Infinity)) return false;
  const check = typeof schema.format === 'string' ? FORMAT_CHECKS[schema.format] : undefined;
  if (check && !check.test(value)) return false;
  // A `pattern` this module cannot run safely on every engine is judged by the sampler's own rules: no.
  return typeof schema.pattern !== 'string';
}
