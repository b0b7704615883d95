import { OpenAIError } from '../openai/openai-error';
import { ToolChoice, ToolOffer } from '../responses/responses.types';
import { ChatCompletionRequestDto } from './dto/chat-request.dto';

/*
 * `tools` and `tool_choice` checked as vLLM's ChatCompletionRequest checks them
 * (check_tool_usage), with its messages, and turned into what the Responses module plans with.
 */

const USAGE = 'Correct usage: `{"type": "function", "function": {"name": "my_function"}}`';
const bad = (message: string, param: string): never => {
  throw OpenAIError.badRequest(message, param);
};

/**
 * The tools the model may call and how, or undefined when it may call none: no tools, or
 * `tool_choice: "none"`. `tool_choice` defaults to `auto` when tools are given.
 */
export function toolOfferOf(dto: Pick<ChatCompletionRequestDto, 'tools' | 'tool_choice'>): ToolOffer | undefined {
  const raw = dto.tool_choice;
  if (Array.isArray(dto.tools) && dto.tools.length === 0) {
    bad('`tools` must not be an empty array. Either provide at least one tool or omit the field entirely.', 'tools');
  }
  if (raw === 'none') return undefined;
  if (raw == null) return dto.tools ? { tools: definitions(dto), choice: 'auto' } : undefined;
  if (!dto.tools) bad('When using `tool_choice`, `tools` must be set.', 'tool_choice');
  let choice: ToolChoice;
  if (raw === 'auto' || raw === 'required') choice = raw;
  else if (typeof raw === 'object' && !Array.isArray(raw)) {
    const fn = (raw as { function?: unknown }).function;
    if (typeof fn !== 'object' || fn === null) bad(`Expected field \`function\` in \`tool_choice\`. ${USAGE}`, 'tool_choice');
    const name = (fn as { name?: unknown }).name;
    if (typeof name !== 'string' || name === '') bad(`Expected field \`name\` in \`function\` in \`tool_choice\`. ${USAGE}`, 'tool_choice');
    if (!dto.tools!.some((t) => t.function.name === name)) {
      bad('The tool specified in `tool_choice` does not match any of the specified `tools`', 'tool_choice');
    }
    choice = { name: name as string };
  } else {
    return bad(`Invalid value for \`tool_choice\`: ${String(raw)}! Only named tools, "none", "auto" or "required" are supported.`, 'tool_choice');
  }
  return { tools: definitions(dto), choice };
}

function definitions(dto: Pick<ChatCompletionRequestDto, 'tools'>): ToolOffer['tools'] {
  return (dto.tools ?? []).map(({ function: f }) => ({
    name: f.name,
    ...(f.description != null ? { description: f.description } : {}),
    ...(f.parameters != null ? { parameters: f.parameters } : {}),
  }));
}

/**
 * The tool definitions as a chat template puts them in the prompt (Hermes style, as Qwen and many
 * others do), so prompt_tokens grows with the tools offered as it does on vLLM.
 */
export function toolsPromptText(offer: ToolOffer | undefined): string | null {
  if (!offer) return null;
  const lines = offer.tools.map((t) =>
    JSON.stringify({ type: 'function', function: { name: t.name, description: t.description ?? '', parameters: t.parameters ?? {} } }),
  );
  return (
    '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
    `You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n${lines.join('\n')}\n</tools>`
  );
}
