import type { ApiError } from '../api/api-error';
import type { LoraRef, RequestOutcome, TokenEvent } from '../engine/engine.types';
import type { Exchange } from './exchange';
import type { Tokenizer } from '../tokenizer/tokenizer.types';
import type { Choice, Generation, PromptSpec } from './generation';
import type { ReplyRequest } from '../responses/responses.types';

/** What a door translated its wire request into: what to generate, for which model. */
export interface InferenceWork {
  /** The served model name the request resolved to. */
  model: string;
  prompts: readonly PromptSpec[];
  n: number;
  /** max_tokens as the client sent it (or its default), for metrics. */
  maxTokensParam: number;
  /** The model's tokenizer, which plans its replies (default: the app's, of the first model). */
  tokenizer?: Tokenizer;
  /** The LoRA adapter the request names as its model. */
  lora?: LoraRef;
  /** P/D decode side: the prompt's KV comes from a remote prefill. */
  remotePrefill?: boolean;
  /** P/D prefill side: the outcome carries the request's full blocks, for the decoder. */
  reportBlocks?: boolean;
  /** llm-d's cache_hit_threshold (0..1): below this prefix-cache hit rate the request ends at once (`cache_threshold`). */
  cacheHitThreshold?: number;
}

/**
 * The work of a one-answer conversation request (Messages, Responses): one prompt, one choice,
 * its reply planned from `reply` (everything but the choice index, which the pipeline gives).
 */
export function conversationWork(work: {
  model: string;
  lora?: LoraRef;
  tokenizer: Tokenizer;
  promptTokenIds: readonly number[];
  maxTokens: number;
  reply: Omit<ReplyRequest, 'choiceIndex'>;
}): InferenceWork {
  const out: InferenceWork = {
    model: work.model,
    n: 1,
    maxTokensParam: work.maxTokens,
    tokenizer: work.tokenizer,
    prompts: [{ tokenIds: work.promptTokenIds, reply: (choiceIndex: number): ReplyRequest => Object.assign({ choiceIndex }, work.reply) }],
  };
  if (work.lora) out.lora = work.lora;
  return out;
}

/** One door-neutral inference request: the work, the exchange it belongs to, a fault it asks for. */
export interface InferenceRequest extends InferenceWork {
  exchange: Exchange;
  /** `x-simulate-fault` (HTTP header, gRPC metadata): a fault for this request only. */
  faultRequested?: string;
}

/** The door's view of its client: whether it is still there. */
export interface ClientPresence {
  readonly gone: boolean;
  /** Calls `fn` once the client is gone (at once if it is); returns a function that cancels it. */
  onGone(fn: () => void): () => void;
}

/** What a door does with a generation's events: write them in its wire format. */
export interface GenerationSink {
  /** The generation is in the engine: a door that streams opens its stream now. */
  started?(generation: Generation): void;
  onTokens?(choice: Choice, event: TokenEvent): void;
  onChoiceFinished?(choice: Choice, outcome: RequestOutcome): void;
  /** A `stream_abort` fault fired after the tokens just handed over: end the stream with `error` now. */
  cut?(error: ApiError): void;
}

/** How a request the pipeline took ended. Refusals (faults, limits, not serving) are thrown as ApiErrors instead. */
export type ServeOutcome =
  /** Every choice ended (stop, length, or an abort by the server: gRPC Abort, shutdown). */
  | { kind: 'finished'; generation: Generation; choices: Choice[] }
  /** A `stream_abort` fault cut it: before any token (no generation), or after `sink.cut`. */
  | { kind: 'cut'; error: ApiError; generation?: Generation }
  /** A `disconnect` fault: the door drops its connection without an answer. */
  | { kind: 'dropped' }
  /** The client left before the request started: nothing to answer. */
  | { kind: 'gone' };
