import { Inject, Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { isResponseOver, onResponseOver } from '../../common/response-over';
import { stringifySliced } from '../../common/sliced-json';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { StreamedUsage, Usage, usage, usageOf, withoutUnsetDetails } from '../api/usage';
import { RequestOutcome, TokenEvent } from '../engine/engine.types';
import { Exchanges } from '../generation/exchange';
import { Choice, Generation } from '../generation/generation';
import { GenerationService } from '../generation/generation.service';
import { ClientPresence, GenerationSink, InferenceRequest, InferenceWork } from '../generation/inference-request';
import { SamplingDto } from './dto/sampling.dto';
import { toApiError } from './exception.filter';
import { exchangeOf } from './http-hooks';
import { SseStream, SseWriter } from './sse';

/** The request header that asks for one fault for this request only. */
const FAULT_HEADER = 'x-simulate-fault';
/** llm-d-inference-sim's: answer this request with this status code, deterministically. */
const RETURN_ERROR_HEADER = 'x-return-error';
/** llm-d-inference-sim's: end this request at once with finish_reason cache_threshold. */
const CACHE_THRESHOLD_HEADER = 'x-cache-threshold-finish-reason';

/** The error `X-Return-Error: <status>` asks for; a value that is not a 4xx/5xx status is the client's mistake (400). */
function returnedError(value: string): ApiError {
  const code = /^\s*\d{3}\s*$/.test(value) ? Number(value) : NaN;
  if (!(code >= 400 && code <= 599)) {
    return ApiError.badRequest(`Invalid X-Return-Error header value ${JSON.stringify(value.slice(0, 64))}: must be an HTTP error status (400-599)`, 'x-return-error');
  }
  return new ApiError(code, `Simulated error triggered by X-Return-Error header (code ${code})`);
}

/** How one route family renders a generation: chunk and body shapes. */
export interface Renderer {
  /** Sees every token event of a non-streamed request, so work for the body can be done as it comes. */
  observe?(choice: Choice, event: TokenEvent): void;
  /** Chunks for tokens of one choice; `last` when they end the choice. */
  tokenChunks(choice: Choice, event: TokenEvent, last: boolean, usage: Usage | undefined): object[];
  /**
   * Chunks for a choice that ended without a token carrying its finish reason (an empty reply, or a
   * server-side abort): what a first token would have opened with (chat's role chunk), then the
   * chunk with `outcome.finishReason`, always last (left out for a choice aborted before any token).
   */
  finishChunks(choice: Choice, outcome: RequestOutcome, usage: Usage | undefined): object[];
  /** The final usage chunk (vLLM dumps it with exclude_none: no null details). */
  usageChunk(usage: StreamedUsage): object;
  body(choices: readonly Choice[], usage: Usage): object;
  /** Events a stream opens with, before any token (the Responses API's `response.created`). */
  startChunks?(): object[];
  /** Events a stream ends with after its last choice, before the end line (the Responses API's `response.completed`). */
  endChunks?(choices: readonly Choice[], usage: Usage): object[];
  /** The SSE `event:` name of a chunk (the Responses and Messages APIs name every event); none by default. */
  eventName?(chunk: object): string | undefined;
  /** Whether the stream ends with `data: [DONE]` (default true; the Responses API has none). */
  readonly doneLine?: boolean;
  /** The error event of a stream cut after it started (default: vLLM's error body). */
  errorChunk?(error: ApiError): object;
}

/** What an HTTP inference route translated its request into, and how it answers. */
export interface HttpInferenceCall {
  work: InferenceWork;
  renderer: Renderer;
  stream: boolean;
  includeUsage: boolean;
  continuousUsage: boolean;
}

/** How a request asked to be answered: vLLM's `stream` and `stream_options`. */
export function streamingOf(dto: SamplingDto): Pick<HttpInferenceCall, 'stream' | 'includeUsage' | 'continuousUsage'> {
  return {
    stream: dto.stream === true,
    includeUsage: dto.stream_options?.include_usage === true,
    continuousUsage: dto.stream_options?.continuous_usage_stats === true,
  };
}

/** The HTTP client as the pipeline sees it: gone once its response can no longer reach it. */
function presenceOf(reply: FastifyReply): ClientPresence {
  return {
    get gone() {
      return isResponseOver(reply.raw);
    },
    onGone: (fn) => onResponseOver(reply.raw, fn),
  };
}

function headerOf(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The HTTP door of the pipeline: hands an inference route's request to GenerationService and
 * writes what comes back as vLLM does, a JSON body once every choice is done or an SSE stream with
 * a chunk per engine step.
 */
@Injectable()
export class HttpResponder {
  constructor(
    private readonly generation: GenerationService,
    private readonly exchanges: Exchanges,
    private readonly sse: SseWriter,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  respond(reply: FastifyReply, call: HttpInferenceCall): Promise<object | string | void> {
    const returnError = headerOf(reply.request, RETURN_ERROR_HEADER);
    if (returnError !== undefined) return Promise.reject(returnedError(returnError));
    const exchange = exchangeOf(reply.request) ?? this.exchanges.open({ id: reply.request.id, origin: 'http', route: reply.request.url, kind: 'inference' });
    const forceThreshold = headerOf(reply.request, CACHE_THRESHOLD_HEADER)?.trim().toLowerCase() === 'true';
    // Object.assign, not a spread: V8 builds `{ ...a, b }` through a slow runtime call.
    const request: InferenceRequest = Object.assign({}, call.work, { exchange, faultRequested: headerOf(reply.request, FAULT_HEADER) });
    if (forceThreshold) request.cacheHitThreshold = Infinity;
    return call.stream ? this.stream(reply, request, call) : this.answer(reply, request, call);
  }

  private usageOf(choices: readonly Choice[]): Usage {
    return usageOf(choices, this.settings.enable_prompt_tokens_details);
  }

  /** A JSON body once every choice is done. */
  private async answer(reply: FastifyReply, request: InferenceRequest, call: HttpInferenceCall): Promise<object | string | void> {
    const outcome = await this.generation.serve(request, presenceOf(reply), { onTokens: (choice, event) => call.renderer.observe?.(choice, event) });
    switch (outcome.kind) {
      case 'gone':
        reply.hijack();
        return;
      case 'dropped':
        drop(reply);
        return;
      case 'cut':
        throw outcome.error;
      case 'finished': {
        // A server-side abort (gRPC Abort, shutdown past the grace period) still answers 200:
        // vLLM's final output carries what was generated and finish_reason "abort". A large body
        // (many choices, logprobs) is serialized in slices, never in one long turn.
        const body = await stringifySliced(call.renderer.body(outcome.choices, this.usageOf(outcome.choices)));
        void reply.header('content-type', 'application/json; charset=utf-8');
        return body;
      }
    }
  }

  /**
   * An SSE stream, opened once the request is in the engine (until then a refusal is a plain JSON
   * error). A client that does not read holds its stream back: while its socket has more than the
   * bound waiting, nothing more is rendered for it, and what the engine produces meanwhile goes out
   * as one merged chunk per choice once the socket drains, as vLLM's output collector merges the
   * outputs of a slow reader. So a stalled client costs a bounded buffer, never one per token.
   */
  private async stream(reply: FastifyReply, request: InferenceRequest, call: HttpInferenceCall): Promise<void> {
    const { renderer } = call;
    const choiceUsage = (choice: Choice): Usage | undefined => (call.continuousUsage ? usage(choice.promptTokens, choice.generated, null) : undefined);
    const sendAll = (stream: SseStream, chunks: object[]): void => {
      for (const chunk of chunks) stream.send(chunk, renderer.eventName?.(chunk));
    };
    let sse: SseStream | undefined;
    let generation: Generation | undefined;
    const sent = new Map<number, number>();
    const endings = new Map<number, RequestOutcome>();
    let waitingForDrain = false;
    let caughtUp: (() => void) | undefined;
    const renderTokens = (stream: SseStream, choice: Choice, upTo: number): void => {
      const from = sent.get(choice.index) ?? 0;
      if (upTo <= from) return;
      const event = { requestId: choice.engineId, tokenIds: choice.plan.tokenIds.slice(from, upTo), generated: upTo, time: 0 };
      sendAll(stream, renderer.tokenChunks(choice, event, upTo === choice.plan.tokenIds.length, choiceUsage(choice)));
      sent.set(choice.index, upTo);
    };
    const renderEnding = (stream: SseStream, choice: Choice, outcome: RequestOutcome): void => {
      const chunks = renderer.finishChunks(choice, outcome, choiceUsage(choice));
      // A server-side abort ends a choice that streamed tokens as vLLM does, with a chunk carrying
      // finish_reason "abort" (its opening chunk went with its first token). vLLM skips an output
      // with no tokens at all, so a choice aborted before its first token gets only the opening
      // (chat's role chunk) and no closing chunk; an empty reply that ended normally gets both.
      if (outcome.generatedTokens > 0) sendAll(stream, chunks.slice(-1));
      else sendAll(stream, outcome.finishReason === 'abort' ? chunks.slice(0, -1) : chunks);
    };
    const behind = (): boolean => endings.size > 0 || (generation?.choices.some((c) => (sent.get(c.index) ?? 0) < c.generated) ?? false);
    const catchUp = (): void => {
      waitingForDrain = false;
      if (!sse?.open || !generation) return caughtUp?.();
      for (const choice of generation.choices) {
        renderTokens(sse, choice, choice.generated);
        const ending = endings.get(choice.index);
        if (ending) {
          endings.delete(choice.index);
          renderEnding(sse, choice, ending);
        }
      }
      caughtUp?.();
    };
    const holdBack = (stream: SseStream): void => {
      if (waitingForDrain) return;
      waitingForDrain = true;
      stream.onDrain(catchUp);
    };
    const sink: GenerationSink = {
      // The engine's observers fire on a later turn of its clock, never inside submit: no token
      // event can come before the stream exists.
      started: (g) => {
        generation = g;
        sse = this.sse.open(reply, () => caughtUp?.(), this.settings.stream_buffer_kb * 1024);
        sendAll(sse, renderer.startChunks?.() ?? []);
      },
      onTokens: (choice, event) => {
        if (!sse?.open) return;
        if (waitingForDrain || sse.backlogged) holdBack(sse);
        else renderTokens(sse, choice, event.generated);
      },
      onChoiceFinished: (choice, outcome) => {
        // Not open: the client left (nothing to send), or the stream was already cut.
        if (!sse?.open || (outcome.finishReason !== 'abort' && outcome.generatedTokens > 0)) return;
        if (waitingForDrain || sse.backlogged || (sent.get(choice.index) ?? 0) < choice.generated) {
          endings.set(choice.index, outcome);
          holdBack(sse);
        } else {
          renderEnding(sse, choice, outcome);
        }
      },
      cut: (error) => {
        if (sse?.open) sendError(sse, error, renderer);
      },
    };
    const outcome = await this.generation.serve(request, presenceOf(reply), sink);
    switch (outcome.kind) {
      case 'gone':
        if (!sse) reply.hijack();
        return;
      case 'dropped':
        drop(reply);
        return;
      case 'cut':
        // Cut before any token: nothing was started, the stream opens only to carry the error.
        if (!sse) sendError(this.sse.open(reply, () => undefined), outcome.error, renderer);
        return;
      case 'finished':
        break;
    }
    const stream = sse!;
    // What a slow reader has not taken yet goes before the usage and [DONE].
    if (stream.open && behind()) await new Promise<void>((resolve) => (caughtUp = resolve));
    if (!stream.open) return;
    if (call.includeUsage) sendAll(stream, [renderer.usageChunk(withoutUnsetDetails(this.usageOf(outcome.choices)))]);
    sendAll(stream, renderer.endChunks?.(outcome.choices, this.usageOf(outcome.choices)) ?? []);
    stream.done(renderer.doneLine !== false);
  }
}

/** Closes the connection without an answer (the `disconnect` fault). */
function drop(reply: FastifyReply): void {
  reply.hijack();
  reply.raw.destroy();
}

/** An error after the stream started: vLLM sends it as a data event, then [DONE]. */
function sendError(sse: SseStream, err: unknown, renderer: Renderer): void {
  const error = toApiError(err);
  const chunk = renderer.errorChunk?.(error) ?? error.toBody();
  sse.send(chunk, renderer.eventName?.(chunk));
  sse.done(renderer.doneLine !== false);
}

