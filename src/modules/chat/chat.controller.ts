import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { InferenceRoute, UtilityRoute } from '../api/route-kind';
import { HttpResponder } from '../http/http-responder';
import { ChatRequests } from './chat-requests';
import { ChatCompletionRequestDto } from './dto/chat-request.dto';
import { ApiInference } from '../api/openapi';
import { CHAT_COMPLETION_SCHEMA, CHAT_EXAMPLES } from './chat.openapi';

@ApiTags('OpenAI')
@Controller('v1/chat/completions')
export class ChatController {
  constructor(
    private readonly requests: ChatRequests,
    private readonly responder: HttpResponder,
  ) {}

  @Post()
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Chat completion (streaming with stream=true)' })
  @ApiInference({ body: ChatCompletionRequestDto, examples: CHAT_EXAMPLES, ok: CHAT_COMPLETION_SCHEMA, streams: true })
  async create(@Body() dto: ChatCompletionRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<object | string | void> {
    return this.responder.respond(reply, await this.requests.translate(dto, reply.request.id));
  }

  /** vLLM's render endpoint: the prompt's token ids as this request would be prefilled (one object for the conversation), nothing generated. */
  @Post('render')
  @HttpCode(200)
  @UtilityRoute()
  @ApiOperation({ summary: 'The prompt token ids of a chat request, as the engine would see them' })
  async render(@Body() dto: ChatCompletionRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<object> {
    const call = await this.requests.translate(dto, reply.request.id);
    return { token_ids: [...call.work.prompts[0].tokenIds] };
  }
}
