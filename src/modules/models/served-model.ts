import { ApiError } from '../api/api-error';
import { LoraRef } from '../engine/engine.types';
import { LoraAdapters } from './lora-adapters';
import type { PoolingFacts, PoolingTask } from '../benchmarks/catalog.types';

/** What a request's `model` resolved to: the name echoed in responses, and the adapter it runs with, if any. */
export interface ModelTarget {
  model: string;
  lora?: LoraRef;
}

/** What the served model does: generate text, or one of vLLM's pooling tasks. */
export type ServedTask = 'generate' | PoolingTask;

/**
 * vLLM's routes and the task each needs, with the API name of its refusal ("The model does not
 * support X API"). Embedding models also answer /score and /rerank (cosine of the embeddings),
 * cross-encoders (`score`) also /classify; any pooling model answers /pooling.
 */
const API_TASKS = {
  'Completions': ['generate'],
  'Chat Completions': ['generate'],
  'Responses': ['generate'],
  'Messages': ['generate'],
  'Embeddings': ['embed'],
  'Classification': ['classify', 'score'],
  'Score': ['embed', 'score'],
  'Rerank (Score)': ['embed', 'score'],
  'Pooling': ['embed', 'classify', 'score'],
} as const satisfies Record<string, readonly ServedTask[]>;

export type ServedApi = keyof typeof API_TASKS;

/** What clients know the served model by: names, context window, creation time, task, and its LoRA adapters. */
export class ServedModel {
  /** Unix seconds, as vLLM's `created` fields. */
  readonly created = Math.floor(Date.now() / 1000);

  constructor(
    /** Names clients may send; the first is echoed in responses. */
    readonly names: readonly string[],
    /** The `--model` value (`root` in /v1/models). */
    readonly root: string,
    readonly maxModelLen: number,
    readonly task: ServedTask = 'generate',
    /** The pooling facts of a pooling model (vector size, Matryoshka dimensions, labels). */
    readonly pooling?: PoolingFacts,
    /** Set when LoRA is on (`--enable-lora`). */
    readonly adapters?: LoraAdapters,
  ) {}

  get name(): string {
    return this.names[0];
  }

  /** The served name for a request's `model` field (a base name or an adapter's); unset means the default, as vLLM allows. */
  resolve(requested: string | undefined | null): string {
    return this.target(requested).model;
  }

  /** The served name, and the adapter when `model` names one (vLLM runs the request with its LoRARequest). */
  target(requested: string | undefined | null): ModelTarget {
    if (requested === undefined || requested === null || requested === '') return { model: this.name };
    if (this.names.includes(requested)) return { model: requested };
    const adapter = this.adapters?.get(requested);
    if (!adapter) throw ApiError.modelNotFound(requested);
    return { model: requested, lora: this.adapters!.ref(adapter) };
  }

  /** vLLM's 400 when a route's API needs a task the model has not (a chat request to an embedding model, ...). */
  require(api: ServedApi): void {
    if (!(API_TASKS[api] as readonly ServedTask[]).includes(this.task)) throw ApiError.badRequest(`The model does not support ${api} API`);
  }
}
