import { Random } from '../../common/random';
import { formatNumber } from './arithmetic';
import { ConversationTurn } from './responses.types';
import { splitName } from './tool-relevance';

/*
 * The text an assistant writes once its tool calls have answered: it reports what the tools
 * returned (their values appear in the answer), call by call, as a model summarising tool output
 * for the user does.
 */

export interface ToolResult {
  /** The function that returned it (from the assistant's call with the result's tool_call_id). */
  name: string;
  /** The call's arguments, parsed (empty when they were not JSON). */
  args: Record<string, unknown>;
  content: string;
}

/** Results since the last user message, in order; empty when the conversation has none. */
export function toolResultsSinceLastUser(turns: readonly ConversationTurn[]): ToolResult[] {
  let start = turns.length;
  while (start > 0 && turns[start - 1].role !== 'user') start--;
  const calls = new Map<string, { name: string; args: Record<string, unknown> }>();
  const unnamed: Array<{ name: string; args: Record<string, unknown> }> = [];
  const results: ToolResult[] = [];
  for (const turn of turns.slice(start)) {
    for (const call of turn.toolCalls ?? []) {
      const entry = { name: call.name, args: parseObject(call.arguments) };
      if (call.id) calls.set(call.id, entry);
      unnamed.push(entry);
    }
    if (turn.role === 'tool' || turn.role === 'function') {
      const call = (turn.toolCallId ? calls.get(turn.toolCallId) : undefined) ?? unnamed[results.length];
      results.push({ name: turn.name ?? call?.name ?? '', args: call?.args ?? {}, content: turn.content });
    }
  }
  return results;
}

/** True when the conversation's last turn is a tool result: the assistant now answers with it. */
export function endsWithToolResult(turns: readonly ConversationTurn[]): boolean {
  const last = turns[turns.length - 1];
  return last !== undefined && (last.role === 'tool' || last.role === 'function');
}

const OPENERS = ['Here is what I found.', 'I checked for you.', 'Done.', 'Here are the results.'];
const MAX_FACTS = 8;
const MAX_QUOTE = 400;

/** An answer that reports every result (each value it holds, up to a few per result). */
export function answerFromResults(results: readonly ToolResult[], rng: Random): string {
  const lines = results.map((r) => describeResult(r));
  const opener = rng.pick(OPENERS);
  if (lines.length === 1) return `${opener} ${lines[0]}`;
  return `${opener}\n\n${lines.map((l) => `- ${l}`).join('\n')}`;
}

function describeResult(result: ToolResult): string {
  const what = splitName(result.name).filter((w) => !['get', 'fetch', 'lookup', 'retrieve'].includes(w)).join(' ') || result.name;
  const subject = Object.values(result.args).find((v): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= 60);
  const about = what === '' ? 'The result' : subject ? `The ${what} for ${subject}` : `The ${what} result`;
  const parsed = parseJson(result.content);
  if (parsed !== undefined && parsed !== null && typeof parsed === 'object') {
    const facts = flatten(parsed).slice(0, MAX_FACTS);
    if (facts.length === 0) return `${about} came back empty.`;
    return `${about}: ${facts.map(([k, v]) => (k === '' ? v : `${k} ${v}`)).join(', ')}.`;
  }
  const text = (typeof parsed === 'string' || typeof parsed === 'number' || typeof parsed === 'boolean' ? String(parsed) : result.content).trim();
  if (text === '') return `${about} came back empty.`;
  const quote = text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE).trimEnd()}…` : text;
  return `${about}: ${quote}${/[.!?…]$/.test(quote) ? '' : '.'}`;
}

/** `{"temp": {"c": 22}, "sky": "clear"}` -> [["temp c", "22"], ["sky", "clear"]]. */
function flatten(value: unknown, prefix = '', out: Array<[string, string]> = [], depth = 0): Array<[string, string]> {
  if (out.length >= MAX_FACTS || depth > 4) return out;
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) out.push([prefix, value.map((v) => scalar(v)).join(', ')]);
    else value.slice(0, MAX_FACTS).forEach((v) => flatten(v, prefix, out, depth + 1));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? splitName(k).join(' ') : `${prefix} ${splitName(k).join(' ')}`, out, depth + 1);
    return out;
  }
  out.push([prefix, scalar(value)]);
  return out;
}

function scalar(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v.length > 120 ? `${v.slice(0, 120)}…` : v;
  return String(v);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseObject(text: string): Record<string, unknown> {
  const value = parseJson(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
