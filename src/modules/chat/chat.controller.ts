import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { requestIdOf } from '../openai/request-id';
import { ChatCompletionRequestDto } from './dto/chat-request.dto';
import { ChatService } from './chat.service';

@ApiTags('OpenAI')
@Controller('v1/chat/completions')
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Chat completion (streaming with stream=true)' })
  create(@Body() dto: ChatCompletionRequestDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<object | string | void> {
    return this.chat.create(dto, reply, requestIdOf(req));
  }
}
