import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ApiError } from '../api/api-error';
import { InferenceRoute, UtilityRoute } from '../api/route-kind';
import { HttpResponder } from '../http/http-responder';
import { ResponsesRequestDto } from './dto/responses-request.dto';
import { ResponseStore } from './response-store';
import { ResponsesRequests } from './responses-requests';

const notFound = (id: string) => new ApiError(404, `Response with id '${id}' not found.`, 'response_id');

/** The OpenAI Responses API as vLLM serves it. */
@ApiTags('OpenAI')
@Controller('v1/responses')
export class ResponsesController {
  constructor(
    private readonly requests: ResponsesRequests,
    private readonly responder: HttpResponder,
    private readonly store: ResponseStore,
  ) {}

  @Post()
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Create a response (streaming with stream=true: named events, no [DONE])' })
  async create(@Body() dto: ResponsesRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<object | string | void> {
    return this.responder.respond(reply, await this.requests.translate(dto));
  }

  @Get(':id')
  @UtilityRoute()
  @ApiOperation({ summary: 'A stored response (needs the response store)' })
  retrieve(@Param('id') id: string): object {
    const stored = this.store.get(id);
    if (!stored) throw notFound(id);
    return stored.body;
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @UtilityRoute()
  @ApiOperation({ summary: 'Cancel a background response; a finished one cannot be cancelled' })
  cancel(@Param('id') id: string): object {
    if (!this.store.get(id)) throw notFound(id);
    throw ApiError.badRequest('Cannot cancel a synchronous response.', 'response_id');
  }
}
