import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { InferenceRoute } from '../api/route-kind';
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
}
