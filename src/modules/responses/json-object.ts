import { JsonValue, Schema } from './json-schema-utils';
import { nameWords } from './json-value-hints';
import { ConversationTurn } from './responses.types';

/*
 * `response_format: {"type": "json_object"}` leaves the shape to the prompt. Frameworks put it
 * there: a JSON schema in the system message ("Respond with JSON matching this schema: {...}"),
 * or the fields in words ("a JSON object with name, age and email"). The shape found becomes a
 * schema for the sampler; with none, the reply text is wrapped as `{"response": ...}`.
 */

/** A JSON text inside a message is looked for in its first this many characters. */
const MAX_SCAN = 20_000;

/** The schema the conversation asks the JSON to follow, or null. */
export function schemaInConversation(turns: readonly ConversationTurn[]): Schema | null {
  const ordered = [...turns.filter((t) => t.role === 'system' || t.role === 'developer'), ...turns.filter((t) => t.role === 'user').reverse()];
  for (const turn of ordered) {
    for (const value of jsonObjectsIn(turn.content)) {
      const schema = asSchema(value);
      if (schema) return schema;
    }
  }
  const last = [...turns].reverse().find((t) => t.role === 'user');
  return last ? fieldsSchema(last.content) : null;
}

/** A JSON schema, or an example object turned into one (`{"name": "...", "age": 0}`). */
function asSchema(value: JsonValue): Schema | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, JsonValue>;
  if (v.type === 'object' || (typeof v.properties === 'object' && v.properties !== null)) return v as Schema;
  if (typeof v.schema === 'object' && v.schema !== null) return asSchema(v.schema);
  if (typeof v.json_schema === 'object' && v.json_schema !== null) return asSchema(v.json_schema);
  return null;
}

/** Objects written in a text (balanced braces outside strings), first first. */
function jsonObjectsIn(text: string): JsonValue[] {
  const scan = text.slice(0, MAX_SCAN);
  const out: JsonValue[] = [];
  for (let start = scan.indexOf('{'); start >= 0 && out.length < 4; start = scan.indexOf('{', start + 1)) {
    const end = closingBrace(scan, start);
    if (end < 0) continue;
    try {
      out.push(JSON.parse(scan.slice(start, end + 1)) as JsonValue);
      start = end;
    } catch {
      // not JSON: look further
    }
  }
  return out;
}

function closingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** "with the fields name, age and email" -> an object schema with those properties, typed by name. */
function fieldsSchema(prompt: string): Schema | null {
  const m = /\b(?:fields?|keys?|properties|attributes|with)\s*(?:named|called)?\s*:?\s*((?:["'`]?[A-Za-z_][\w]*["'`]?\s*(?:,|\band\b|&)\s*)+["'`]?[A-Za-z_][\w]*["'`]?)/i.exec(prompt.slice(0, 2_000));
  if (!m) return null;
  const names = m[1]
    .split(/\s*(?:,|\band\b|&)\s*/i)
    .map((n) => n.replace(/["'`]/g, '').trim())
    .filter((n) => /^[A-Za-z_]\w*$/.test(n) && !['a', 'an', 'the', 'json', 'object'].includes(n.toLowerCase()));
  if (names.length < 2) return null;
  const properties = Object.fromEntries(names.slice(0, 32).map((n) => [n, typeFor(n)]));
  return { type: 'object', properties, required: Object.keys(properties) };
}

function typeFor(name: string): Schema {
  const k = nameWords(name);
  if (/\b(age|count|year|quantity|qty|number|num|rank|total)\b/.test(k)) return { type: 'integer' };
  if (/\b(price|cost|amount|score|rating|latitude|longitude|lat|lon)\b/.test(k)) return { type: 'number' };
  if (/^(is|has|can|should)\b|\b(enabled|active|valid)\b/.test(k)) return { type: 'boolean' };
  if (/\b(tags|items|list|keywords|names|ingredients|steps)\b/.test(k)) return { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 4 };
  if (/\be ?mail\b/.test(k)) return { type: 'string', format: 'email' };
  return { type: 'string' };
}
