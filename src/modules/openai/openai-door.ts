import { Inject, Injectable } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { isResponseOver } from '../../common/response-over';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { decideForHttp, noteGeneration, slowdownOf } from '../faults/http-faults';
import { FaultsService } from '../faults/faults.service';
import { GenerationService, PromptSpec } from '../generation/generation.service';
import { ServerLoad } from '../generation/server-load';
import { SamplingDto } from './dto/sampling.dto';
import { ApiError } from '../api/api-error';
import { Renderer, respond } from './responder';

export interface DoorRequest {
  reply: FastifyReply;
  requestId: string;
  route: string;
  model: string;
  dto: SamplingDto;
  n: number;
  maxTokensParam: number;
  prompts: PromptSpec[];
  renderer: Renderer;
}

/**
 * The path both OpenAI routes share once a request is validated and rendered: the fault decision,
 * then the generation served as JSON or SSE.
 */
@Injectable()
export class OpenAIDoor {
  constructor(
    private readonly generation: GenerationService,
    private readonly faults: FaultsService,
    private readonly load: ServerLoad,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  serve(r: DoorRequest): Promise<object | string | void> {
    // The client left while the request was read or its prompt encoded: nothing to serve.
    if (isResponseOver(r.reply.raw)) {
      r.reply.hijack();
      return Promise.resolve();
    }
    // Let in before the drain, then read and encoded until the server stopped (AcceptingWorkGuard counts it).
    if (this.load.isCutOff) return Promise.reject(ApiError.notServing(true));
    const fault = decideForHttp(this.faults, r.reply, { requestId: r.requestId, route: r.route, model: r.model });
    return respond(
      r.reply,
      {
        stream: r.dto.stream === true,
        includeUsage: r.dto.stream_options?.include_usage === true,
        continuousUsage: r.dto.stream_options?.continuous_usage_stats === true,
        promptDetails: this.settings.enable_prompt_tokens_details,
        fault,
        onCutOff: (fn) => this.load.onCutOff(fn),
        streamBufferBytes: this.settings.stream_buffer_kb * 1024,
      },
      async (listener) => {
        const generation = await this.generation.start(
          { requestId: r.requestId, origin: 'http', slowdown: slowdownOf(fault), n: r.n, maxTokensParam: r.maxTokensParam, prompts: r.prompts },
          listener,
        );
        // The server stopped while the request was planned: it must not run after the shutdown.
        if (this.load.isCutOff) {
          generation.abort();
          throw ApiError.notServing(true);
        }
        noteGeneration(r.reply.request.raw, generation);
        return generation;
      },
      r.renderer,
    );
  }
}
