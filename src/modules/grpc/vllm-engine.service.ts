import { Inject, Injectable } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { defer, finalize, from, mergeMap, Observable, Subscriber } from 'rxjs';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { PROFILE } from '../benchmarks/profile.token';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { Engine } from '../engine/engine';
import { FaultContext } from '../faults/fault.types';
import { FaultDecision, FaultsService } from '../faults/faults.service';
import { StreamAbortCounter } from '../faults/stream-abort';
import { Choice, Generation, GenerationService } from '../generation/generation.service';
import { ServerLoad } from '../generation/server-load';
import { LifecycleService } from '../health/lifecycle.service';
import { ServedModel } from '../models/served-model';
import { randomHex } from '../openai/ids';
import { notServingMessage, OpenAIError } from '../openai/openai-error';
import { TOKENIZER, Tokenizer } from '../tokenizer/tokenizer.types';
import { EMBEDDING_DIM, embedTokens } from './embedding';
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

export const GRPC_SERVER_TYPE = 'vllm-grpc';

/** Per-call facts from gRPC metadata that the door passes on (fault header, ...). */
export interface CallInfo {
  /** `x-simulate-fault` metadata, as the HTTP header of the same name. */
  simulateFault?: string;
}

/**
 * The gRPC door: vLLM's VllmEngine RPCs over the same Generation module and engine as the HTTP
 * doors. Validation errors are `OpenAIError`s (mapped to gRPC codes once, in grpc-status.ts).
 */
@Injectable()
export class VllmEngineService {
  private lastReceive = 0;

  constructor(
    private readonly generation: GenerationService,
    private readonly engine: Engine,
    private readonly served: ServedModel,
    private readonly lifecycle: LifecycleService,
    @Inject(TOKENIZER) private readonly tokenizer: Tokenizer,
    @Inject(PROFILE) private readonly profile: PerformanceProfile,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly faults: FaultsService,
    private readonly load: ServerLoad,
  ) {}

  /**
   * Validates first (errors reach the client as a status, before any message); the engine work
   * starts on subscription and is aborted when the subscriber leaves early (client cancel).
   */
  generate(req: GenerateRequest, call: CallInfo = {}): Observable<GenerateResponse> {
    this.received();
    this.requireReady();
    return defer(() => {
      // Counted from here (a drain waits for a prompt still being encoded) until the call ends.
      const ended = this.load.begin();
      // A long text prompt is encoded in slices, as the HTTP doors do, so it does not stall every
      // stream; a client that cancels meanwhile never reaches the fault decision or the engine.
      return from(promptOfYielding(req, this.tokenizer)).pipe(
        mergeMap((prompt) => this.generateWork(req, toGenerateWork(req, this.tokenizer, this.served.maxModelLen, this.settings, prompt), call)),
        finalize(ended),
      );
    });
  }

  private generateWork(req: GenerateRequest, work: GenerateWork, call: CallInfo): Observable<GenerateResponse> {
    const requestId = req.request_id || randomHex();
    const fault = this.decideFault({ requestId, route: 'grpc', model: this.served.name, explicitType: call.simulateFault });
    if (fault?.error && fault.type !== 'timeout' && fault.type !== 'stream_abort') throw fault.error;
    if (fault?.type === 'disconnect') throw new RpcException({ code: GrpcStatus.CANCELLED, message: 'Connection closed (simulated fault).' });
    return new Observable<GenerateResponse>((subscriber) => {
      let generation: Generation | undefined;
      let timer: NodeJS.Timeout | undefined;
      let stopWatchingCutOff = (): void => undefined;
      const run = async (): Promise<void> => {
        const started = await this.start(requestId, work, fault, req.stream, subscriber);
        if (!started) return;
        // The client cancelled, or the server stopped, while the request was planned.
        if (subscriber.closed || this.load.isCutOff) {
          started.abort();
          if (!subscriber.closed) subscriber.error(OpenAIError.notServing(true));
          return;
        }
        generation = started;
        void generation.finished.then(() => subscriber.complete());
      };
      // timeout: hold the request, then fail with DEADLINE_EXCEEDED or answer normally.
      if (fault?.type === 'timeout') {
        timer = setTimeout(() => {
          stopWatchingCutOff();
          if (fault.then === 'answer') void run();
          else subscriber.error(fault.error);
        }, fault.delayMs);
        // The server stopped while it held the request: it never reaches the engine.
        stopWatchingCutOff = this.load.onCutOff(() => {
          clearTimeout(timer);
          subscriber.error(OpenAIError.notServing(true));
        });
      } else if (this.load.isCutOff) {
        subscriber.error(OpenAIError.notServing(true));
      } else {
        void run();
      }
      return () => {
        stopWatchingCutOff();
        clearTimeout(timer);
        if (generation && !generation.done) generation.abort();
      };
    });
  }

  embed(req: EmbedRequest): EmbedResponse {
    this.received();
    this.requireReady();
    if (!req.tokenized) throw OpenAIError.badRequest('EmbedRequest needs `tokenized` input.', 'tokenized');
    const { tokenIds } = promptOf(req, this.tokenizer);
    if (tokenIds.length === 0) throw OpenAIError.badRequest('The prompt cannot be empty: `tokenized.input_ids` has no tokens.', 'input_ids');
    if (tokenIds.length > this.served.maxModelLen) {
      throw OpenAIError.badRequest(
        `This model's maximum context length is ${this.served.maxModelLen} tokens. However, your request has ${tokenIds.length} input tokens. Please reduce the length of the input messages.`,
        'input_ids',
      );
    }
    return { embedding: embedTokens(tokenIds), prompt_tokens: tokenIds.length, embedding_dim: EMBEDDING_DIM };
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

  /**
   * The fault decision for one Generate call (docs/admin.md, Faults), from the same FaultsService as the
   * HTTP doors (rules with `route: "grpc"`, or `x-simulate-fault` metadata). Error faults carry the
   * `OpenAIError` mapped to a gRPC code; `disconnect` and `stream_abort` cancel the call.
   */
  private decideFault(ctx: FaultContext): FaultDecision | null {
    return this.faults.decide(ctx);
  }

  private async start(
    requestId: string,
    work: GenerateWork,
    fault: FaultDecision | null,
    stream: boolean,
    subscriber: Subscriber<GenerateResponse>,
  ): Promise<Generation | undefined> {
    const streamAbort = StreamAbortCounter.of(fault);
    let generation: Generation | undefined;
    const complete = (choice: Choice, finishReason: string): GenerateComplete => ({
      output_ids: choice.plan.tokenIds.slice(0, choice.generated),
      finish_reason: finishReason,
      prompt_tokens: choice.promptTokens,
      completion_tokens: choice.generated,
      cached_tokens: choice.outcome?.cachedTokens ?? 0,
    });
    try {
      generation = await this.generation.start(
        {
          requestId,
          origin: 'grpc',
          n: work.n,
          maxTokensParam: work.maxTokensParam,
          slowdown: fault?.type === 'slow' ? fault.factor : undefined,
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
        },
        {
          onTokens: (choice, event) => {
            if (subscriber.closed) return;
            if (stream) {
              subscriber.next({
                chunk: { token_ids: [...event.tokenIds], prompt_tokens: choice.promptTokens, completion_tokens: event.generated, cached_tokens: 0 },
              });
            }
            // stream_abort: cut the call after N tokens, as a dropped stream (CANCELLED).
            if (streamAbort?.add(event.tokenIds.length)) {
              subscriber.error(new RpcException({ code: GrpcStatus.CANCELLED, message: fault?.error?.message ?? 'Stream aborted (simulated fault).' }));
              queueMicrotask(() => generation?.abort());
            }
          },
          onChoiceFinished: (choice, outcome) => {
            if (!subscriber.closed) subscriber.next({ complete: complete(choice, outcome.finishReason) });
          },
        },
      );
      return generation;
    } catch (err) {
      subscriber.error(err);
      return undefined;
    }
  }

  private requireReady(): void {
    if (this.lifecycle.ready) return;
    throw OpenAIError.notServing(this.lifecycle.draining);
  }

  private received(): void {
    this.lastReceive = Date.now() / 1000;
  }
}
