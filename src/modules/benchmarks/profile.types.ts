import type { PoolingFacts } from './catalog.types';

/**
 * What one engine step computes. vLLM V1 mixes chunked prefills and decodes in one step, so a step
 * is described by its prefill tokens and its decodes rather than by a phase.
 */
export interface StepBatch {
  /** New prompt (or recomputed) tokens computed in this step, across all prefilling sequences. */
  prefillTokens: number;
  /** Tokens already in the KV cache for the prefilling sequences (attention reads them). */
  prefillContextTokens: number;
  /** Sequences that compute exactly one token (decode) in this step. */
  decodeSeqs: number;
  /** Sum of the context lengths of the decoding sequences (KV read by attention). */
  decodeContextTokens: number;
  /** Sequences prefilling in this step (a chunk each); absent = one. */
  prefillSeqs?: number;
  /**
   * Causal attention work of the prefill chunks: the sum over prefilling sequences of
   * chunk x (cached context + chunk / 2) query-key pairs; absent = one sequence holding all prefill tokens.
   */
  prefillAttentionTokens?: number;
}

/**
 * What vLLM does around the GPU steps, per release: how the engine core plans its steps and what a
 * request costs the API server before its first step (both feed TTFT, neither the steps' ITL).
 */
export interface EngineHostBehaviour {
  /**
   * vLLM's async scheduling (on by default since 0.14): the engine core plans step N+1 while step N
   * runs on the GPU, so a request that reaches the scheduler during step N joins step N+2.
   */
  asyncScheduling: boolean;
  /**
   * Time between a request reaching the server and reaching the engine core's scheduler, ms: the
   * API server's chat template and tokenizing, input processing and the IPC to the engine core.
   */
  frontendMs(promptTokens: number): number;
}

/** Time of one engine step, in milliseconds, at latency scale 1 and without jitter. */
export interface StepTimeModel {
  stepTimeMs(batch: StepBatch): number;
  /** Absent: a synchronous engine core that sees each request the moment it arrives. */
  readonly host?: EngineHostBehaviour;
}

/** Facts about the served model the engine and the doors need. */
export interface ModelFacts {
  id: string;
  /** Context window of the model as published (max_position_embeddings or similar). */
  contextLength: number;
  numParameters: number;
  numActiveParameters: number;
  vocabSize: number;
  /** Set for a pooling model (embeddings, rerankers, classifiers). */
  pooling?: PoolingFacts;
}

/**
 * Everything the engine needs to simulate the served configuration (model x GPU x TP), resolved
 * once at start-up by the Benchmarks module.
 */
export interface PerformanceProfile {
  model: ModelFacts;
  gpuId: string;
  tensorParallelSize: number;
  /** The derived (or calibrated) step time, before overrides, scale and jitter. */
  stepTime: StepTimeModel;
  /** KV cache capacity in blocks of `blockSize` tokens. */
  kvCacheBlocks: number;
  blockSize: number;
  /** max_num_seqs and max_num_batched_tokens as served: the settings, or vLLM's defaults for the GPU. */
  limits: { maxNumSeqs: number; maxNumBatchedTokens: number };
  /** Bytes of weights each GPU holds (what waking from sleep copies back). */
  weightsBytesPerGpu?: number;
  /** How the profile was obtained, for logs and /admin/status (e.g. "roofline fitted on 41 points"). */
  description: string;
  /** KV bytes of one token on one GPU (what a P/D transfer moves per token and GPU); absent where unknown. */
  kvBytesPerTokenPerGpu?: number;
  /** Bytes of a LoRA adapter of rank 1 on this model (all attention and MLP projections, 16-bit); scales with the rank. */
  loraBytesPerRank?: number;
}
