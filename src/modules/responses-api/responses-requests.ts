import { conversationWork } from '../generation/inference-request';
import { Inject, Injectable } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { nowSeconds, randomHex } from '../api/ids';
import { checkSampling } from '../api/request-checks';
import { HttpInferenceCall } from '../http/http-responder';
import { ServedModels } from '../models/served-models';
import { ConversationTurn, OutputFormat, ToolChoice, ToolOffer } from '../responses/responses.types';
import { ChatTurn, encodeChatYielding } from '../tokenizer/tokenizer.types';
import { toolsPromptText } from '../tokenizer/tools-prompt';
import { reasoningMarkers } from '../responses/reasoning-parsers';
import { ResponsesRequestDto } from './dto/responses-request.dto';
import { ResponseStore } from './response-store';
import { responsesRenderer } from './responses.renderer';

type Item = Record<string, unknown>;

const bad = (message: string, param: string | null = 'input'): never => {
  throw ApiError.badRequest(message, param);
};

/** The text of a message's content: a string, or its text parts (input_text, output_text, text) joined. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .filter((t) => t !== '')
    .join('\n');
}

/**
 * POST /v1/responses translated for the pipeline, as vLLM's simple (non-Harmony) path builds it:
 * the conversation is the instructions, then the previous response's conversation and output
 * (`previous_response_id`, from the store), then the input (text, or items: messages,
 * function_call, function_call_output, item_reference); it is rendered with the chat template
 * and encoded; function tools and `text.format` shape the reply as chat's tools and
 * response_format do; the renderer writes vLLM's response body and events.
 */
@Injectable()
export class ResponsesRequests {
  constructor(
    private readonly models: ServedModels,
    private readonly store: ResponseStore,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async translate(dto: ResponsesRequestDto): Promise<HttpInferenceCall> {
    const { served, tokenizer, settings: modelSettings } = this.models.route(dto.model);
    served.require('Responses');
    const { model, lora } = served.target(dto.model);
    checkSampling({ temperature: dto.temperature, top_p: dto.top_p, top_k: dto.top_k, max_tokens: dto.max_output_tokens }, this.settings);
    if (dto.background) {
      bad(
        this.store.enabled
          ? 'Background responses are not simulated; send the request without `background`.'
          : 'This vLLM engine does not support `store=True` and therefore does not support the background mode. To enable these features, set the environment variable `VLLM_ENABLE_RESPONSES_API_STORE=1` when launching the vLLM server.',
        'background',
      );
    }
    const store = dto.store !== false && this.store.enabled;
    const previous = dto.previous_response_id ? this.store.get(dto.previous_response_id) : undefined;
    if (dto.previous_response_id && !previous) {
      throw new ApiError(404, `Response with id '${dto.previous_response_id}' not found.`, 'response_id');
    }
    const tools = this.toolOffer(dto);
    const format = this.formatOf(dto);
    // What is stored for the next turn: the conversation without the instructions (they are the request's own).
    const history: ConversationTurn[] = [...(previous ? [...previous.turns, ...outputTurns(previous.body.output)] : []), ...this.inputTurns(dto.input)];
    const conversation: ConversationTurn[] = [...(dto.instructions ? [{ role: 'system', content: dto.instructions }] : []), ...history];
    const turns: ChatTurn[] = conversation.map((t) => ({ role: t.role, content: t.content }));
    const toolsText = toolsPromptText(tools);
    const promptTokenIds = await encodeChatYielding(tokenizer, toolsText === null ? turns : [{ role: 'system', content: toolsText }, ...turns]);
    const maxModelLen = served.maxModelLen;
    if (promptTokenIds.length >= maxModelLen) {
      bad(`The engine prompt length ${promptTokenIds.length} exceeds the max_model_len ${maxModelLen}. Please reduce prompt.`);
    }
    // vLLM clips max_output_tokens to the room left instead of refusing it.
    const room = maxModelLen - promptTokenIds.length;
    const maxTokens = Math.min(dto.max_output_tokens ?? room, room);
    const lastUser = [...conversation].reverse().find((t) => t.role === 'user') ?? conversation[conversation.length - 1];
    const seed = dto.seed ?? this.settings.seed;
    const reasoning = reasoningMarkers(modelSettings.reasoning_parser);
    const id = dto.request_id ?? `resp_${randomHex()}`;
    const renderer = responsesRenderer(
      {
        id,
        createdAt: nowSeconds(),
        model,
        instructions: dto.instructions ?? null,
        metadata: dto.metadata ?? null,
        parallelToolCalls: dto.parallel_tool_calls ?? true,
        temperature: dto.temperature ?? 1,
        topP: dto.top_p ?? 1,
        toolChoice: dto.tool_choice ?? 'auto',
        tools: dto.tools ?? [],
        maxOutputTokens: maxTokens,
        maxToolCalls: dto.max_tool_calls ?? null,
        previousResponseId: dto.previous_response_id ?? null,
        reasoning: dto.reasoning ?? null,
        serviceTier: dto.service_tier ?? 'auto',
        text: dto.text ?? null,
        truncation: dto.truncation ?? 'disabled',
        user: dto.user ?? null,
      },
      (body) => {
        if (store) this.store.put({ body, turns: history });
      },
    );
    return {
      renderer,
      stream: dto.stream === true,
      includeUsage: false,
      continuousUsage: false,
      work: conversationWork({
        model,
        lora,
        tokenizer,
        promptTokenIds,
        maxTokens,
        reply: {
          kind: 'chat' as const,
          prompt: lastUser?.content ?? '',
          messages: conversation,
          ...(dto.parallel_tool_calls != null ? { parallelToolCalls: dto.parallel_tool_calls } : {}),
          seed,
          maxTokens,
          roomTokens: room,
          minTokens: 0,
          ignoreEos: false,
          stop: [],
          ...(tools ? { tools } : {}),
          ...(reasoning ? { reasoning } : {}),
          ...(format ? { format } : {}),
        },
      }),
    };
  }

  /** The input as conversation turns: text is one user message; items each become a turn (or join one). */
  private inputTurns(input: ResponsesRequestDto['input']): ConversationTurn[] {
    if (typeof input === 'string') return [{ role: 'user', content: input }];
    if (input.length === 0) bad('input: at least one input item is required');
    const turns: ConversationTurn[] = [];
    input.forEach((raw, i) => {
      const item = raw.type === 'item_reference' && typeof raw.id === 'string' ? this.store.item(raw.id) : raw;
      // A reference the store does not hold (store off, or forgotten) stands for an item of an
      // earlier turn the client no longer sends: nothing to add.
      if (!item) return;
      addItem(turns, item, `input[${i}]`);
    });
    return turns;
  }

  private toolOffer(dto: ResponsesRequestDto): ToolOffer | undefined {
    const functions = (dto.tools ?? []).filter((t) => t.type === 'function');
    functions.forEach((t, i) => {
      if (typeof t.name !== 'string' || t.name === '') bad(`tools[${i}].name: Field required`, `tools[${i}].name`);
    });
    const raw = dto.tool_choice ?? 'auto';
    if (raw === 'none' || functions.length === 0) return undefined;
    let choice: ToolChoice;
    if (raw === 'auto' || raw === 'required') choice = raw;
    else if (typeof raw === 'object' && raw !== null && typeof raw.name === 'string') {
      if (!functions.some((t) => t.name === raw.name)) bad('The tool specified in `tool_choice` does not match any of the specified `tools`', 'tool_choice');
      choice = { name: raw.name };
    } else {
      return bad(`Invalid value for \`tool_choice\`: ${JSON.stringify(raw)}`, 'tool_choice');
    }
    return {
      tools: functions.map((t) => ({ name: t.name!, ...(t.description != null ? { description: t.description } : {}), ...(t.parameters != null ? { parameters: t.parameters } : {}) })),
      choice,
    };
  }

  /** `text.format` as the reply's format: vLLM turns a json_schema into structured output and refuses json_object. */
  private formatOf(dto: ResponsesRequestDto): OutputFormat | undefined {
    const format = dto.text?.format;
    if (!format || format.type === 'text') return undefined;
    if (format.type === 'json_object') bad('json_object is not supported', 'text.format');
    if (!format.schema) bad("text.format.schema: Field required when type is 'json_schema'", 'text.format.schema');
    return { type: 'json_schema', schema: format.schema! };
  }
}

/** Adds one input (or stored output) item to the conversation. */
function addItem(turns: ConversationTurn[], item: Item, where: string): void {
  const type = typeof item.type === 'string' ? item.type : 'message';
  switch (type) {
    case 'message': {
      const role = item.role === 'developer' ? 'system' : item.role;
      if (typeof role !== 'string' || !['user', 'system', 'assistant'].includes(role)) bad(`${where}.role: must be one of user, system, developer, assistant`);
      turns.push({ role: role as string, content: contentText(item.content) });
      return;
    }
    case 'function_call': {
      if (typeof item.name !== 'string' || typeof item.call_id !== 'string') bad(`${where}: a function_call needs name and call_id`);
      const call = { id: item.call_id as string, name: item.name as string, arguments: typeof item.arguments === 'string' ? item.arguments : JSON.stringify(item.arguments ?? {}) };
      const last = turns[turns.length - 1];
      if (last?.role === 'assistant') turns[turns.length - 1] = { ...last, toolCalls: [...(last.toolCalls ?? []), call] };
      else turns.push({ role: 'assistant', content: '', toolCalls: [call] });
      return;
    }
    case 'function_call_output': {
      if (typeof item.call_id !== 'string') bad(`${where}.call_id: Field required`);
      const name = turns.flatMap((t) => t.toolCalls ?? []).find((c) => c.id === item.call_id)?.name;
      const output = typeof item.output === 'string' ? item.output : contentText(item.output);
      turns.push({ role: 'tool', content: output, toolCallId: item.call_id as string, ...(name ? { name } : {}) });
      return;
    }
    case 'reasoning':
      // The model's earlier thinking is not part of the prompt (chat templates drop it).
      return;
    default:
      bad(`${where}.type: '${type}' is not supported (message, function_call, function_call_output, reasoning, item_reference)`);
  }
}

/** A stored response's output as the assistant's turns of the next request. */
function outputTurns(output: ReadonlyArray<Record<string, unknown>>): ConversationTurn[] {
  const turns: ConversationTurn[] = [];
  output.forEach((item, i) => {
    if (item.type === 'message') turns.push({ role: 'assistant', content: contentText(item.content) });
    else if (item.type === 'function_call') addItem(turns, item, `output[${i}]`);
  });
  return turns;
}
