import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiInference, ERROR_SCHEMA } from '../api/openapi';
import { RESPONSE_SCHEMA, RESPONSES_EXAMPLES } from './responses.openapi';
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
  @ApiInference({ body: ResponsesRequestDto, examples: RESPONSES_EXAMPLES, ok: RESPONSE_SCHEMA, streams: true })
  async create(@Body() dto: ResponsesRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<object | string | void> {
    return this.responder.respond(reply, await this.requests.translate(dto));
  }

  @Get(':id')
  @UtilityRoute()
  @ApiOperation({ summary: 'A stored response (needs the response store)' })
  @ApiOkResponse({ schema: RESPONSE_SCHEMA })
  @ApiResponse({ status: 404, description: 'Not stored (or the store is off)', schema: ERROR_SCHEMA })
  retrieve(@Param('id') id: string): object {
    const stored = this.store.get(id);
    if (!stored) throw notFound(id);
    return stored.body;
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @UtilityRoute()
  @ApiOperation({ summary: 'Cancel a background response; a finished one cannot be cancelled' })
  @ApiResponse({ status: 400, description: 'A stored response is finished: it cannot be cancelled', schema: ERROR_SCHEMA })
  @ApiResponse({ status: 404, description: 'Not stored', schema: ERROR_SCHEMA })
  cancel(@Param('id') id: string): object {
    if (!this.store.get(id)) throw notFound(id);
    throw ApiError.badRequest('Cannot cancel a synchronous response.', 'response_id');
  }
}
