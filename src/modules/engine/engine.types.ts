import { Millis } from './clock';
import type { BlockDigest } from './vllm-block-hash';

/** vLLM's finished reasons as counted by `vllm:request_success_total{finished_reason}`. */
export const FINISH_REASONS = ['stop', 'length', 'abort', 'error', 'cache_threshold'] as const;
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
  /** The LoRA adapter the request runs with (its blocks hash apart from the base model's). */
  lora?: LoraRef;
  /**
   * The prompt's KV was computed by a remote prefill instance (P/D disaggregation, `do_remote_prefill`):
   * the engine pulls it over the KV transfer link instead of computing it, then computes only the last
   * prompt token, as vLLM's NIXL connector does.
   */
  remotePrefill?: boolean;
  /** Report the ids of the request's full blocks in its outcome (the prefill side of P/D hands them to the decoder). */
  reportBlocks?: boolean;
  /**
   * llm-d's cache_hit_threshold: when the prefix cache holds less than this share of the prompt at
   * arrival, the request ends at once with `cache_threshold`, nothing computed.
   */
  cacheHitThreshold?: number;
}

/** A LoRA adapter as the engine sees it: vLLM's lora_int_id and lora_name, and what activating it costs. */
export interface LoraRef {
  id: number;
  name: string;
  /** Copying its weights into a GPU slot (ms, at latency scale 1). */
  gpuLoadMs: number;
  /** Reading it from storage when it has left the CPU cache (ms, at latency scale 1). */
  diskLoadMs: number;
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
  /** Prompt tokens whose KV came over the transfer link (P/D decode side); absent or 0 otherwise. */
  transferredTokens?: number;
  /** Ids of the request's full blocks when it ended, for requests that asked (`reportBlocks`). */
  blockIds?: number[];
  lora?: string;
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
  /** Of the waiting: held back by a constraint rather than by capacity (LoRA budget, KV transfer in flight). */
  waitingDeferred: number;
  /** KV cache usage after the step, 0..1. */
  kvCacheUsage: number;
}

export interface PrefixCacheEvent {
  /** Prompt tokens looked up in the prefix cache. */
  queries: number;
  hits: number;
}

/** A request's prompt, by where its KV came from, when its prefill is scheduled (vLLM's PromptTokenStats). */
export interface PromptSourcesEvent {
  requestId: string;
  promptTokens: number;
  /** Served from the local prefix cache. */
  localCacheHit: number;
  /** Pulled from a remote prefill instance. */
  externalTransfer: number;
  /** Computed here. */
  computed: number;
  /** Cached tokens recomputed anyway (the last prompt token when the whole prompt was cached). */
  recomputed: number;
}

/** A finished KV transfer from a remote prefill instance. */
export interface KvTransferEvent {
  requestId: string;
  tokens: number;
  bytes: number;
  startTime: Millis;
  endTime: Millis;
}

/** A full block entered the prefix cache (vLLM's BlockStored KV event). */
export interface BlockStoredEvent {
  /** The block's chained hash (of its tokens and every block before it). */
  hash: number;
  /** The hash of the block before it in its sequence; null for a sequence's first block. */
  parentHash: number | null;
  /** vLLM's own hash of the block (set when the engine computes them: KV events on). */
  digest?: BlockDigest;
  parentDigest?: BlockDigest | null;
  tokenIds: readonly number[];
  blockSize: number;
  /** The adapter the block was computed with, if any. */
  lora?: { id: number; name: string };
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
  blockRemoved: { hash: number; digest?: BlockDigest; time: Millis };
  /** The prefix cache was reset: every cached block forgot its prefix (vLLM's AllBlocksCleared). */
  cacheCleared: { time: Millis };
  promptSources: PromptSourcesEvent;
  kvTransfer: KvTransferEvent;
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
  /** Every request waiting, deferred ones included. */
  waiting: number;
  /** Waiting on a constraint (LoRA budget, KV transfer in flight) rather than on capacity. */
  waitingDeferred: number;
  kvCacheUsage: number;
  kvCacheBlocks: number;
}

/** Which adapters have requests running and waiting (vLLM's lora_requests_info labels). */
export interface LoraState {
  running: string[];
  waiting: string[];
}
