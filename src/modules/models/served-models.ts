import { ApiError } from '../api/api-error';
import type { Settings } from '../../config/settings';
import type { PerformanceProfile } from '../benchmarks/profile.types';
import type { Engine } from '../engine/engine';
import type { Tokenizer } from '../tokenizer/tokenizer.types';
import { ServedModel } from './served-model';

/** A model the server serves: how clients know it, its tokenizer, its engine and profile. */
export interface ModelEntry {
  served: ServedModel;
  tokenizer: Tokenizer;
  engine: Engine;
  profile: PerformanceProfile;
  /** The model's settings: the server's, with the model's own (reasoning parser, limits, GPU) over them. */
  settings: Settings;
}

/**
 * Every model of the server, routed by the request's `model`: the first (`--model`) answers a
 * request that names none, as vLLM's default; an unknown name is vLLM's 404. Each entry has its
 * own engine (KV cache, batch, steps) and tokenizer; doors translate with the entry's.
 */
export class ServedModels {
  private readonly byName = new Map<string, ModelEntry>();

  constructor(readonly entries: readonly ModelEntry[]) {
    for (const entry of entries) for (const name of entry.served.names) this.byName.set(name, entry);
  }

  get primary(): ModelEntry {
    return this.entries[0];
  }

  /**
   * The entry a request's `model` names (unset: the first model): a served name, or a LoRA
   * adapter's, served under its base model (the entry's `served.target()` gives the adapter).
   */
  route(requested: string | undefined | null): ModelEntry {
    if (requested === undefined || requested === null || requested === '') return this.primary;
    const entry = this.byName.get(requested) ?? this.entries.find((e) => e.served.adapters?.get(requested) !== undefined);
    if (!entry) throw ApiError.modelNotFound(requested);
    return entry;
  }

  /** The entry of a served name already resolved (not an adapter's). */
  of(servedName: string): ModelEntry | undefined {
    return this.byName.get(servedName);
  }
}
