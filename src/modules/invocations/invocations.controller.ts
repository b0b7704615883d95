import { Body, Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CHAT_COMPLETION_SCHEMA } from '../chat/chat.openapi';
import { COMPLETION_SCHEMA } from '../completions/completions.openapi';
import { CLASSIFY_SCHEMA, EMBEDDING_SCHEMA, POOLING_SCHEMA, RERANK_SCHEMA, SCORE_SCHEMA } from '../embeddings/embeddings.openapi';
import { validateSync } from 'class-validator';
import { FastifyReply } from 'fastify';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { InferenceRoute } from '../api/route-kind';
import { ChatRequests } from '../chat/chat-requests';
import { ChatCompletionRequestDto } from '../chat/dto/chat-request.dto';
import { CompletionsRequests } from '../completions/completions-requests';
import { CompletionRequestDto } from '../completions/dto/completion-request.dto';
import { ClassifyRequestDto, EmbeddingRequestDto, PoolingRequestDto, RerankRequestDto, ScoreRequestDto } from '../embeddings/dto/pooling.dto';
import { PoolingRequests } from '../embeddings/pooling-requests';
import { HttpInferenceCall, HttpResponder } from '../http/http-responder';
import { checkItemLimits, toDto } from '../http/validation';
import { ServedTask } from '../models/served-model';
import { ServedModels } from '../models/served-models';

type InvocationBody = Record<string, unknown>;

/** One way /invocations can serve a body: the request type vLLM names, its DTO, and the route that serves it. */
interface Handler {
  name: string;
  dto: new () => object;
  /** A body this type would accept must also carry these (the DTOs leave them optional). */
  needs?: (body: InvocationBody) => boolean;
  serve: (dto: never, requestId: string) => Promise<HttpInferenceCall>;
}

const hasPair = (b: InvocationBody) => ['text_1', 'queries', 'data_1'].some((k) => k in b) && ['text_2', 'documents', 'items', 'data_2'].some((k) => k in b);

/**
 * SageMaker's POST /invocations as vLLM serves it: the body goes to the first of the model's
 * routes whose request type it validates as (chat, completions; for pooling models embeddings,
 * classify, score, rerank, pooling), else vLLM's 400 naming the types expected.
 */
@ApiTags('SageMaker')
@Controller('invocations')
export class InvocationsController {
  private readonly handlers: Record<ServedTask, Handler[]>;

  constructor(
    private readonly models: ServedModels,
    private readonly responder: HttpResponder,
    chat: ChatRequests,
    completions: CompletionsRequests,
    pooling: PoolingRequests,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {
    const chatHandler: Handler = { name: 'ChatCompletionRequest', dto: ChatCompletionRequestDto, serve: (d: ChatCompletionRequestDto, id) => chat.translate(d, id) };
    const completionHandler: Handler = { name: 'CompletionRequest', dto: CompletionRequestDto, serve: (d: CompletionRequestDto, id) => completions.translate(d, id) };
    const embed: Handler = { name: 'EmbeddingRequest', dto: EmbeddingRequestDto, serve: (d: EmbeddingRequestDto, id) => pooling.embeddings(d, id) };
    const classify: Handler = { name: 'ClassificationRequest', dto: ClassifyRequestDto, serve: (d: ClassifyRequestDto, id) => pooling.classify(d, id) };
    const score: Handler = { name: 'ScoreRequest', dto: ScoreRequestDto, needs: hasPair, serve: (d: ScoreRequestDto, id) => pooling.score(d, id) };
    const rerank: Handler = { name: 'RerankRequest', dto: RerankRequestDto, serve: (d: RerankRequestDto, id) => pooling.rerank(d, id) };
    const pool: Handler = { name: 'PoolingRequest', dto: PoolingRequestDto, serve: (d: PoolingRequestDto, id) => pooling.pooling(d, id) };
    this.handlers = {
      generate: [chatHandler, completionHandler],
      embed: [embed, score, rerank, pool],
      score: [classify, score, rerank, pool],
      classify: [classify, pool],
    };
  }

  @Post()
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: "SageMaker's invocation: a chat, completion or pooling request, served by the route whose request it is" })
  @ApiBody({
    schema: { type: 'object', additionalProperties: true, description: 'A chat, completion or pooling request body' },
    examples: { chat: { value: { messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 32 } }, completion: { value: { prompt: 'Once upon a time', max_tokens: 16 } } },
  })
  @ApiOkResponse({ description: 'The answer of the route that served the body', schema: { anyOf: [CHAT_COMPLETION_SCHEMA, COMPLETION_SCHEMA, EMBEDDING_SCHEMA, CLASSIFY_SCHEMA, SCORE_SCHEMA, RERANK_SCHEMA, POOLING_SCHEMA] } })
  async invoke(@Body() body: InvocationBody, @Res({ passthrough: true }) reply: FastifyReply): Promise<object | string | void> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.badRequest('The request body must be a JSON object');
    const handlers = this.handlers[this.models.route(typeof body.model === 'string' ? body.model : undefined).served.task];
    for (const handler of handlers) {
      const dto = this.validated(handler, body);
      if (dto) return this.responder.respond(reply, await handler.serve(dto as never, reply.request.id));
    }
    throw ApiError.badRequest(`Cannot find suitable handler for request. Expected one of: [${handlers.map((h) => `'${h.name}'`).join(', ')}]`);
  }

  private validated(handler: Handler, body: InvocationBody): object | null {
    if (handler.needs && !handler.needs(body)) return null;
    try {
      checkItemLimits(handler.dto, body, this.settings);
    } catch {
      return null;
    }
    const dto = toDto(handler.dto, body);
    return validateSync(dto, { forbidUnknownValues: false }).length === 0 ? dto : null;
  }
}
