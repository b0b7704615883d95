import { LruCache } from '../../common/lru-cache';
import { hashString, Random } from '../../common/random';
import { ResponseMode } from '../../config/settings';
import { schemaInConversation } from './json-object';
import { formatJson, JsonValue, NumberRange, sampleJsonText, SampleOptions } from './json-schema-sample';
import { PatternMatch, PatternMatcher } from './pattern-matcher';
import { drawReplyLength, randomSentence, randomText } from './random-text';
import { ReplyBudgetError } from './reply-errors';
import { ReplySource } from './reply-planner';
import { renderTemplate, TemplateValues } from './reply-template';
import { replyValues } from './reply-values';
import { ConversationTurn, ReplyRequest, ToolDefinition } from './responses.types';
import { argumentHints } from './tool-arguments';
import { chooseToolCalls, ToolCallChoice } from './tool-choice';
import { answerFromResults, endsWithToolResult, toolResultsSinceLastUser } from './tool-results';

/**
 * What follows a JSON reply when more tokens are wanted (ignore_eos, min_tokens): whitespace, which
 * keeps the JSON parseable, as a JSON-constrained model can only add whitespace after the value.
 */
const JSON_CONTINUATION = '\n';
const EMPTY_MARK = '\u0000';
/** Redraws of a tool call's arguments that repeat the call just made, before giving up. */
const REPEAT_REDRAWS = 5;

/**
 * The replies a prompt's pattern offers (matching, then every template filled) depend only on the
 * matcher and what its rules read, and clients repeat prompts: the outcome is kept for this many
 * prompts per matcher (a reload brings a new matcher, so nothing stale survives one), for keys of
 * up to this many characters.
 */
const CACHED_PROMPTS = 512;
const CACHED_KEY_CHARS = 8_192;

/** What a pattern-mode prompt was answered from: the eligible replies, and the rule that offered them. */
interface PatternReplies {
  replies: string[];
  pattern: string | null;
  match: PatternMatch | null;
}

export interface ComposerDefaults {
  /** The server's SEED, used when the request has none. */
  seed?: number;
  /** Where unbounded integers and numbers of JSON schemas fall (the responses file's `structured_output`). */
  integerRange?: NumberRange;
  numberRange?: NumberRange;
}

/**
 * Decides what the simulated model says for one choice, as a ReplySource for the planner:
 * 1. tool calls, when tools are offered and the conversation calls for them (`chooseToolCalls`),
 *    with arguments from the conversation (`argumentHints`), never repeating the call just made;
 * 2. else, right after tool results, a text that reports them (`answerFromResults`);
 * 3. else the mode's text: a pattern reply (a template filled from the prompt), echo or random;
 * 4. with `response_format`, that text becomes JSON: a sample of the schema, or for
 *    `json_object` the shape the conversation asks for (else `{"response": text}`).
 * With a seed (the request's, else the server's) everything depends only on seed, conversation and
 * choice index; choices of one request start at one seeded reply and take the next ones in turn.
 */
export class ReplyComposer {
  private readonly patternReplies = new WeakMap<PatternMatcher, LruCache<string, PatternReplies>>();

  constructor(
    private readonly count: (text: string) => number,
    private readonly defaults: () => ComposerDefaults,
  ) {}

  compose(req: ReplyRequest, mode: ResponseMode, matcher: PatternMatcher): ReplySource {
    const source = this.answer(req, mode, matcher);
    if (!req.reasoning) return source;
    return { ...source, reasoning: this.thinking(req, mode, matcher) };
  }

  /**
   * A reasoning model's thinking: the matching pattern's `reasoning` templates, else the file's
   * `reasoning` section, else a line about the prompt; seeded like the reply. Echo mode thinks
   * about the prompt it repeats; random mode thinks in random words.
   */
  private thinking(req: ReplyRequest, mode: ResponseMode, matcher: PatternMatcher): string {
    const seed = req.seed ?? this.defaults().seed;
    const label = `${req.kind}:${hashString(req.prompt)}:${req.prompt.length}`;
    const rng = Random.derive(seed, `thinking:${label}:${req.choiceIndex}`);
    if (mode === 'random') return randomText(rng, drawReplyLength(rng), this.count);
    if (mode === 'echo') return `The user wrote: ${req.prompt.trim() || '(nothing)'}. I will repeat it.`;
    for (const m of matcher.matches(req)) {
      const thoughts = (m.pattern.reasoning ?? []).map((t) => renderTemplate(t, replyValues(req.prompt, m.groups))).filter((t): t is string => t !== null && t.trim() !== '');
      if (thoughts.length > 0) return rng.pick(thoughts);
    }
    const general = (matcher.document.reasoning?.responses ?? []).map((t) => renderTemplate(t, replyValues(req.prompt))).filter((t): t is string => t !== null && t.trim() !== '');
    if (general.length > 0) return rng.pick(general);
    return `The user asks: "${summaryOf(req.prompt)}". Let me think about what they need, then answer clearly.`;
  }

  private answer(req: ReplyRequest, mode: ResponseMode, matcher: PatternMatcher): ReplySource {
    const defaults = this.defaults();
    const seed = req.seed ?? defaults.seed;
    const label = `${req.kind}:${hashString(req.prompt)}:${req.prompt.length}`;
    const turns: readonly ConversationTurn[] = req.messages ?? [{ role: 'user', content: req.prompt }];
    const { source: text, match } = this.text(req, mode, seed, label, matcher);
    const rng = Random.derive(seed, `json:${label}:${req.choiceIndex}`);
    const sampling: SampleOptions = { maxTokens: req.maxTokens, roomTokens: req.roomTokens ?? req.maxTokens };
    if (defaults.integerRange) sampling.integerRange = defaults.integerRange;
    if (defaults.numberRange) sampling.numberRange = defaults.numberRange;

    const calls = chooseToolCalls(req.tools, { prompt: req.prompt, turns, patternToolCall: match?.pattern.tool_call, parallel: req.parallelToolCalls }, rng);
    if (calls.length > 0) return this.toolCalls(req, turns, calls, sampling, seed, label, text.pattern, match);

    let reply = text;
    if (endsWithToolResult(turns)) {
      const results = toolResultsSinceLastUser(turns);
      if (results.length > 0) reply = { ...text, text: answerFromResults(results, Random.derive(seed, `results:${label}:${req.choiceIndex}`)), pattern: null };
    }
    if (!req.format) return reply;

    const json = (jsonText: string, runsToLimit: boolean): ReplySource => ({
      text: jsonText,
      continuation: () => JSON_CONTINUATION,
      pattern: reply.pattern,
      ...(runsToLimit ? { runsToLimit } : {}),
    });
    const hint = argumentHints({ message: req.prompt, earlier: earlierUserTurns(turns) });
    if (req.format.type === 'json_schema') {
      const sample = sampleJsonText(req.format.schema, rng, { ...sampling, hint, origin: 'response_format.json_schema.schema' });
      return json(sample.text, sample.truncated);
    }
    const asked = schemaInConversation(turns);
    if (asked) {
      // A schema the conversation shows is a wish, not the request's contract: one that cannot fit is ignored.
      const sample = tryOrNull(() => sampleJsonText(asked, rng, { ...sampling, hint, origin: 'response_format' }));
      if (sample && sample.value !== null && typeof sample.value === 'object') return json(sample.text, sample.truncated);
    }
    return json(formatJson({ response: reply.text }), false);
  }

  /** The reply is calls: each one's arguments sampled from its parameters, filled from the conversation. */
  private toolCalls(
    req: ReplyRequest,
    turns: readonly ConversationTurn[],
    calls: ToolCallChoice[],
    sampling: SampleOptions,
    seed: number | undefined,
    label: string,
    pattern: string | null,
    match: PatternMatch | null,
  ): ReplySource {
    const previous = lastCalls(turns);
    const earlier = earlierUserTurns(turns);
    let truncated = false;
    const made = calls.map((call, k) => {
      if (call.scripted) return { name: call.tool.name, arguments: formatJson(renderArguments(call.scripted, replyValues(req.prompt, match?.groups)) as JsonValue) };
      const index = req.tools!.tools.indexOf(call.tool);
      const schema = call.tool.parameters ?? { type: 'object', properties: {} };
      const options = { ...sampling, hint: argumentHints({ message: req.prompt, earlier, placeIndex: call.placeIndex }), origin: `tools[${index}].function.parameters` };
      let sample = sampleJsonText(schema, Random.derive(seed, `tool:${label}:${req.choiceIndex}:${k}`), options);
      // A loop never makes the same call twice in a row: the conversation's values are dropped
      // (the sampler then draws its own) until the arguments differ.
      for (let redraw = 1; redraw <= REPEAT_REDRAWS && previous.has(callKey(call.tool, sample.text)); redraw++) {
        sample = sampleJsonText(schema, Random.derive(seed, `tool:${label}:${req.choiceIndex}:${k}:${redraw}`), { ...options, hint: redraw > 1 ? undefined : options.hint });
      }
      truncated ||= sample.truncated;
      return { name: call.tool.name, arguments: sample.text };
    });
    return {
      text: made.map((c) => c.arguments).join(''),
      continuation: () => JSON_CONTINUATION,
      pattern,
      toolCalls: made,
      ...(truncated ? { runsToLimit: true } : {}),
    };
  }

  /** The text of the current mode (the pattern's reply as a template, echo, or random words). */
  private text(req: ReplyRequest, mode: ResponseMode, seed: number | undefined, label: string, matcher: PatternMatcher): { source: ReplySource; match: PatternMatch | null } {
    switch (mode) {
      case 'echo': {
        const filler = Random.derive(seed, `echo:${label}:${req.choiceIndex}`);
        return { source: { text: req.prompt, continuation: () => (req.prompt.trim() !== '' ? req.prompt : randomSentence(filler)), pattern: null }, match: null };
      }
      case 'random': {
        const rng = Random.derive(seed, `random:${label}:${req.choiceIndex}`);
        return {
          source: {
            text: randomText(rng, drawReplyLength(rng), this.count),
            continuation: () => randomText(rng, drawReplyLength(rng), this.count),
            pattern: null,
          },
          match: null,
        };
      }
      default: {
        const { replies, pattern, match } = this.patternRepliesOf(req, matcher);
        const first = Random.derive(seed, `choice:${pattern ?? ''}:${label}`).int(replies.length);
        const index = (first + req.choiceIndex) % replies.length;
        return { source: { text: replies[index], continuation: (k) => replies[(index + k) % replies.length], pattern }, match };
      }
    }
  }

  /** patternReplies(), kept per matcher for prompts seen before. */
  private patternRepliesOf(req: ReplyRequest, matcher: PatternMatcher): PatternReplies {
    const conversation = matcher.readsConversation ? (req.messages ?? []).map((t) => `${t.role}\u0001${t.content}`).join('\u0002') : '';
    const key = `${req.kind}\u0000${req.prompt}\u0000${conversation}`;
    if (key.length > CACHED_KEY_CHARS) return patternReplies(req, matcher);
    let cache = this.patternReplies.get(matcher);
    if (!cache) this.patternReplies.set(matcher, (cache = new LruCache(CACHED_PROMPTS)));
    let found = cache.get(key);
    if (!found) cache.set(key, (found = patternReplies(req, matcher)));
    return found;
  }
}

/** The first matching pattern with a reply the prompt can fill answers; then the fallback. */
function patternReplies(req: ReplyRequest, matcher: PatternMatcher): PatternReplies {
  const render = (replies: readonly string[], groups?: Record<string, string>) => {
    const values = replyValues(req.prompt, groups);
    return replies.map((r) => renderTemplate(r, values)).filter((r): r is string => r !== null && r.trim() !== '');
  };
  const fallback = matcher.document.fallback.responses;
  let replies: string[] = [];
  let match: PatternMatch | null = null;
  for (const m of matcher.matches(req)) {
    match ??= m;
    replies = render(m.pattern.responses, m.groups);
    if (replies.length > 0) {
      match = m;
      break;
    }
  }
  const pattern = replies.length > 0 ? match!.pattern.name : null;
  if (replies.length === 0) replies = render(fallback);
  // A fallback whose every reply needs a value the prompt lacks still answers, with its first reply as written.
  if (replies.length === 0) replies = [fallback[0]];
  return { replies, pattern, match };
}

/** The prompt cut to a line a thought can quote. */
function summaryOf(prompt: string): string {
  const line = prompt.trim().replace(/\s+/g, ' ');
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** A pattern's scripted arguments with their string values filled as templates (a missing value: ''). */
function renderArguments(value: unknown, values: TemplateValues): unknown {
  if (typeof value === 'string') {
    // An argument is always written: a value the prompt lacks becomes '' (a marker survives the template).
    const filled = renderTemplate(value, { knows: values.knows, value: (name) => values.value(name) || EMPTY_MARK });
    return filled === null ? value : filled.split(EMPTY_MARK).join('');
  }
  if (Array.isArray(value)) return value.map((v) => renderArguments(v, values));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderArguments(v, values)]));
  return value;
}

function tryOrNull<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ReplyBudgetError) return null;
    throw err;
  }
}

/** The user messages before the last one, newest first. */
function earlierUserTurns(turns: readonly ConversationTurn[]): string[] {
  const users = turns.filter((t) => t.role === 'user').map((t) => t.content);
  return users.slice(0, -1).reverse();
}

/** The calls of the assistant's most recent turn that made any (name and arguments). */
function lastCalls(turns: readonly ConversationTurn[]): Set<string> {
  for (let i = turns.length - 1; i >= 0; i--) {
    const calls = turns[i].toolCalls;
    if (turns[i].role === 'assistant' && calls && calls.length > 0) {
      return new Set(calls.map((c) => `${c.name}\u0000${canonical(c.arguments)}`));
    }
  }
  return new Set();
}

function callKey(tool: ToolDefinition, args: string): string {
  return `${tool.name}\u0000${canonical(args)}`;
}

/** Arguments compared as JSON values, whatever their layout. */
function canonical(args: string): string {
  try {
    return JSON.stringify(JSON.parse(args));
  } catch {
    return args.trim();
  }
}
