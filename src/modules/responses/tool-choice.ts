import { Random } from '../../common/random';
import { ToolDefinition, ToolOffer } from './responses.types';
import { compileKeyword } from './safe-regex';

/** What besides `tool_choice` decides whether the simulated model calls a tool. */
export interface ToolContext {
  /** The last user message: a tool named in it is the one asked for. */
  prompt: string;
  /** The matching pattern's `tool_call`, if any. */
  patternToolCall?: boolean | string;
}

/**
 * The tool this choice calls, or null for an ordinary reply:
 * - no tools offered (or `tool_choice: none`): never;
 * - a named function: always that one;
 * - `required`: always one: the pattern's named tool, else the tool named in the prompt, else a
 *   seeded pick among those offered;
 * - `auto`: a pattern with `tool_call: <name>` calls that tool when offered; `tool_call: true` calls
 *   the tool named in the prompt, else a seeded pick; without `tool_call`, a tool is called only
 *   when the prompt names it (`get_weather`, or `get weather`), as a user asking for it would.
 */
export function chooseTool(offer: ToolOffer | undefined, context: ToolContext, rng: Random): ToolDefinition | null {
  if (!offer || offer.tools.length === 0) return null;
  const { tools, choice } = offer;
  if (typeof choice === 'object') return tools.find((t) => t.name === choice.name) ?? null;
  const fromPattern = typeof context.patternToolCall === 'string' ? tools.find((t) => t.name === context.patternToolCall) : undefined;
  if (fromPattern) return fromPattern;
  const named = toolNamedIn(tools, context.prompt);
  if (choice === 'required' || context.patternToolCall === true) return named ?? rng.pick(tools);
  return named;
}

/** The first offered tool whose name the text mentions, as written or with `_`/`-` as spaces. */
export function toolNamedIn(tools: readonly ToolDefinition[], text: string): ToolDefinition | null {
  for (const tool of tools) {
    const spaced = tool.name.replace(/[_-]+/g, ' ').trim();
    const forms = spaced !== '' && spaced !== tool.name ? [tool.name, spaced] : [tool.name];
    if (forms.some((form) => compileKeyword(form).test(text))) return tool;
  }
  return null;
}
