import { GenerationPlan, PlannedToolCall } from './responses.types';

/** A run of a plan's tokens that a door renders as one thing: thinking, text, or one tool call's arguments. */
export type PlanPart =
  | { kind: 'reasoning'; start: number; end: number }
  | { kind: 'text'; start: number; end: number }
  | { kind: 'call'; start: number; end: number; call: PlannedToolCall; index: number };

/**
 * The parts of a plan in token order. A reasoning parser's markers belong to no part (a door shows
 * nothing for them, as vLLM's parsers do); text before the first tool call is left out, as vLLM's
 * tool parsers take the whole output.
 */
export function planParts(plan: GenerationPlan): PlanPart[] {
  const parts: PlanPart[] = [];
  const r = plan.reasoning;
  if (r && r.bodyEnd > r.bodyStart) parts.push({ kind: 'reasoning', start: r.bodyStart, end: r.bodyEnd });
  const answerStart = r?.end ?? 0;
  const total = plan.tokenIds.length;
  const calls = plan.toolCalls;
  if (calls && calls.length > 0) {
    calls.forEach((call, index) => parts.push({ kind: 'call', start: call.start, end: index + 1 < calls.length ? calls[index + 1].start : total, call, index }));
  } else if (total > answerStart) {
    parts.push({ kind: 'text', start: answerStart, end: total });
  }
  return parts;
}

/** The text of a part's tokens within [from, to). */
export function partText(plan: GenerationPlan, part: PlanPart, from: number, to: number): string {
  return plan.pieces.slice(Math.max(from, part.start), Math.min(to, part.end)).join('');
}

/** The parts that tokens [from, to) touch, with the text each gets from them. */
export function partsIn(plan: GenerationPlan, parts: readonly PlanPart[], from: number, to: number): Array<{ part: PlanPart; text: string }> {
  return parts.filter((p) => p.start < to && p.end > from).map((part) => ({ part, text: partText(plan, part, from, to) }));
}

/** Tokens of the reasoning (markers included): what usage's `reasoning_tokens` counts, up to `generated`. */
export function reasoningTokens(plan: GenerationPlan, generated: number): number {
  return plan.reasoning ? Math.min(plan.reasoning.end, generated) : 0;
}
