import { conversationWork } from '../generation/inference-request';
import { Inject, Injectable } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { checkSampling, effectiveMaxTokens, stopList } from '../api/request-checks';
import { HttpInferenceCall } from '../http/http-responder';
import { ServedModels } from '../models/served-models';
import { ConversationTurn, ToolChoice, ToolOffer } from '../responses/responses.types';
import { ChatTurn, encodeChatYielding } from '../tokenizer/tokenizer.types';
import { toolsPromptText } from '../tokenizer/tools-prompt';
import { reasoningMarkers } from '../responses/reasoning-parsers';
import { AnthropicMessagesRequestDto, AnthropicPromptDto, ContentBlock } from './dto/messages-request.dto';
import { messagesRenderer } from './messages.renderer';

/** The text of a tool result's content: a string, or its text blocks joined. */
function resultText(content: ContentBlock['content']): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.map((b) => (typeof b?.text === 'string' ? b.text : '')).join('');
}

/**
 * POST /v1/messages translated for the pipeline as vLLM does it (it turns the request into a chat
 * completion): `system` first, then each message, its text blocks joined, `tool_use` blocks as the
 * assistant's tool calls, `tool_result` blocks as tool messages, thinking blocks dropped from the
 * prompt; `tool_choice` auto / any (required) / tool (named); `max_tokens` checked against the
 * context window as chat checks it.
 */
@Injectable()
export class MessagesRequests {
  constructor(
    private readonly models: ServedModels,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async translate(dto: AnthropicMessagesRequestDto, requestId: string): Promise<HttpInferenceCall> {
    const { model, lora, served, tokenizer, modelSettings, tools, conversation, promptTokenIds } = await this.prompt(dto);
    checkSampling({ temperature: dto.temperature, top_p: dto.top_p, top_k: dto.top_k, max_tokens: dto.max_tokens, stop: dto.stop_sequences }, this.settings);
    const maxTokens = effectiveMaxTokens(dto.max_tokens, null, promptTokenIds.length, served.maxModelLen);
    const lastUser = [...conversation].reverse().find((t) => t.role === 'user') ?? conversation[conversation.length - 1];
    const seed = this.settings.seed;
    const reasoning = reasoningMarkers(modelSettings.reasoning_parser);
    return {
      renderer: messagesRenderer({ id: `chatcmpl-${requestId}`, model, namedTool: typeof tools?.choice === 'object' }),
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
          ...(dto.tool_choice?.disable_parallel_tool_use ? { parallelToolCalls: false } : {}),
          seed,
          maxTokens,
          roomTokens: served.maxModelLen - promptTokenIds.length,
          minTokens: 0,
          ignoreEos: false,
          stop: stopList(dto.stop_sequences),
          ...(tools ? { tools } : {}),
          ...(reasoning ? { reasoning } : {}),
        },
      }),
    };
  }

  /** `/v1/messages/count_tokens`: the prompt's tokens as /v1/messages would count them. */
  async countTokens(dto: AnthropicPromptDto): Promise<{ input_tokens: number }> {
    const { promptTokenIds } = await this.prompt(dto);
    return { input_tokens: promptTokenIds.length };
  }

  private async prompt(dto: AnthropicPromptDto) {
    const { served, tokenizer, settings: modelSettings } = this.models.route(dto.model);
    served.require('Messages');
    const { model, lora } = served.target(dto.model);
    const tools = toolOffer(dto);
    const conversation = conversationOf(dto);
    const turns: ChatTurn[] = conversation.map((t) => ({ role: t.role, content: t.content }));
    const toolsText = toolsPromptText(tools);
    const promptTokenIds = await encodeChatYielding(tokenizer, toolsText === null ? turns : [{ role: 'system', content: toolsText }, ...turns]);
    return { model, lora, served, tokenizer, modelSettings, tools, conversation, promptTokenIds };
  }
}

/** `tools` and `tool_choice` as vLLM maps them to chat's: auto, any = required, tool = named, none = no tools. */
function toolOffer(dto: AnthropicPromptDto): ToolOffer | undefined {
  if (!dto.tools || dto.tools.length === 0 || dto.tool_choice?.type === 'none') return undefined;
  let choice: ToolChoice = 'auto';
  if (dto.tool_choice?.type === 'any') choice = 'required';
  else if (dto.tool_choice?.type === 'tool') {
    const name = dto.tool_choice.name;
    if (!name || !dto.tools.some((t) => t.name === name)) throw ApiError.badRequest('The tool specified in `tool_choice` does not match any of the specified `tools`', 'tool_choice');
    choice = { name };
  }
  return {
    tools: dto.tools.map((t) => ({ name: t.name, ...(t.description != null ? { description: t.description } : {}), parameters: { type: 'object', ...t.input_schema } })),
    choice,
  };
}

/** The messages as chat turns (vLLM's _convert_anthropic_to_openai_request). */
function conversationOf(dto: AnthropicPromptDto): ConversationTurn[] {
  const turns: ConversationTurn[] = [];
  if (dto.system) {
    turns.push({ role: 'system', content: typeof dto.system === 'string' ? dto.system : dto.system.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('') });
  }
  for (const message of dto.messages) {
    if (typeof message.content === 'string') {
      turns.push({ role: message.role, content: message.content });
      continue;
    }
    const texts: string[] = [];
    const calls: Array<{ id: string; name: string; arguments: string }> = [];
    for (const block of message.content) {
      if (block.type === 'text' && block.text) texts.push(block.text);
      else if (block.type === 'tool_use') calls.push({ id: block.id ?? '', name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) });
      else if (block.type === 'tool_result') {
        if (message.role === 'user') {
          const id = block.tool_use_id ?? block.id ?? '';
          const name = turns.flatMap((t) => t.toolCalls ?? []).find((c) => c.id === id)?.name;
          turns.push({ role: 'tool', content: resultText(block.content), toolCallId: id, ...(name ? { name } : {}) });
        } else {
          texts.push(`Tool result: ${resultText(block.content)}`);
        }
      }
    }
    if (texts.length === 0 && calls.length === 0) continue;
    turns.push({ role: message.role, content: texts.join('\n'), ...(calls.length > 0 ? { toolCalls: calls } : {}) });
  }
  return turns;
}
