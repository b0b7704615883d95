import { Tokenizer } from '../tokenizer/tokenizer.types';
import { GenerationPlan, PlannedToolCall } from './responses.types';

/** The chosen reply, and more text to follow it when the plan needs more tokens than it has. */
export interface ReplySource {
  text: string;
  /** Segment k (1, 2, ...) appended after the reply for ignore_eos / min_tokens. Never empty. */
  continuation(k: number): string;
  pattern: string | null;
  /**
   * The reply is calls to these functions: `text` is their arguments one after the other, each
   * tokenized on its own (a model writes each call's JSON separately).
   */
  toolCalls?: ReadonlyArray<{ name: string; arguments: string }>;
  /**
   * The text cannot end before maxTokens (a JSON value whose schema's minimum is longer than
   * max_tokens): the reply runs to maxTokens and ends with `length`, as a model constrained by
   * that schema could not stop earlier.
   */
  runsToLimit?: boolean;
  /** What the model thinks first, when the request asks for a thinking part (see PlanLimits.reasoning). */
  reasoning?: string;
}

export interface PlanLimits {
  maxTokens: number;
  minTokens: number;
  ignoreEos: boolean;
  stop: readonly string[];
  stopTokenIds?: readonly number[];
  includeStopStr?: boolean;
  /** A reasoning model's markers: the thinking (ReplySource.reasoning) comes first, between them. */
  reasoning?: { start: string; end: string };
}

/** Between the reply and its continuations, as a model that keeps writing would put it. */
const CONTINUATION_SEPARATOR = '\n\n';

/**
 * Turns a reply into the tokens the simulated model produces, as vLLM would end the sequence:
 * - the reply is extended (continuation segments) to exactly `maxTokens` tokens with `ignoreEos`,
 *   and to at least `minTokens` otherwise;
 * - a stop string ends it at the token that completes the stop string (vLLM checks stop strings
 *   as tokens arrive, so the occurrence that completes first wins; none counts before `minTokens`
 *   tokens). The text is cut before the stop string (or after it with `includeStopStr`); the
 *   token count still includes the tokens that spelled it, as in vLLM's usage;
 * - a stop token id ends it at that token, as vLLM's scheduler does (`stop_reason` = the id; not
 *   before `minTokens` tokens; it wins over a stop string completed by the same token). The token
 *   counts but its text is left out, as vLLM's detokenizer skips it, unless `includeStopStr`;
 * - otherwise it is cut at `maxTokens` (`length`). A reply of exactly `maxTokens` tokens also ends
 *   with `length`: the end-of-sequence token would have been token `maxTokens + 1`.
 * `pieces.join('') === text` always; a token cut by a stop string keeps its id, its piece is clipped.
 */
export function planReply(tokenizer: Pick<Tokenizer, 'encode'>, source: ReplySource, limits: PlanLimits): GenerationPlan {
  const steps = planSteps(tokenizer, source, limits);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** How long (ms) planning one reply works before planReplyAsync lets the event loop turn. */
const PLAN_SLICE_MS = 2;

/**
 * planReply() that lets the event loop turn while it tokenizes a long reply (ignore_eos to tens of
 * thousands of tokens takes tens of milliseconds). Same plan.
 */
export async function planReplyAsync(tokenizer: Pick<Tokenizer, 'encode'>, source: ReplySource, limits: PlanLimits): Promise<GenerationPlan> {
  const steps = planSteps(tokenizer, source, limits);
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart > PLAN_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}

/** planReply's work, pausing (yield) after each piece of text it tokenizes. */
function* planSteps(tokenizer: Pick<Tokenizer, 'encode'>, source: ReplySource, limits: PlanLimits): Generator<void, GenerationPlan> {
  const maxTokens = Math.max(0, Math.floor(limits.maxTokens));
  const minTokens = Math.min(Math.max(0, Math.floor(limits.minTokens)), maxTokens);
  const ids: number[] = [];
  const pieces: string[] = [];
  const append = (text: string) => {
    const encoding = tokenizer.encode(text);
    for (let i = 0; i < encoding.ids.length; i++) {
      ids.push(encoding.ids[i]);
      pieces.push(encoding.pieces[i]);
    }
  };

  let thinking: { end: number; bodyStart: number; bodyEnd: number } | undefined;
  if (limits.reasoning && source.reasoning !== undefined) {
    if (limits.reasoning.start !== '') append(limits.reasoning.start);
    const bodyStart = ids.length;
    append(source.reasoning);
    const bodyEnd = ids.length;
    append(limits.reasoning.end);
    thinking = { end: ids.length, bodyStart, bodyEnd };
    yield;
  }
  const calls: PlannedToolCall[] = [];
  if (source.toolCalls) {
    for (const call of source.toolCalls) {
      calls.push({ name: call.name, start: ids.length });
      append(call.arguments);
      yield;
    }
  } else {
    append(source.text);
  }
  const wanted = limits.ignoreEos || source.runsToLimit ? maxTokens : minTokens;
  for (let k = 1; ids.length < wanted; k++) {
    const before = ids.length;
    append((ids.length > 0 ? CONTINUATION_SEPARATOR : '') + source.continuation(k));
    if (ids.length === before) throw new Error(`continuation ${k} of the reply produced no tokens`);
    yield;
  }

  const ends: number[] = new Array<number>(pieces.length);
  let offset = 0;
  for (let i = 0; i < pieces.length; i++) ends[i] = offset += pieces[i].length;
  const limit = Math.min(ids.length, maxTokens);

  const stop = findStop(pieces.join('').slice(0, limit > 0 ? ends[limit - 1] : 0), ends, limits.stop, minTokens);
  const stopToken = findStopToken(ids, limit, limits.stopTokenIds, minTokens);
  if (stopToken >= 0 && (!stop || stopToken <= stop.tokenIndex)) {
    const cut = limits.includeStopStr ? ends[stopToken] : ends[stopToken] - pieces[stopToken].length;
    return withReasoning(withToolCall(build(ids, pieces, ends, stopToken + 1, cut, 'stop', ids[stopToken], source.pattern), source, calls), thinking);
  }
  if (stop) {
    const cut = limits.includeStopStr ? stop.end : stop.start;
    return withReasoning(withToolCall(build(ids, pieces, ends, stop.tokenIndex + 1, cut, 'stop', stop.text, source.pattern), source, calls), thinking);
  }
  const finish = limits.ignoreEos || source.runsToLimit || ids.length >= maxTokens ? 'length' : 'stop';
  return withReasoning(withToolCall(build(ids, pieces, ends, limit, limit > 0 ? ends[limit - 1] : 0, finish, null, source.pattern), source, calls), thinking);
}

function withToolCall(plan: GenerationPlan, source: ReplySource, calls: PlannedToolCall[]): GenerationPlan {
  return source.toolCalls ? { ...plan, toolCalls: calls } : plan;
}

/** The thinking span clipped to the tokens the plan kept (a reply cut inside its thinking has no answer). */
function withReasoning(plan: GenerationPlan, thinking: { end: number; bodyStart: number; bodyEnd: number } | undefined): GenerationPlan {
  if (!thinking) return plan;
  const count = plan.tokenIds.length;
  return { ...plan, reasoning: { end: Math.min(thinking.end, count), bodyStart: Math.min(thinking.bodyStart, count), bodyEnd: Math.min(thinking.bodyEnd, count) } };
}

interface StopHit {
  tokenIndex: number;
  start: number;
  end: number;
  text: string;
}

function findStop(text: string, ends: readonly number[], stops: readonly string[], minTokens: number): StopHit | null {
  let best: StopHit | null = null;
  for (const stop of stops) {
    if (stop === '') continue;
    for (let from = 0; ; ) {
      const start = text.indexOf(stop, from);
      if (start < 0) break;
      const end = start + stop.length;
      const tokenIndex = tokenEndingAt(ends, end);
      if (tokenIndex >= minTokens) {
        if (!best || tokenIndex < best.tokenIndex || (tokenIndex === best.tokenIndex && start < best.start)) {
          best = { tokenIndex, start, end, text: stop };
        }
        break; // later occurrences of this stop string complete later
      }
      from = start + 1;
    }
  }
  return best;
}

/** Index of the first of tokens minTokens..limit-1 that is a stop token id, else -1. */
function findStopToken(ids: readonly number[], limit: number, stopTokenIds: readonly number[] | undefined, minTokens: number): number {
  if (!stopTokenIds || stopTokenIds.length === 0) return -1;
  const stops = new Set(stopTokenIds);
  for (let i = minTokens; i < limit; i++) if (stops.has(ids[i])) return i;
  return -1;
}

/** Index of the first token whose end offset reaches `offset` (binary search). */
function tokenEndingAt(ends: readonly number[], offset: number): number {
  let lo = 0;
  let hi = ends.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid] >= offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function build(
  ids: readonly number[],
  pieces: readonly string[],
  ends: readonly number[],
  count: number,
  cut: number,
  finishReason: 'stop' | 'length',
  stopReason: string | number | null,
  pattern: string | null,
): GenerationPlan {
  const outPieces: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const start = ends[i] - pieces[i].length;
    outPieces[i] = ends[i] <= cut ? pieces[i] : start >= cut ? '' : pieces[i].slice(0, cut - start);
  }
  return {
    tokenIds: ids.slice(0, count),
    pieces: outPieces,
    text: outPieces.join(''),
    finishReason,
    stopReason,
    pattern,
  };
}
