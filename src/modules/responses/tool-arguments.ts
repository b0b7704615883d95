import { arithmeticIn } from './arithmetic';
import { JsonValue, Schema } from './json-schema-utils';
import { nameWords } from './json-value-hints';
import { factsOf, TextFacts } from './text-facts';

/*
 * Tool-call arguments taken from the conversation, as a model reading the user's message would
 * fill them: the place named for `location`/`city`, the number next to the parameter's word
 * (`3 days` for `days`), a date for a date, the quoted string for a query, the enum value the
 * message names. The JSON-schema sampler asks for each property and keeps a value only if it
 * satisfies the property's schema; it generates the rest.
 */

export type ArgumentHint = (key: string, path: string, schema: Schema) => JsonValue | undefined;

export interface ArgumentSource {
  /** The message the call answers (the last user turn). */
  message: string;
  /** Earlier user turns, newest first: facts the last message does not repeat ("and tomorrow?"). */
  earlier?: readonly string[];
  /** Which of several places this call is for (one call per place when a message names several). */
  placeIndex?: number;
}

/** Words before a place that say it is where a trip starts or ends. */
const FROM = /\bfrom\s+$/i;
const TO = /\b(?:to|into)\s+$/i;

export function argumentHints(source: ArgumentSource): ArgumentHint {
  const facts = factsOf(source.message);
  const earlier = (source.earlier ?? []).map((t) => factsOf(t));
  const pick = <T>(get: (f: TextFacts) => T[]): T[] => {
    const own = get(facts);
    return own.length > 0 ? own : (earlier.map(get).find((list) => list.length > 0) ?? []);
  };

  return (key, _path, schema) => {
    const words = nameWords(key);
    const about = `${words} ${typeof schema.description === 'string' ? schema.description.toLowerCase() : ''}`;
    if (Array.isArray(schema.enum)) return enumNamed(schema.enum, source.message);
    const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;

    if (type === 'integer' || type === 'number') return numberFor(words, pick((f) => f.numbers), source.message, type === 'integer');
    if (type === 'array') {
      const items = (schema.items ?? {}) as Schema;
      if (items.type === 'string' && /\b(cities|locations|places|destinations)\b/.test(about)) {
        const places = pick((f) => f.places);
        return places.length > 0 ? places : undefined;
      }
      return undefined;
    }
    if (type !== undefined && type !== 'string') return undefined;

    if (schema.format === 'email' || /\be ?mail\b/.test(words)) return pick((f) => f.emails)[0];
    if (schema.format === 'uri' || schema.format === 'url' || /\b(url|uri|link|website)\b/.test(words)) return pick((f) => f.urls)[0];
    if (schema.format === 'date' || /\bdate\b|\bday\b/.test(words)) return pick((f) => f.dates)[0];
    if (/\b(location|city|place|destination|origin|town|region|where|address|country)\b/.test(words) || words === 'from' || words === 'to' || /\b(city|location|town)\b/.test(about)) {
      return placeFor(words, source, pick((f) => f.places));
    }
    if (/\b(expression|formula|equation|calculation)\b/.test(words)) return arithmeticIn(source.message)?.expression;
    if (/\b(query|q|search|question|keywords?|terms?|topic|text|prompt|input|subject|title|message|content|name)\b/.test(words)) {
      const quoted = pick((f) => f.quoted)[0];
      if (quoted !== undefined) return quoted;
      if (/\b(query|q|search|question|keywords?|terms?|topic|subject|text|input|prompt)\b/.test(words)) return subjectOf(source.message);
    }
    return undefined;
  };
}

/** The enum value a message names (whole word, any case; `_` and `-` read as spaces), if any. */
function enumNamed(values: unknown[], message: string): JsonValue | undefined {
  const text = ` ${message.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  for (const value of values) {
    if (typeof value !== 'string' || value.trim() === '') continue;
    const spoken = value.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    if (text.includes(` ${spoken} `)) return value;
  }
  return undefined;
}

function numberFor(words: string, numbers: TextFacts['numbers'], message: string, integer: boolean): number | undefined {
  const usable = numbers.filter((n) => !integer || Number.isInteger(n.value));
  const keyWords = words.split(' ').filter((w) => w.length > 1);
  const named = usable.find((n) => keyWords.some((w) => n.after.startsWith(w.replace(/s$/, '')) || n.before === w));
  if (named) return named.value;
  // `top 5`, `3 results`: a count. Two operands (`a`, `b`, `x`, `y`): the numbers in order.
  if (/\b(limit|count|max|top|num|n|results|k)\b/.test(words)) return usable.find((n) => ['top', 'first', 'last'].includes(n.before))?.value ?? undefined;
  const operands = arithmeticIn(message)?.operands ?? usable.map((n) => n.value);
  const order = ['a', 'x', 'first', 'num1', 'number1', 'left', 'lhs'].indexOf(words) >= 0 ? 0 : ['b', 'y', 'second', 'num2', 'number2', 'right', 'rhs'].indexOf(words) >= 0 ? 1 : -1;
  if (order >= 0) return operands[order];
  return usable.length === 1 && /\b(value|amount|number|quantity|n|count)\b/.test(words) ? usable[0].value : undefined;
}

function placeFor(words: string, source: ArgumentSource, places: string[]): string | undefined {
  if (places.length === 0) return undefined;
  const from = places.find((p) => FROM.test(source.message.slice(0, source.message.indexOf(p))));
  const to = places.find((p) => TO.test(source.message.slice(0, source.message.indexOf(p))));
  if (/\b(origin|from|departure|source)\b/.test(words)) return from ?? places[0];
  if (/\b(destination|to|arrival|target)\b/.test(words)) return to ?? places[places.length - 1];
  return places[Math.min(source.placeIndex ?? 0, places.length - 1)];
}

/** What a message asks about, for a search query: the request words and the question mark off. */
export function subjectOf(message: string): string | undefined {
  const line = message.split('\n').find((l) => l.trim() !== '') ?? '';
  const subject = line
    .replace(/^\s*(please\s+)?(can|could|would) you\s+(please\s+)?/i, '')
    .replace(/^\s*(please\s+)?(use \S+ to\s+|search( the \w+)? for|search|find( me)?|look up|google|tell me about|show me|get me|what (is|are|was|were)( the)?|who (is|was)|how (do|does|can) (i|you))\s+/i, '')
    .replace(/[?.!]+\s*$/, '')
    .trim()
    .split(/\s+/)
    .slice(0, 12)
    .join(' ');
  return subject === '' ? undefined : subject;
}
