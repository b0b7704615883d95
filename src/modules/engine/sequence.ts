import { Millis } from './clock';
import { GenerationObserver, GenerationRequest } from './engine.types';
import { KvBlock } from './block-pool';
import type { BlockDigest } from './vllm-block-hash';

export type SequenceStatus = 'waiting' | 'running' | 'finished';

/** The engine's bookkeeping for one request (vLLM's `Request`). */
export class Sequence {
  status: SequenceStatus = 'waiting';
  /** Output tokens produced so far. */
  generated = 0;
  /** Tokens (prompt + generated) whose KV is computed. */
  numComputed = 0;
  blocks: KvBlock[] = [];
  /** Hashes of the full blocks computed so far (the prefix-cache chain). */
  blockHashes: number[] = [];
  /** vLLM's hashes of the same blocks, when the engine computes them (KV events on). */
  blockDigests: (BlockDigest | null)[] = [];
  cachedTokens = 0;
  /** Prompt tokens pulled from a remote prefill instance (P/D decode side). */
  transferredTokens = 0;
  /** Its KV transfer (P/D decode side): when it started and when it is done. */
  transferStartAt?: Millis;
  transferDoneAt?: Millis;
  /** Its blocks are held and its prompt's KV is in them (transfer done): admission only schedules the rest. */
  kvLoaded = false;
  /** The chain's seed: requests of different LoRA adapters never share cached blocks (vLLM's extra keys). */
  readonly hashSeed: number;
  numPreemptions = 0;
  scheduledTime?: Millis;
  firstTokenTime?: Millis;
  lastTokenTime?: Millis;
  /** Progress credit of a slowed-down sequence: it runs in a step when this reaches 1. */
  private credit = 0;

  constructor(
    readonly request: GenerationRequest,
    readonly observer: GenerationObserver,
    readonly arrivalTime: Millis,
  ) {
    this.hashSeed = request.lora ? seedOf(request.lora.name) : 0;
  }

  get id(): string {
    return this.request.id;
  }

  get numPromptTokens(): number {
    return this.request.promptTokenIds.length;
  }

  /** Prompt plus the output produced so far: what the KV cache must hold before the next token. */
  get numTokens(): number {
    return this.numPromptTokens + this.generated;
  }

  readonly tokenAt = (i: number): number => {
    const prompt = this.request.promptTokenIds;
    return i < prompt.length ? prompt[i] : this.request.outputTokenIds[i - prompt.length];
  };

  /** Called once per step for slowed-down sequences; true when the sequence may run in this step. */
  takeTurn(): boolean {
    const slowdown = this.request.slowdown ?? 1;
    if (slowdown <= 1) return true;
    this.credit += 1 / slowdown;
    if (this.credit < 1 - 1e-9) return false;
    this.credit -= 1;
    return true;
  }
}

/** A 32-bit FNV-1a of a name, never 0 (0 is the base model's seed). */
function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h || 1;
}
