import { randomHex } from '../api/ids';
import { Usage } from '../api/usage';
import { RequestOutcome, TokenEvent } from '../engine/engine.types';
import { Choice } from '../generation/generation';
import { Renderer } from '../http/http-responder';
import { PlanPart, planParts, partsIn, partText, reasoningTokens } from '../responses/plan-parts';
import { ResponseBody } from './response-store';

/** What a response's body echoes of its request (vLLM's ResponsesResponse.from_request). */
export interface ResponseEcho {
  id: string;
  createdAt: number;
  model: string;
  instructions: string | null;
  metadata: Record<string, string> | null;
  parallelToolCalls: boolean;
  temperature: number;
  topP: number;
  toolChoice: unknown;
  tools: unknown[];
  maxOutputTokens: number;
  maxToolCalls: number | null;
  previousResponseId: string | null;
  reasoning: unknown;
  serviceTier: string;
  text: unknown;
  truncation: string;
  user: string | null;
}

/** An output item in the making: its id (and call id), where it sits, the text it has so far. */
interface OpenItem {
  part: PlanPart;
  id: string;
  callId?: string;
  outputIndex: number;
  text: string;
}

type Event = Record<string, unknown> & { type: string };

/**
 * vLLM's Responses API shapes for one request: the `response` body, and the stream's events as its
 * simple (non-Harmony) processor emits them: `response.created`, `response.in_progress`, then per
 * output item `response.output_item.added`, its content part, its deltas (`response.output_text.delta`,
 * `response.reasoning_text.delta`, `response.function_call_arguments.delta`), its done events, and
 * `response.completed` carrying the whole response. Every event has a `sequence_number` from 0.
 * Items keep one id in the stream and the body (vLLM draws new ones for the final body).
 * `onCompleted` sees the body once, to store it.
 */
export function responsesRenderer(echo: ResponseEcho, onCompleted: (body: ResponseBody) => void): Renderer {
  let sequence = 0;
  const numbered = (event: Event): Event => ({ ...event, sequence_number: sequence++ });
  const ids = new Map<PlanPart, { id: string; callId?: string }>();
  const idOf = (part: PlanPart) => {
    let known = ids.get(part);
    if (!known) {
      known = part.kind === 'call' ? { id: `fc_${randomHex()}`, callId: `call_${randomHex()}` } : { id: `${part.kind === 'reasoning' ? 'rs' : 'msg'}_${randomHex()}` };
      ids.set(part, known);
    }
    return known;
  };
  let partsOfPlan: PlanPart[] | undefined;
  let open: OpenItem | null = null;
  let outputIndex = 0;
  let completed: ResponseBody | undefined;

  const messageItem = (id: string, text: string, status: string) => ({
    id,
    content: [{ annotations: [], text, type: 'output_text', logprobs: null }],
    role: 'assistant',
    status,
    type: 'message',
  });
  const reasoningItem = (id: string, text: string, status: string | null) => ({
    id,
    summary: [],
    type: 'reasoning',
    content: [{ text, type: 'reasoning_text' }],
    encrypted_content: null,
    status,
  });
  const callItem = (item: { id: string; callId?: string }, name: string, args: string, status: string) => ({
    arguments: args,
    call_id: item.callId,
    name,
    type: 'function_call',
    id: item.id,
    status,
  });

  const opening = (item: OpenItem): Event[] => {
    const at = { output_index: item.outputIndex };
    switch (item.part.kind) {
      case 'reasoning':
        return [
          numbered({ type: 'response.output_item.added', ...at, item: { id: item.id, summary: [], type: 'reasoning', status: 'in_progress' } }),
          numbered({ type: 'response.content_part.added', ...at, item_id: item.id, content_index: 0, part: { type: 'reasoning_text', text: '' } }),
        ];
      case 'text':
        return [
          numbered({ type: 'response.output_item.added', ...at, item: { id: item.id, content: [], role: 'assistant', status: 'in_progress', type: 'message' } }),
          numbered({ type: 'response.content_part.added', ...at, item_id: item.id, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }),
        ];
      case 'call':
        return [numbered({ type: 'response.output_item.added', ...at, item: callItem(item, item.part.call.name, '', 'in_progress') })];
    }
  };
  const delta = (item: OpenItem, text: string): Event => {
    const at = { output_index: item.outputIndex, item_id: item.id };
    switch (item.part.kind) {
      case 'reasoning':
        return numbered({ type: 'response.reasoning_text.delta', content_index: 0, ...at, delta: text });
      case 'text':
        return numbered({ type: 'response.output_text.delta', content_index: 0, ...at, delta: text, logprobs: [] });
      case 'call':
        return numbered({ type: 'response.function_call_arguments.delta', ...at, delta: text });
    }
  };
  const closing = (item: OpenItem): Event[] => {
    const at = { output_index: item.outputIndex };
    switch (item.part.kind) {
      case 'reasoning':
        return [
          numbered({ type: 'response.reasoning_text.done', item_id: item.id, ...at, content_index: 0, text: item.text }),
          numbered({ type: 'response.content_part.done', item_id: item.id, ...at, content_index: 0, part: { text: item.text, type: 'reasoning_text' } }),
          numbered({ type: 'response.output_item.done', ...at, item: reasoningItem(item.id, item.text, 'completed') }),
        ];
      case 'text':
        return [
          numbered({ type: 'response.output_text.done', item_id: item.id, ...at, content_index: 0, text: item.text, logprobs: [] }),
          numbered({ type: 'response.content_part.done', item_id: item.id, ...at, content_index: 0, part: { text: item.text, type: 'output_text', annotations: [] } }),
          numbered({ type: 'response.output_item.done', ...at, item: { ...messageItem(item.id, item.text, 'completed'), content: [{ text: item.text, type: 'output_text', annotations: [] }] } }),
        ];
      case 'call':
        return [
          numbered({ type: 'response.function_call_arguments.done', ...at, item_id: item.id, arguments: item.text, name: item.part.call.name }),
          numbered({ type: 'response.output_item.done', ...at, item: callItem(item, item.part.call.name, item.text, 'completed') }),
        ];
    }
  };
  const closeOpen = (): Event[] => {
    if (!open) return [];
    const events = closing(open);
    open = null;
    outputIndex++;
    return events;
  };

  const body = (choice: Choice | undefined, status: string | undefined, usage: Usage): ResponseBody => {
    const output: Array<Record<string, unknown>> = [];
    let finish: string | undefined;
    if (choice) {
      const plan = choice.plan;
      const generated = choice.generated;
      for (const part of planParts(plan)) {
        if (part.start >= generated) continue;
        const text = partText(plan, part, 0, generated);
        const item = idOf(part);
        // As vLLM: only the last item has a status; a reasoning item none.
        if (part.kind === 'reasoning') output.push(reasoningItem(item.id, text, null));
        else if (part.kind === 'text') output.push(messageItem(item.id, text, 'completed'));
        else output.push(callItem(item, part.call.name, text, 'completed'));
      }
      finish = choice.outcome?.finishReason ?? plan.finishReason;
    }
    const state = status ?? (finish === 'length' ? 'incomplete' : finish === 'abort' ? 'cancelled' : 'completed');
    const reasoning = choice ? reasoningTokens(choice.plan, choice.generated) : 0;
    return {
      id: echo.id,
      created_at: echo.createdAt,
      incomplete_details: state === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      instructions: echo.instructions,
      metadata: echo.metadata,
      model: echo.model,
      object: 'response',
      output,
      parallel_tool_calls: echo.parallelToolCalls,
      temperature: echo.temperature,
      tool_choice: echo.toolChoice,
      tools: echo.tools,
      top_p: echo.topP,
      background: false,
      max_output_tokens: echo.maxOutputTokens,
      max_tool_calls: echo.maxToolCalls,
      previous_response_id: echo.previousResponseId,
      prompt: null,
      reasoning: echo.reasoning,
      service_tier: echo.serviceTier,
      status: state,
      text: echo.text,
      top_logprobs: null,
      truncation: echo.truncation,
      usage: choice
        ? {
            input_tokens: usage.prompt_tokens,
            input_tokens_details: { cached_tokens: choice.outcome?.cachedTokens ?? 0, input_tokens_per_turn: [], cached_tokens_per_turn: [] },
            output_tokens: usage.completion_tokens,
            output_tokens_details: { reasoning_tokens: reasoning, tool_output_tokens: 0, output_tokens_per_turn: [], tool_output_tokens_per_turn: [] },
            total_tokens: usage.total_tokens,
          }
        : null,
      user: echo.user,
      input_messages: null,
      output_messages: null,
    };
  };
  const complete = (choices: readonly Choice[], usage: Usage): ResponseBody => {
    if (!completed) {
      completed = body(choices[0], undefined, usage);
      onCompleted(completed);
    }
    return completed;
  };

  return {
    eventName: (chunk) => (chunk as Event).type,
    doneLine: false,
    startChunks: () => {
      const initial = body(undefined, 'in_progress', { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: null });
      return [numbered({ type: 'response.created', response: initial }), numbered({ type: 'response.in_progress', response: initial })];
    },
    tokenChunks: (choice: Choice, event: TokenEvent, last: boolean) => {
      const plan = choice.plan;
      partsOfPlan ??= planParts(plan);
      const from = event.generated - event.tokenIds.length;
      const events: Event[] = [];
      for (const { part, text } of partsIn(plan, partsOfPlan, from, event.generated)) {
        if (open?.part !== part) {
          events.push(...closeOpen());
          open = { part, ...idOf(part), outputIndex, text: '' };
          events.push(...opening(open));
        }
        // vLLM's parsers send nothing for an empty delta (a call's first token may be its name only).
        if (text !== '') {
          open.text += text;
          events.push(delta(open, text));
        }
      }
      if (last) events.push(...closeOpen());
      return events;
    },
    finishChunks: (_choice: Choice, _outcome: RequestOutcome) => closeOpen(),
    usageChunk: () => ({}),
    endChunks: (choices, usage) => [...closeOpen(), numbered({ type: 'response.completed', response: complete(choices, usage) })],
    errorChunk: (error) => numbered({ type: 'error', code: String(error.status), message: error.message, param: error.param }),
    body: (choices, usage) => complete(choices, usage),
  };
}
