import { Millis } from './clock';

/** vLLM's finished reasons as counted by `vllm:request_success_total{finished_reason}`. */
export const FINISH_REASONS = ['stop', 'length', 'abort', 'error'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

/**
 * One sequence to generate. The doors decide *what* is said (the Responses module plans the
 * tokens, already cut at stop strings and max_tokens); the engine decides *when* each token leaves.
 */
export interface GenerationRequest {
  /** Unique among requests in flight (the door's request id, with `-<index>` per choice when n > 1). */
  id: string;
  promptTokenIds: readonly number[];
  /** The tokens this sequence produces if it runs to the end. */
  outputTokenIds: readonly number[];
  /** Reported when every output token was produced: `stop` (EOS or stop string) or `length`. */
  finishReason: 'stop' | 'length';
  /** The request's max_tokens (for `vllm:request_params_max_tokens`). */
  maxTokens: number;
  /** The request's n (for `vllm:request_params_n`, observed once per group). */
  n: number;
  /** The n sequences of one prompt share a group (vLLM's parent request); undefined when n = 1. */
  group?: string;
  /** Which door it came through: "http" | "grpc" (for logs; metrics do not split on it). */
  origin?: string;
  /** Multiplies this sequence's share of time (fault `slow`): it advances one token every `slowdown` steps. */
  slowdown?: number;
}

export interface TokenEvent {
  requestId: string;
  /** Tokens released at this step (one per step for a decode). */
  tokenIds: readonly number[];
  /** Output tokens produced so far, including these. */
  generated: number;
  time: Millis;
  /** Milliseconds since the request's previous token (undefined for the first token). */
  interTokenMs?: number;
}

/** Everything known about a request when it ends; metrics and the request log read it. */
export interface RequestOutcome {
  requestId: string;
  finishReason: FinishReason;
  promptTokens: number;
  generatedTokens: number;
  /** Prompt tokens served from the prefix cache on first admission. */
  cachedTokens: number;
  maxTokens: number;
  n: number;
  group?: string;
  origin?: string;
  arrivalTime: Millis;
  /** First admission to the running batch (undefined if it never left the queue). */
  scheduledTime?: Millis;
  firstTokenTime?: Millis;
  finishedTime: Millis;
  numPreemptions: number;
}

export interface StepEvent {
  startTime: Millis;
  endTime: Millis;
  /** Prompt tokens computed (chunked prefill, recompute after preemption). */
  prefillTokens: number;
  decodeSeqs: number;
  /** prefillTokens + decodeSeqs: what `vllm:iteration_tokens_total` observes. */
  totalTokens: number;
  running: number;
  waiting: number;
  /** KV cache usage after the step, 0..1. */
  kvCacheUsage: number;
}

export interface PrefixCacheEvent {
  /** Prompt tokens looked up in the prefix cache. */
  queries: number;
  hits: number;
}

/** A full block entered the prefix cache (vLLM's BlockStored KV event). */
export interface BlockStoredEvent {
  /** The block's chained hash (of its tokens and every block before it). */
  hash: number;
  /** The hash of the block before it in its sequence; null for a sequence's first block. */
  parentHash: number | null;
  tokenIds: readonly number[];
  blockSize: number;
  time: Millis;
}

/** Events of the whole engine, for observers (metrics, request log, KV events, status). */
export interface EngineEvents {
  queued: { requestId: string; promptTokens: number; time: Millis };
  scheduled: { requestId: string; time: Millis; resumed: boolean };
  tokens: TokenEvent;
  finished: RequestOutcome;
  step: StepEvent;
  /**
   * Every door has been handed the step's tokens (before the engine-wide `tokens` events). A door
   * that renders output first and writes it in one go afterwards writes now.
   */
  released: { time: Millis; tokens: number };
  prefixCache: PrefixCacheEvent;
  preempted: { requestId: string; time: Millis };
  blockStored: BlockStoredEvent;
  /** A cached block was reused for other tokens: its prefix left the cache (vLLM's BlockRemoved). */
  blockRemoved: { hash: number; time: Millis };
}

/** Callbacks for the door that submitted a request. Called synchronously at step boundaries. */
export interface GenerationObserver {
  onTokens(event: TokenEvent): void;
  onFinished(outcome: RequestOutcome): void;
}

export interface GenerationHandle {
  readonly requestId: string;
  /** Aborts the request (queued or running); frees its slot and KV blocks at once. */
  abort(): void;
}

export interface EngineState {
  running: number;
  waiting: number;
  kvCacheUsage: number;
  kvCacheBlocks: number;
}
