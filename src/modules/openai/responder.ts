import { FastifyReply } from 'fastify';
import { stringifySliced } from '../../common/sliced-json';
import { onResponseOver } from '../../common/response-over';
import { RequestOutcome, TokenEvent } from '../engine/engine.types';
import type { FaultDecision } from '../faults/faults.service';
import { StreamAbortCounter } from '../faults/stream-abort';
import { Choice, Generation, GenerationListener } from '../generation/generation.service';
import { ApiError } from '../api/api-error';
import { toApiError } from './openai-exception.filter';
import { SseStream } from './sse';
import { StreamedUsage, Usage, usage, usageOf, withoutUnsetDetails } from '../api/usage';

/** How one OpenAI route renders a generation: chunk and body shapes. */
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
}

export interface ResponderOptions {
  stream: boolean;
  includeUsage: boolean;
  continuousUsage: boolean;
  /** Report prompt_tokens_details (cached tokens): vLLM's --enable-prompt-tokens-details. */
  promptDetails: boolean;
  /** The fault decided for this request (FaultsService), applied here for both OpenAI routes. */
  fault?: FaultDecision | null;
  /** Subscribes to the server's stop (ServerLoad.onCutOff): a held request ends then. */
  onCutOff?: (fn: () => void) => () => void;
  /** Bytes a stream may have waiting for its client before its chunks are held back and merged. */
  streamBufferBytes?: number;
}

/**
 * Serves a generation as vLLM does: a JSON body once every choice is done, or an SSE stream with a
 * chunk per engine step. A client that leaves aborts the generation at once (its engine slots free).
 */
export async function respond(
  reply: FastifyReply,
  options: ResponderOptions,
  start: (listener: GenerationListener) => Promise<Generation>,
  renderer: Renderer,
): Promise<object | string | void> {
  const fault = options.fault ?? null;
  if (fault && !(await applyFaultBeforeStart(reply, fault, options.onCutOff))) return;
  const streamAbort = StreamAbortCounter.of(fault);

  if (!options.stream) {
    let cut = false;
    // A refusal at submission (EngineRefusal) goes to the exception filter, which maps it.
    const generation: Generation = await start({
      onTokens: (choice, event) => {
        renderer.observe?.(choice, event);
        if (!streamAbort?.add(event.tokenIds.length)) return;
        cut = true;
        queueMicrotask(() => generation.abort());
      },
    });
    const stopWatching = onResponseOver(reply.raw, () => {
      if (!generation.done) generation.abort();
    });
    const choices = await generation.finished;
    stopWatching();
    if (cut && fault?.error) throw fault.error;
    // A server-side abort (gRPC Abort, shutdown past the grace period) still answers 200: vLLM's
    // final output carries what was generated and finish_reason "abort".
    // A large body (many choices, logprobs) is serialized in slices, never in one long turn.
    const body = await stringifySliced(renderer.body(choices, usageOf(choices, options.promptDetails)));
    void reply.header('content-type', 'application/json; charset=utf-8');
    return body;
  }

  // Created once the request is in the engine: until then a failure is a plain JSON error.
  let sse: SseStream | undefined = undefined;
  const cutStream = (stream: SseStream): void => sendError(stream, fault?.error ?? new ApiError(500, 'The stream was aborted.'));
  if (streamAbort && streamAbort.afterTokens <= 0) {
    cutStream(new SseStream(reply, () => undefined));
    return;
  }
  const choiceUsage = (choice: Choice): Usage | undefined =>
    options.continuousUsage ? usage(choice.promptTokens, choice.generated, null) : undefined;
  const sendAll = (stream: SseStream, chunks: object[]): void => {
    for (const chunk of chunks) stream.send(chunk);
  };
  // A client that does not read holds its stream back: while its socket has more than the bound
  // waiting, nothing more is rendered for it, and what the engine produces meanwhile goes out as
  // one merged chunk per choice once the socket drains, as vLLM's output collector merges the
  // outputs of a slow reader. So a stalled client costs a bounded buffer, never one per token.
  const sent = new Map<number, number>();
  const endings = new Map<number, RequestOutcome>();
  let waitingForDrain = false;
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
  let caughtUp: (() => void) | undefined;
  const behind = (): boolean => endings.size > 0 || generation.choices.some((c) => (sent.get(c.index) ?? 0) < c.generated);
  const catchUp = (): void => {
    waitingForDrain = false;
    if (!sse?.open) return caughtUp?.();
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
  // A refusal at submission throws before anything is written: the exception filter answers with
  // the status and vLLM's JSON error.
  const generation: Generation = await start({
    onTokens: (choice, event) => {
      if (!sse?.open) return;
      if (waitingForDrain || sse.backlogged) holdBack(sse);
      else renderTokens(sse, choice, event.generated);
      if (streamAbort?.add(event.tokenIds.length)) {
        cutStream(sse);
        queueMicrotask(() => generation.abort());
      }
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
  });
  // The engine's observers fire on a later turn of its clock, never inside submit: no token event
  // can come before the stream exists.
  sse = new SseStream(reply, () => {
    generation.abort();
    caughtUp?.();
  }, options.streamBufferBytes);
  const choices = await generation.finished;
  // What a slow reader has not taken yet goes before the usage and [DONE].
  if (sse.open && behind()) await new Promise<void>((resolve) => (caughtUp = resolve));
  if (!sse.open) return;
  if (options.includeUsage) sse.send(renderer.usageChunk(withoutUnsetDetails(usageOf(choices, options.promptDetails))));
  sse.done();
}

/**
 * Faults that act before any work starts: errors answer at once (mapped by the exception filter),
 * `disconnect` drops the connection, `timeout` holds the request first. False when the request
 * ends here without an answer (connection dropped, client gone).
 */
async function applyFaultBeforeStart(
  reply: FastifyReply,
  fault: FaultDecision,
  onCutOff: ResponderOptions['onCutOff'] = () => () => undefined,
): Promise<boolean> {
  switch (fault.type) {
    case 'disconnect':
      reply.hijack();
      reply.raw.destroy();
      return false;
    case 'timeout': {
      const held = await hold(reply, fault.delayMs, onCutOff);
      if (held === 'gone') return false;
      // The server stopped while it held the request: it never reaches the engine.
      if (held === 'cut') throw ApiError.notServing(true);
      if (fault.then === 'error' && fault.error) throw fault.error;
      return true;
    }
    case 'slow':
    case 'stream_abort':
      return true;
    default:
      if (fault.error) throw fault.error;
      return true;
  }
}

/** Waits `ms`, unless the client leaves or the server stops first. */
function hold(reply: FastifyReply, ms: number, onCutOff: (fn: () => void) => () => void): Promise<'elapsed' | 'gone' | 'cut'> {
  return new Promise((resolve) => {
    const stops: (() => void)[] = [];
    let settled = false;
    const settle = (how: 'elapsed' | 'gone' | 'cut'): void => {
      if (settled) return;
      settled = true;
      for (const stop of stops.splice(0)) stop();
      resolve(how);
    };
    // A watch that fired at once (client already gone) leaves nothing for the later ones to wait for.
    const keep = (stop: () => void): void => (settled ? stop() : void stops.push(stop));
    const timer = setTimeout(() => settle('elapsed'), ms);
    keep(() => clearTimeout(timer));
    keep(onResponseOver(reply.raw, () => settle('gone')));
    keep(onCutOff(() => settle('cut')));
  });
}

/** An error after the stream started: vLLM sends it as a data event, then [DONE]. */
export function sendError(sse: SseStream, err: unknown): void {
  sse.send(toApiError(err).toBody());
  sse.done();
}
