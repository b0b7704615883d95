import { Choice } from '../generation/generation';
import { randomHex } from '../api/ids';
import { ApiError } from '../api/api-error';
import { ConversationTurn, ToolChoice, ToolOffer } from '../responses/responses.types';
import { ChatMessageDto, messageText } from '../http/dto/chat-message.dto';
import { ChatCompletionRequestDto } from './dto/chat-request.dto';

/*
 * `tools` and `tool_choice` checked as vLLM's ChatCompletionRequest checks them
 * (check_tool_usage), with its messages, and turned into what the Responses module plans with.
 */

const USAGE = 'Correct usage: `{"type": "function", "function": {"name": "my_function"}}`';
const bad = (message: string, param: string): never => {
  throw ApiError.badRequest(message, param);
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
 * The messages as the reply planner reads them: text, the calls an assistant made (arguments as
 * JSON text, whether the client sent a string or an object) and the call a tool result answers.
 */
export function conversationOf(messages: readonly ChatMessageDto[]): ConversationTurn[] {
  // Fields are set one by one rather than spread in: this runs for every message of every request.
  return messages.map((m) => {
    const calls = (m.tool_calls ?? []).flatMap((raw) => {
      const call = raw as { id?: unknown; function?: { name?: unknown; arguments?: unknown } } | null;
      const name = call?.function?.name;
      if (typeof name !== 'string') return [];
      const args = call?.function?.arguments;
      const text = typeof args === 'string' ? args : JSON.stringify(args ?? {});
      return [typeof call?.id === 'string' ? { id: call.id, name, arguments: text } : { name, arguments: text }];
    });
    const turn: ConversationTurn = { role: m.role, content: messageText(m) };
    if (calls.length > 0) turn.toolCalls = calls;
    if (typeof m.tool_call_id === 'string') turn.toolCallId = m.tool_call_id;
    if (typeof m.name === 'string') turn.name = m.name;
    return turn;
  });
}

/** Where a choice's answer starts: after a reasoning model's thinking (and its markers). */
function answerStart(choice: Choice): number {
  return choice.plan.reasoning?.end ?? 0;
}

/** How a choice's tool calls go on the wire, as vLLM's serving_chat and its tool parsers write them. */
export interface ToolCallRendering {
  /** The delta of tokens from..to: `content`, or the pieces of the calls' arguments (with their `index`). */
  delta(choice: Choice, from: number, to: number): object;
  /** The message's `content` and `tool_calls` for the tokens produced. */
  message(choice: Choice): { content: string | null; tool_calls: object[] };
  /** A choice that called tools and ended by itself finishes with `tool_calls` (a named tool_choice: `stop`). */
  finishReason(choice: Choice, reason: string): string;
}

/**
 * - Each call's first delta carries its `index`, `id`, `type` and `function.name` with the first
 *   piece of `arguments`; the following ones `index` and the next piece of `arguments`, as
 *   vLLM's streaming tool extraction does (named and required tool choice alike).
 * - Non-streaming: `content` is null beside tool calls under `auto` (the tool parser takes the
 *   whole output) and "" under a named or `required` choice (vLLM's `content or ""`).
 * - `finish_reason`: `tool_calls` for `auto` and `required`, `stop` for a named function, as vLLM
 *   (and OpenAI) answer; a call cut by max_tokens keeps `length`.
 * A call's id is drawn once per choice and call, so the first delta and the body agree.
 */
export function toolCallRendering(offer: ToolOffer | undefined): ToolCallRendering {
  const ids = new Map<string, string>();
  const idOf = (choice: Choice, k: number) => {
    const key = `${choice.index}:${k}`;
    if (!ids.has(key)) ids.set(key, `chatcmpl-tool-${randomHex()}`);
    return ids.get(key)!;
  };
  const named = typeof offer?.choice === 'object';
  const spans = (choice: Choice) => {
    const calls = choice.plan.toolCalls ?? [];
    return calls.map((call, k) => ({ call, k, start: call.start, end: k + 1 < calls.length ? calls[k + 1].start : choice.plan.tokenIds.length }));
  };
  return {
    delta(choice, from, to) {
      if (!choice.plan.toolCalls) return { content: choice.plan.pieces.slice(Math.max(from, answerStart(choice)), to).join('') };
      const deltas = spans(choice)
        .filter((s) => s.start < to && s.end > from)
        .map((s) => {
          const args = choice.plan.pieces.slice(Math.max(from, s.start), Math.min(to, s.end)).join('');
          return from <= s.start
            ? { id: idOf(choice, s.k), type: 'function', index: s.k, function: { name: s.call.name, arguments: args } }
            : { index: s.k, function: { arguments: args } };
        });
      return { tool_calls: deltas };
    },
    message(choice) {
      const text = choice.plan.pieces.slice(answerStart(choice), choice.generated).join('');
      if (!choice.plan.toolCalls) return { content: text, tool_calls: [] };
      const calls = spans(choice)
        .filter((s) => s.start < choice.generated)
        .map((s) => ({
          id: idOf(choice, s.k),
          type: 'function',
          function: { name: s.call.name, arguments: choice.plan.pieces.slice(s.start, Math.min(s.end, choice.generated)).join('') },
        }));
      return { content: offer?.choice === 'auto' ? null : '', tool_calls: calls };
    },
    finishReason(choice, reason) {
      return choice.plan.toolCalls && reason === 'stop' && !named ? 'tool_calls' : reason;
    },
  };
}
