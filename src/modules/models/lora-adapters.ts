import { ApiError } from '../api/api-error';
import { LoraRef } from '../engine/engine.types';

/** A LoRA adapter as vLLM serves it: a name clients send as `model`, the path it came from, the base model it applies to. */
export interface LoraAdapter {
  name: string;
  path: string;
  /** The served name of the base model (vLLM's base_model_name, default the first served name). */
  base: string;
  /** vLLM's lora_int_id: 1, 2, ... in load order. */
  id: number;
  created: number;
}

/** What loading an adapter costs, from its size: copied into a GPU slot over PCIe, read from storage into host memory. */
export interface LoraCosts {
  /** Bytes of one adapter on one GPU. */
  bytesPerGpu: number;
  pcieBytesPerS: number;
  storageBytesPerS: number;
  /** Fixed cost of opening and parsing an adapter's files (ms). */
  openMs: number;
}

/** A PCIe Gen4 x16 link and a local NVMe disk. */
export const DEFAULT_LORA_COSTS: Omit<LoraCosts, 'bytesPerGpu'> = { pcieBytesPerS: 25e9, storageBytesPerS: 2e9, openMs: 10 };

/** A `--lora-modules` entry, `name=path` or JSON `{"name", "path", "base_model_name"}`; throws a message for a malformed one. */
export function parseLoraModule(text: string): { name: string; path: string; base?: string } {
  const t = text.trim();
  if (t.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch {
      throw new Error(`--lora-modules entry ${t} is not valid JSON`);
    }
    const v = value as { name?: unknown; path?: unknown; base_model_name?: unknown };
    if (typeof v.name !== 'string' || v.name === '' || typeof v.path !== 'string' || v.path === '') {
      throw new Error(`--lora-modules entry ${t} needs "name" and "path" (strings)`);
    }
    if (v.base_model_name !== undefined && v.base_model_name !== null && typeof v.base_model_name !== 'string') {
      throw new Error(`--lora-modules entry ${t}: "base_model_name" must be a string`);
    }
    return { name: v.name, path: v.path, ...(typeof v.base_model_name === 'string' ? { base: v.base_model_name } : {}) };
  }
  const eq = t.indexOf('=');
  if (eq <= 0 || eq === t.length - 1) throw new Error(`--lora-modules entry '${t}' is neither name=path nor JSON`);
  return { name: t.slice(0, eq), path: t.slice(eq + 1) };
}

/**
 * The LoRA adapters loaded (vLLM's OpenAIServingModels.lora_requests): loaded at start-up from
 * `--lora-modules` and at run time through /v1/load_lora_adapter, each an entry that points at a
 * base model. Names are unique across adapters and base models. Bounded: at most `maxAdapters`.
 */
export class LoraAdapters {
  private readonly byName = new Map<string, LoraAdapter>();
  private nextId = 1;

  constructor(
    private readonly baseNames: readonly string[],
    private readonly costs: LoraCosts,
    readonly maxAdapters: number,
    /** Told of every adapter loaded and unloaded (the engine keeps it in host memory). */
    private readonly listener?: { added(id: number): void; removed(id: number): void },
    /** Names of the other served models (--add-model): no adapter may take them. */
    private readonly reserved: readonly string[] = [],
  ) {}

  list(): LoraAdapter[] {
    return [...this.byName.values()];
  }

  get(name: string): LoraAdapter | undefined {
    return this.byName.get(name);
  }

  /** What the engine needs to run a request with the adapter. */
  ref(adapter: LoraAdapter): LoraRef {
    const c = this.costs;
    return {
      id: adapter.id,
      name: adapter.name,
      gpuLoadMs: (c.bytesPerGpu / c.pcieBytesPerS) * 1000,
      diskLoadMs: c.openMs + (c.bytesPerGpu / c.storageBytesPerS) * 1000,
    };
  }

  /** Reading an adapter from storage (ms at latency scale 1): what /v1/load_lora_adapter waits before it answers. */
  get loadMs(): number {
    return this.costs.openMs + (this.costs.bytesPerGpu / this.costs.storageBytesPerS) * 1000;
  }

  /** vLLM's checks and messages (`_check_load_lora_adapter_request`). */
  load(name: string | undefined, path: string | undefined, base?: string): LoraAdapter {
    if (!name || !path) throw new ApiError(400, "Both 'lora_name' and 'lora_path' must be provided.", null, 'InvalidUserInput');
    if (this.byName.has(name)) throw new ApiError(400, `The lora adapter '${name}' has already been loaded.`, null, 'InvalidUserInput');
    if (this.baseNames.includes(name) || this.reserved.includes(name)) throw new ApiError(400, `The name '${name}' is a served model name, not an adapter's.`, 'lora_name', 'InvalidUserInput');
    if (this.byName.size >= this.maxAdapters) {
      throw new ApiError(400, `At most ${this.maxAdapters} LoRA adapters can be loaded; unload one first.`, 'lora_name', 'InvalidUserInput');
    }
    const adapter: LoraAdapter = {
      name,
      path,
      base: base !== undefined && this.baseNames.includes(base) ? base : this.baseNames[0],
      id: this.nextId++,
      created: Math.floor(Date.now() / 1000),
    };
    this.byName.set(name, adapter);
    this.listener?.added(adapter.id);
    return adapter;
  }

  /** vLLM's checks and messages (`_check_unload_lora_adapter_request`). */
  unload(name: string | undefined, intId?: number): LoraAdapter {
    const adapter = name ? this.byName.get(name) : [...this.byName.values()].find((a) => a.id === intId);
    if (!name && intId === undefined) throw new ApiError(400, "either 'lora_name' and 'lora_int_id' needs to be provided.", null, 'InvalidUserInput');
    if (!adapter) throw new ApiError(404, `The lora adapter '${name ?? intId}' cannot be found.`, null, 'NotFoundError');
    this.byName.delete(adapter.name);
    this.listener?.removed(adapter.id);
    return adapter;
  }
}
