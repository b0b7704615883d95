import { randomHex } from '../api/ids';
import { ApiError } from '../api/api-error';
import { TokenEvent } from '../engine/engine.types';
import { Choice } from '../generation/generation';
import { Renderer } from '../http/http-responder';
import { PlanPart, partsIn, partText, planParts } from '../responses/plan-parts';

/** What a Messages answer is made of besides its choice. */
export interface MessagesRenderContext {
  id: string;
  model: string;
  /** A named tool choice (`{"type": "tool"}`) ends with `end_turn`, as chat's named choice ends with `stop`. */
  namedTool: boolean;
}

type Event = Record<string, unknown> & { type: string };

/** vLLM's stop_reason_map: chat's finish reasons as Anthropic's stop reasons. */
function stopReason(choice: Choice, namedTool: boolean): string {
  const reason = choice.outcome?.finishReason ?? choice.plan.finishReason;
  if (reason === 'length') return 'max_tokens';
  if (reason === 'stop' && choice.plan.toolCalls && !namedTool) return 'tool_use';
  return 'end_turn';
}

/** A tool call's input as a block carries it: its arguments parsed (a call cut short: what parses, else {}). */
function inputOf(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * vLLM's Anthropic Messages shapes (AnthropicServingMessages): the message body, and the stream it
 * converts from chat's chunks: `message_start` with the first token, per block (thinking, text,
 * tool_use) `content_block_start`, its deltas (`text_delta`, `thinking_delta` then a
 * `signature_delta`, `input_json_delta`) and `content_block_stop`, then `message_delta` with the
 * stop reason and usage, `message_stop`, and vLLM's `data: [DONE]`.
 */
export function messagesRenderer(ctx: MessagesRenderContext): Renderer {
  const toolIds = new Map<number, string>();
  const toolId = (index: number) => {
    if (!toolIds.has(index)) toolIds.set(index, `chatcmpl-tool-${randomHex()}`);
    return toolIds.get(index)!;
  };
  let parts: PlanPart[] | undefined;
  let started = false;
  let active: { part: PlanPart; index: number } | null = null;
  let blockIndex = 0;

  const messageStart = (choice: Choice): Event => ({
    type: 'message_start',
    message: { id: ctx.id, content: [], model: ctx.model, stop_reason: null, stop_sequence: null, usage: { input_tokens: choice.promptTokens, output_tokens: 0 } },
  });
  const stopActive = (): Event[] => {
    if (!active) return [];
    const events: Event[] = [];
    if (active.part.kind === 'reasoning') events.push({ index: active.index, type: 'content_block_delta', delta: { type: 'signature_delta', signature: randomHex() } });
    events.push({ index: active.index, type: 'content_block_stop' });
    active = null;
    blockIndex++;
    return events;
  };
  const startBlock = (part: PlanPart): Event => {
    active = { part, index: blockIndex };
    const block =
      part.kind === 'reasoning'
        ? { type: 'thinking', thinking: '' }
        : part.kind === 'text'
          ? { type: 'text', text: '' }
          : { type: 'tool_use', id: toolId(part.index), name: part.call.name, input: {} };
    return { index: blockIndex, type: 'content_block_start', content_block: block };
  };
  const delta = (part: PlanPart, text: string): Event => {
    const d = part.kind === 'reasoning' ? { type: 'thinking_delta', thinking: text } : part.kind === 'text' ? { type: 'text_delta', text } : { type: 'input_json_delta', partial_json: text };
    return { index: active!.index, type: 'content_block_delta', delta: d };
  };

  return {
    eventName: (chunk) => (chunk as Event).type,
    tokenChunks: (choice: Choice, event: TokenEvent) => {
      const events: Event[] = [];
      if (!started) {
        started = true;
        events.push(messageStart(choice));
      }
      parts ??= planParts(choice.plan);
      for (const { part, text } of partsIn(choice.plan, parts, event.generated - event.tokenIds.length, event.generated)) {
        // vLLM skips empty deltas; a block starts with its first text (a tool_use block with its name).
        if (text === '' && part.kind !== 'call') continue;
        if (active?.part !== part) events.push(...stopActive(), startBlock(part));
        if (text !== '') events.push(delta(part, text));
      }
      return events;
    },
    finishChunks: (choice) => {
      if (started) return [];
      started = true;
      return [messageStart(choice)];
    },
    usageChunk: () => ({}),
    endChunks: (choices, usage) => {
      const choice = choices[0];
      return [
        ...stopActive(),
        { type: 'message_delta', delta: { stop_reason: stopReason(choice, ctx.namedTool) }, usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens } },
        { type: 'message_stop' },
      ];
    },
    errorChunk: (error: ApiError) => ({ type: 'error', error: { type: 'internal_error', message: error.message } }),
    body: (choices, usage) => {
      const choice = choices[0];
      const content: object[] = [];
      for (const part of planParts(choice.plan)) {
        if (part.start >= choice.generated) continue;
        const text = partText(choice.plan, part, 0, choice.generated);
        if (part.kind === 'reasoning') content.push({ type: 'thinking', thinking: text, signature: randomHex() });
        else if (part.kind === 'text') {
          if (text !== '') content.push({ type: 'text', text });
        } else content.push({ type: 'tool_use', id: toolId(part.index), name: part.call.name, input: inputOf(text) });
      }
      return {
        id: ctx.id,
        type: 'message',
        role: 'assistant',
        content,
        model: ctx.model,
        stop_reason: stopReason(choice, ctx.namedTool),
        usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens },
      };
    },
  };
}
