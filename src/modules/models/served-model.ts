import { ApiError } from '../api/api-error';
import { LoraRef } from '../engine/engine.types';
import { LoraAdapters } from './lora-adapters';

/** What a request's `model` resolved to: the name echoed in responses, and the adapter it runs with, if any. */
export interface ModelTarget {
  model: string;
  lora?: LoraRef;
}

/** What clients know the served model by: names, context window, creation time, and its LoRA adapters. */
export class ServedModel {
  /** Unix seconds, as vLLM's `created` fields. */
  readonly created = Math.floor(Date.now() / 1000);

  constructor(
    /** Names clients may send; the first is echoed in responses. */
    readonly names: readonly string[],
    /** The `--model` value (`root` in /v1/models). */
    readonly root: string,
    readonly maxModelLen: number,
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
}
