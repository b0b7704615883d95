import { Random } from '../../common/random';
import { ConversationTurn, PatternDefinition, ScriptedToolCall, ToolDefinition, ToolOffer } from './responses.types';
import { placesIn, wordsOf } from './text-facts';
import { relevance, RELEVANT, splitName, toolNamedIn } from './tool-relevance';

export { toolNamedIn } from './tool-relevance';

/** What besides `tool_choice` decides whether, and which tools, the simulated model calls. */
export interface ToolContext {
  /** The last user message: what the calls answer. */
  prompt: string;
  /** The whole conversation (chat), oldest first: the calls already made since that message. */
  turns?: readonly ConversationTurn[];
  /** The matching pattern's `tool_call`, if any. */
  patternToolCall?: PatternDefinition['tool_call'];
  /** `parallel_tool_calls` (default true): several calls in one reply. */
  parallel?: boolean;
}

/** One call to make: the tool, and which of the message's places it is for (one call per place). */
export interface ToolCallChoice {
  tool: ToolDefinition;
  placeIndex: number;
  /** Arguments a pattern scripted for this call (used as given, not generated). */
  scripted?: Record<string, unknown>;
}

/** Calls in one reply at most (a message naming ten cities gets four calls, then the rest in turn). */
const MAX_PARALLEL = 4;

/**
 * The calls this reply makes, or none for a text reply, as an instruction-tuned model decides:
 * - no tools offered (or `tool_choice: none`): none;
 * - a named function: that one, always;
 * - `auto`: the tools the last user message is about (see `relevance`), one call per place it
 *   names for a tool that takes one place; a pattern's `tool_call` adds its tool. Calls already
 *   made since that message (the tool results are in) are not made again: once every call the
 *   message asks for is done, the reply is text that uses the results. A short follow-up ("and in
 *   London?") calls the tool the previous question called;
 * - `required`: as `auto`, but never text: with nothing left to call, the most relevant tool (else
 *   a seeded pick) is called again (with other arguments: see the composer).
 * `parallel: false` keeps the first call; the next one comes after its result.
 */
export function chooseToolCalls(offer: ToolOffer | undefined, context: ToolContext, rng: Random): ToolCallChoice[] {
  if (!offer || offer.tools.length === 0) return [];
  const { tools, choice } = offer;
  const turns = context.turns ?? [{ role: 'user', content: context.prompt }];
  const done = callsSinceLastUser(turns);
  if (typeof choice === 'object') {
    const tool = tools.find((t) => t.name === choice.name);
    return tool ? [{ tool, placeIndex: (done.get(tool.name) ?? 0) % Math.max(1, placeCount(tool, context.prompt)) }] : [];
  }

  const scripted = scriptedCalls(tools, context.patternToolCall);
  const planned = scripted ?? plannedCalls(tools, context, turns, rng);
  const remaining = planned.filter((call) => call.placeIndex >= (done.get(call.tool.name) ?? 0));
  const parallel = context.parallel !== false;
  if (remaining.length > 0) return parallel ? remaining.slice(0, MAX_PARALLEL) : remaining.slice(0, 1);
  if (choice !== 'required') return [];
  const best = [...tools].sort((a, b) => relevance(b, context.prompt) - relevance(a, context.prompt))[0];
  const tool = relevance(best, context.prompt) > 0 ? best : rng.pick(tools);
  return [{ tool, placeIndex: 0 }];
}

/** The calls a pattern scripts exactly (`{name, arguments}` or a list), among the tools offered; null if none. */
function scriptedCalls(tools: readonly ToolDefinition[], patternToolCall: ToolContext['patternToolCall']): ToolCallChoice[] | null {
  if (typeof patternToolCall !== 'object' || patternToolCall === null) return null;
  const list: ScriptedToolCall[] = Array.isArray(patternToolCall) ? patternToolCall : [patternToolCall];
  const perTool = new Map<string, number>();
  const calls = list.flatMap((call) => {
    const tool = tools.find((t) => t.name === call.name);
    if (!tool) return [];
    const placeIndex = perTool.get(tool.name) ?? 0;
    perTool.set(tool.name, placeIndex + 1);
    return [{ tool, placeIndex, ...(call.arguments ? { scripted: call.arguments } : {}) }];
  });
  return calls.length > 0 ? calls : null;
}

/** Every call the last user message asks for, in order. */
function plannedCalls(tools: readonly ToolDefinition[], context: ToolContext, turns: readonly ConversationTurn[], rng: Random): ToolCallChoice[] {
  const prompt = context.prompt;
  const scored = tools.map((tool, i) => ({ tool, i, score: relevance(tool, prompt) })).filter((s) => s.score >= RELEVANT);
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  let chosen = scored.map((s) => s.tool);
  const fromPattern = typeof context.patternToolCall === 'string' ? tools.find((t) => t.name === context.patternToolCall) : undefined;
  if (fromPattern) chosen = [fromPattern, ...chosen.filter((t) => t !== fromPattern)];
  if (chosen.length === 0 && context.patternToolCall === true) chosen = [toolNamedIn(tools, prompt) ?? rng.pick(tools)];
  if (chosen.length === 0) {
    const previous = followUpTool(tools, prompt, turns);
    if (previous) chosen = [previous];
  }
  return chosen.flatMap((tool) => Array.from({ length: placeCount(tool, prompt) }, (_, placeIndex) => ({ tool, placeIndex })));
}

/** How many calls a tool gets for a message: one per place named when it takes exactly one place. */
function placeCount(tool: ToolDefinition, prompt: string): number {
  const properties = (tool.parameters as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!properties || typeof properties !== 'object') return 1;
  const placeParams = Object.keys(properties).filter((k) => splitName(k).some((w) => /^(location|city|place|town)$/.test(w)));
  if (placeParams.length !== 1) return 1;
  return Math.min(MAX_PARALLEL, Math.max(1, placesIn(prompt).length));
}

/** Calls per tool made by the assistant since the last user message. */
function callsSinceLastUser(turns: readonly ConversationTurn[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = turns.length - 1; i >= 0 && turns[i].role !== 'user'; i--) {
    for (const call of turns[i].toolCalls ?? []) counts.set(call.name, (counts.get(call.name) ?? 0) + 1);
  }
  return counts;
}

/**
 * "And in London?": a short message about no tool that names a place, a date or a number, right
 * after a question that called a tool, asks for that tool again.
 */
function followUpTool(tools: readonly ToolDefinition[], prompt: string, turns: readonly ConversationTurn[]): ToolDefinition | null {
  if (wordsOf(prompt).length > 8 || !/(\d|\p{Lu})/u.test(prompt.replace(/^\s*\p{Lu}/u, ''))) return null;
  let lastUser = -1;
  for (let i = turns.length - 1; i >= 0; i--) {
    if (turns[i].role === 'user') {
      lastUser = i;
      break;
    }
  }
  for (let i = lastUser - 1; i >= 0 && turns[i].role !== 'user'; i--) {
    for (const call of turns[i].toolCalls ?? []) {
      const tool = tools.find((t) => t.name === call.name);
      if (tool) return tool;
    }
  }
  return null;
}
