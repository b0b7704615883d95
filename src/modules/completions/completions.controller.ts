import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { InferenceRoute, UtilityRoute } from '../api/route-kind';
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

  /** vLLM's render endpoint: the prompt's token ids as this request would be prefilled (an array with one entry per prompt, as vLLM returns it even for one), nothing generated. */
  @Post('render')
  @HttpCode(200)
  @UtilityRoute()
  @ApiOperation({ summary: 'The prompt token ids of a completions request, as the engine would see them' })
  async render(@Body() dto: CompletionRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<object> {
    const call = await this.requests.translate(dto, reply.request.id);
    return call.work.prompts.map((p) => ({ token_ids: [...p.tokenIds] }));
  }
}
