import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { InferenceRoute } from '../api/route-kind';
import { HttpResponder } from '../http/http-responder';
import { GenerateRequestDto } from './dto/generate-request.dto';
import { GenerateRequests } from './generate-requests';

@ApiTags('vLLM')
@Controller('inference/v1/generate')
export class GenerateController {
  constructor(
    private readonly requests: GenerateRequests,
    private readonly responder: HttpResponder,
  ) {}

  @Post()
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Tokens in, tokens out (streaming with stream=true), as P/D sidecars and RL rollouts call it' })
  async create(@Body() dto: GenerateRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<object | string | void> {
    return this.responder.respond(reply, this.requests.translate(dto));
  }
}
