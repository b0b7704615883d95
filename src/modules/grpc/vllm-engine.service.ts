import { Inject, Injectable } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { Observable, Subscriber } from 'rxjs';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ApiError, notServingMessage } from '../api/api-error';
import { randomHex } from '../api/ids';
import { PROFILE } from '../benchmarks/profile.token';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { Engine } from '../engine/engine';
import { Exchange, Exchanges } from '../generation/exchange';
import { Choice } from '../generation/generation';
import { GenerationService } from '../generation/generation.service';
import { ClientPresence, GenerationSink, InferenceWork } from '../generation/inference-request';
import { Admission } from '../lifecycle/admission';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { ServedModel } from '../models/served-model';
import { EMBEDDING_DIM, embedText } from '../responses/embedding';
import { TOKENIZER, Tokenizer } from '../tokenizer/tokenizer.types';
import { GenerateWork, promptOf, promptOfYielding, toGenerateWork } from './generate-request';
import {
  AbortRequest,
  EmbedRequest,
  EmbedResponse,
  GenerateComplete,
  GenerateRequest,
  GenerateResponse,
  GetModelInfoResponse,
  GetServerInfoResponse,
  HealthCheckResponse,
} from './vllm-engine.types';

const GRPC_SERVER_TYPE = 'vllm-grpc';

/** Per-call facts from gRPC metadata that the door passes on (fault header, ...). */
export interface CallInfo {
  /** `x-simulate-fault` metadata, as the HTTP header of the same name. */
  simulateFault?: string;
}

/** A cut or dropped call, as a client sees a stream that ends without its last message. */
function cancelled(error: ApiError): RpcException {
  return new RpcException({ code: GrpcStatus.CANCELLED, message: error.message });
}

/**
 * The gRPC door: vLLM's VllmEngine RPCs translated to and from the same pipeline and engine as the
 * HTTP doors. Validation errors are `ApiError`s (mapped to gRPC codes once, in grpc-status.ts).
 */
@Injectable()
export class VllmEngineService {
  private lastReceive = 0;

  constructor(
    private readonly generation: GenerationService,
    private readonly exchanges: Exchanges,
    private readonly admission: Admission,
    private readonly engine: Engine,
    private readonly served: ServedModel,
    private readonly lifecycle: LifecycleService,
    @Inject(TOKENIZER) private readonly tokenizer: Tokenizer,
    @Inject(PROFILE) private readonly profile: PerformanceProfile,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  /**
   * Generate through the pipeline: admitted (readiness, drain, /load) at subscription, the prompt
   * encoded in slices, translated, then served; errors reach the client as a status (mapped once,
   * in grpc-status.ts). A client that cancels aborts the generation.
   */
  generate(req: GenerateRequest, call: CallInfo = {}): Observable<GenerateResponse> {
    this.received();
    return new Observable<GenerateResponse>((subscriber) => {
      const goneListeners = new Set<() => void>();
      let gone = false;
      const client: ClientPresence = {
        get gone() {
          return gone || subscriber.closed;
        },
        onGone: (fn) => {
          if (gone) {
            fn();
            return () => undefined;
          }
          goneListeners.add(fn);
          return () => goneListeners.delete(fn);
        },
      };
      let end: (() => void) | undefined;
      let exchange: Exchange | undefined;
      const finish = (): void => {
        end?.();
        end = undefined;
        if (exchange) this.exchanges.close(exchange);
        exchange = undefined;
      };
      void (async () => {
        end = this.admission.admit();
        exchange = this.exchanges.open({ id: req.request_id || randomHex(), origin: 'grpc', route: 'grpc', kind: 'inference', model: this.served.name });
        // A long text prompt is encoded in slices, as the HTTP doors do, so it does not stall every stream.
        const prompt = await promptOfYielding(req, this.tokenizer);
        const work = toGenerateWork(req, this.tokenizer, this.served.maxModelLen, this.settings, prompt);
        const outcome = await this.generation.serve(
          { ...this.inferenceWork(work), exchange, faultRequested: call.simulateFault },
          client,
          this.sinkFor(req.stream, subscriber),
        );
        if (outcome.kind === 'dropped') subscriber.error(new RpcException({ code: GrpcStatus.CANCELLED, message: 'Connection closed (simulated fault).' }));
        else if (outcome.kind === 'cut' && !outcome.generation) subscriber.error(cancelled(outcome.error));
        else subscriber.complete();
      })()
        .catch((err: unknown) => subscriber.error(err))
        .finally(finish);
      return () => {
        gone = true;
        for (const fn of [...goneListeners]) fn();
        goneListeners.clear();
        finish();
      };
    });
  }

  /** The pipeline's work for a validated GenerateRequest: one prompt, n choices of it. */
  private inferenceWork(work: GenerateWork): InferenceWork {
    return {
      model: this.served.name,
      n: work.n,
      maxTokensParam: work.maxTokensParam,
      prompts: [
        {
          tokenIds: work.promptTokenIds,
          reply: (choiceIndex) => ({
            kind: 'completion',
            prompt: work.promptText,
            choiceIndex,
            seed: work.seed ?? this.settings.seed,
            maxTokens: work.maxTokens,
            minTokens: work.minTokens,
            ignoreEos: work.ignoreEos,
            stop: work.stop,
            stopTokenIds: work.stopTokenIds,
            includeStopStr: work.includeStopStr,
          }),
        },
      ],
    };
  }

  /** vLLM's GenerateResponse messages: a chunk per step when streaming, one complete per choice. */
  private sinkFor(stream: boolean, subscriber: Subscriber<GenerateResponse>): GenerationSink {
    const complete = (choice: Choice, finishReason: string): GenerateComplete => ({
      output_ids: choice.plan.tokenIds.slice(0, choice.generated),
      finish_reason: finishReason,
      prompt_tokens: choice.promptTokens,
      completion_tokens: choice.generated,
      cached_tokens: choice.outcome?.cachedTokens ?? 0,
    });
    return {
      onTokens: (choice, event) => {
        if (subscriber.closed || !stream) return;
        subscriber.next({ chunk: { token_ids: [...event.tokenIds], prompt_tokens: choice.promptTokens, completion_tokens: event.generated, cached_tokens: 0 } });
      },
      onChoiceFinished: (choice, outcome) => {
        if (!subscriber.closed) subscriber.next({ complete: complete(choice, outcome.finishReason) });
      },
      // stream_abort: the call ends as a dropped stream (CANCELLED).
      cut: (error) => subscriber.error(cancelled(error)),
    };
  }

  embed(req: EmbedRequest): EmbedResponse {
    this.received();
    if (!this.lifecycle.ready) throw ApiError.notServing(this.lifecycle.draining);
    if (!req.tokenized) throw ApiError.badRequest('EmbedRequest needs `tokenized` input.', 'tokenized');
    const { tokenIds } = promptOf(req, this.tokenizer);
    if (tokenIds.length === 0) throw ApiError.badRequest('The prompt cannot be empty: `tokenized.input_ids` has no tokens.', 'input_ids');
    if (tokenIds.length > this.served.maxModelLen) {
      throw ApiError.contextLength(this.served.maxModelLen, tokenIds.length, 'input_ids');
    }
    // The same vector the HTTP embeddings route gives for this text.
    const pooling = this.profile.model.pooling;
    const size = pooling?.task === 'embed' ? pooling.dimensions : EMBEDDING_DIM;
    return { embedding: embedText(this.tokenizer.decode(tokenIds), { size, seed: this.settings.seed }), prompt_tokens: tokenIds.length, embedding_dim: size };
  }

  healthCheck(): HealthCheckResponse {
    if (this.lifecycle.ready) return { healthy: true, message: 'Health check passed' };
    return { healthy: false, message: notServingMessage(this.lifecycle.draining) };
  }

  /**
   * Aborts queued or running requests by the client's request id (gRPC request_id, HTTP
   * X-Request-Id): every choice of every request under it, as vLLM aborts by external id. Unknown
   * ids are ignored, as vLLM does.
   */
  abort(req: AbortRequest): Record<string, never> {
    this.received();
    for (const id of req.request_ids) this.generation.abortRequest(id);
    return {};
  }

  modelInfo(): GetModelInfoResponse {
    return {
      model_path: this.settings.model,
      is_generation: true,
      max_context_length: this.served.maxModelLen,
      vocab_size: this.profile.model.vocabSize || this.tokenizer.vocabSize,
      supports_vision: false,
    };
  }

  serverInfo(): GetServerInfoResponse {
    return {
      active_requests: this.engine.inFlight,
      is_paused: !this.lifecycle.ready,
      last_receive_timestamp: this.lastReceive,
      uptime_seconds: (Date.now() - this.lifecycle.startedAt) / 1000,
      server_type: GRPC_SERVER_TYPE,
    };
  }

  private received(): void {
    this.lastReceive = Date.now() / 1000;
  }
}
