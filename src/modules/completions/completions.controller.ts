import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { requestIdOf } from '../openai/request-id';
import { CompletionRequestDto } from './dto/completion-request.dto';
import { CompletionsService } from './completions.service';

@ApiTags('OpenAI')
@Controller('v1/completions')
export class CompletionsController {
  constructor(private readonly completions: CompletionsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Text completion (streaming with stream=true)' })
  create(@Body() dto: CompletionRequestDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<object | string | void> {
    return this.completions.create(dto, reply, requestIdOf(req));
  }
}
