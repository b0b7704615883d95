import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { InferenceRoute } from '../api/route-kind';
import { HttpResponder } from '../http/http-responder';
import { ClassifyRequestDto, CohereEmbedRequestDto, EmbeddingRequestDto, PoolingRequestDto, RerankRequestDto, ScoreRequestDto } from './dto/pooling.dto';
import { PoolingRequests } from './pooling-requests';
import { ApiInference } from '../api/openapi';
import {
  CLASSIFY_EXAMPLES,
  CLASSIFY_SCHEMA,
  COHERE_EMBED_EXAMPLES,
  COHERE_EMBED_SCHEMA,
  EMBEDDING_EXAMPLES,
  EMBEDDING_SCHEMA,
  POOLING_EXAMPLES,
  POOLING_SCHEMA,
  RERANK_EXAMPLES,
  RERANK_SCHEMA,
  SCORE_EXAMPLES,
  SCORE_SCHEMA,
} from './embeddings.openapi';

type Answer = Promise<object | string | void>;

/** vLLM's pooling routes: embeddings, pooling, classification, score and rerank (Jina and Cohere paths). */
@ApiTags('Pooling')
@Controller()
export class EmbeddingsController {
  constructor(
    private readonly requests: PoolingRequests,
    private readonly responder: HttpResponder,
  ) {}

  @Post('v1/embeddings')
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Embeddings (OpenAI): a unit vector per input, timed as a prefill' })
  @ApiInference({ body: EmbeddingRequestDto, examples: EMBEDDING_EXAMPLES, ok: EMBEDDING_SCHEMA })
  async embeddings(@Body() dto: EmbeddingRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Answer {
    return this.responder.respond(reply, await this.requests.embeddings(dto, reply.request.id));
  }

  @Post('pooling')
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: "The model's pooled output per input (vLLM)" })
  @ApiInference({ body: PoolingRequestDto, examples: POOLING_EXAMPLES, ok: POOLING_SCHEMA })
  async pooling(@Body() dto: PoolingRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Answer {
    return this.responder.respond(reply, await this.requests.pooling(dto, reply.request.id));
  }

  @Post('classify')
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Classification: label probabilities per input (vLLM)' })
  @ApiInference({ body: ClassifyRequestDto, examples: CLASSIFY_EXAMPLES, ok: CLASSIFY_SCHEMA })
  async classify(@Body() dto: ClassifyRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Answer {
    return this.responder.respond(reply, await this.requests.classify(dto, reply.request.id));
  }

  @Post('score')
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Scores of text pairs, 1:1, 1:N or N:N (vLLM)' })
  @ApiInference({ body: ScoreRequestDto, examples: SCORE_EXAMPLES, ok: SCORE_SCHEMA })
  async score(@Body() dto: ScoreRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Answer {
    return this.responder.respond(reply, await this.requests.score(dto, reply.request.id));
  }

  @Post('v1/score')
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Same as /score (older path)' })
  @ApiInference({ body: ScoreRequestDto, examples: SCORE_EXAMPLES, ok: SCORE_SCHEMA })
  async scoreV1(@Body() dto: ScoreRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Answer {
    return this.score(dto, reply);
  }

  @Post('rerank')
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Documents ranked by relevance to a query (vLLM, Jina shape)' })
  @ApiInference({ body: RerankRequestDto, examples: RERANK_EXAMPLES, ok: RERANK_SCHEMA })
  async rerank(@Body() dto: RerankRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Answer {
    return this.responder.respond(reply, await this.requests.rerank(dto, reply.request.id));
  }

  @Post('v1/rerank')
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Same as /rerank (Jina path)' })
  @ApiInference({ body: RerankRequestDto, examples: RERANK_EXAMPLES, ok: RERANK_SCHEMA })
  async rerankV1(@Body() dto: RerankRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Answer {
    return this.rerank(dto, reply);
  }

  @Post('v2/rerank')
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: 'Same as /rerank (Cohere path)' })
  @ApiInference({ body: RerankRequestDto, examples: RERANK_EXAMPLES, ok: RERANK_SCHEMA })
  async rerankV2(@Body() dto: RerankRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Answer {
    return this.rerank(dto, reply);
  }

  @Post('v2/embed')
  @HttpCode(200)
  @InferenceRoute()
  @ApiOperation({ summary: "Cohere's embed API" })
  @ApiInference({ body: CohereEmbedRequestDto, examples: COHERE_EMBED_EXAMPLES, ok: COHERE_EMBED_SCHEMA })
  async cohereEmbed(@Body() dto: CohereEmbedRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Answer {
    return this.responder.respond(reply, await this.requests.cohereEmbed(dto, reply.request.id));
  }
}
