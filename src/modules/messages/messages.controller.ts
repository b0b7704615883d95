import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiInference } from '../api/openapi';
import { COUNT_TOKENS_EXAMPLES, COUNT_TOKENS_SCHEMA, MESSAGE_SCHEMA, MESSAGES_EXAMPLES } from './messages.openapi';
import { FastifyReply } from 'fastify';
import { ApiError } from '../api/api-error';
import { InferenceRoute, UtilityRoute } from '../api/route-kind';
import { HttpResponder } from '../http/http-responder';
import { AnthropicMessagesRequestDto, AnthropicPromptDto } from './dto/messages-request.dto';
import { MessagesRequests } from './messages-requests';

/**
 * Anthropic's Messages API as vLLM serves it. A refusal by the handler is answered in Anthropic's
 * error shape (`{"type": "error", "error": {"type", "message"}}`, the type being vLLM's), as vLLM
 * translates it; a body that fails validation keeps vLLM's OpenAI-style 400, as its global handler
 * answers it before the route runs.
 */
@ApiTags('Anthropic')
@Controller('v1/messages')
export class MessagesController {
  constructor(
    private readonly requests: MessagesRequests,
    private readonly responder: HttpResponder,
  ) {}

  @Post()
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Create a message (streaming with stream=true: named events)' })
  @ApiInference({ body: AnthropicMessagesRequestDto, examples: MESSAGES_EXAMPLES, ok: MESSAGE_SCHEMA, streams: true })
  async create(@Body() dto: AnthropicMessagesRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<object | string | void> {
    try {
      return await this.responder.respond(reply, await this.requests.translate(dto, reply.request.id));
    } catch (err) {
      return anthropicError(err, reply);
    }
  }

  @Post('count_tokens')
  @HttpCode(200)
  @UtilityRoute()
  @ApiOperation({ summary: 'Count the input tokens of a Messages request' })
  @ApiInference({ body: AnthropicPromptDto, examples: COUNT_TOKENS_EXAMPLES, ok: COUNT_TOKENS_SCHEMA })
  async countTokens(@Body() dto: AnthropicPromptDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<object> {
    try {
      return await this.requests.countTokens(dto);
    } catch (err) {
      return anthropicError(err, reply);
    }
  }
}

function anthropicError(err: unknown, reply: FastifyReply): object {
  if (!(err instanceof ApiError) || reply.sent) throw err;
  void reply.code(err.status);
  return { type: 'error', error: { type: err.type, message: err.message } };
}
