import { LoraRef } from './engine.types';

/**
 * Where a vLLM worker keeps LoRA adapters: `max_loras` slots on the GPU (what one batch can use)
 * and `max_cpu_loras` in host memory, each evicting its least recently used adapter. An adapter
 * entering a GPU slot is copied from host memory; one that had left host memory (more adapters
 * loaded than it holds) is first read from storage again. The step that needs it waits for both.
 */
export class LoraSlots {
  /** Least recently used first. */
  private readonly gpu: number[] = [];
  private readonly cpu: number[] = [];

  constructor(
    readonly maxLoras: number,
    readonly maxCpuLoras: number,
  ) {}

  /** An adapter was loaded (vLLM's add_lora at /v1/load_lora_adapter or start-up): it is in host memory. */
  add(id: number): void {
    touch(this.cpu, id, this.maxCpuLoras);
  }

  /** An adapter was unloaded: it leaves both caches. */
  remove(id: number): void {
    drop(this.gpu, id);
    drop(this.cpu, id);
  }

  /** Adapters in GPU slots, least recently used first (for tests and status). */
  get resident(): readonly number[] {
    return this.gpu;
  }

  /**
   * Makes `lora` resident for the step about to run; answers the wait it costs (ms at latency scale
   * 1, 0 when it is already there). `inUse`: adapters of the running batch, which are never evicted.
   */
  activate(lora: LoraRef, inUse: ReadonlySet<number>): number {
    if (this.gpu.includes(lora.id)) {
      touch(this.gpu, lora.id, this.maxLoras);
      touch(this.cpu, lora.id, this.maxCpuLoras);
      return 0;
    }
    const fromDisk = !this.cpu.includes(lora.id);
    touch(this.cpu, lora.id, this.maxCpuLoras);
    if (this.gpu.length >= this.maxLoras) {
      const victim = this.gpu.findIndex((id) => !inUse.has(id));
      if (victim >= 0) this.gpu.splice(victim, 1);
    }
    this.gpu.push(lora.id);
    return lora.gpuLoadMs + (fromDisk ? lora.diskLoadMs : 0);
  }
}

/** Moves `id` to the most recent end, dropping the least recent beyond `max`. */
function touch(list: number[], id: number, max: number): void {
  drop(list, id);
  list.push(id);
  while (list.length > max) list.shift();
}

function drop(list: number[], id: number): void {
  const at = list.indexOf(id);
  if (at >= 0) list.splice(at, 1);
}
