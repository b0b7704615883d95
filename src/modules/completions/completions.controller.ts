import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { InferenceRoute } from '../api/route-kind';
import { HttpResponder } from '../http/http-responder';
import { CompletionsRequests } from './completions-requests';
import { CompletionRequestDto } from './dto/completion-request.dto';
import { ApiInference } from '../api/openapi';
import { COMPLETION_EXAMPLES, COMPLETION_SCHEMA } from './completions.openapi';

@ApiTags('OpenAI')
@Controller('v1/completions')
export class CompletionsController {
  constructor(
    private readonly requests: CompletionsRequests,
    private readonly responder: HttpResponder,
  ) {}

  @Post()
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Text completion (streaming with stream=true)' })
  @ApiInference({ body: CompletionRequestDto, examples: COMPLETION_EXAMPLES, ok: COMPLETION_SCHEMA, streams: true })
  async create(@Body() dto: CompletionRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<object | string | void> {
    return this.responder.respond(reply, await this.requests.translate(dto, reply.request.id));
  }
}
