import { Millis } from './clock';
import { GenerationObserver, GenerationRequest } from './engine.types';
import { KvBlock } from './block-pool';

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
  cachedTokens = 0;
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
  ) {}

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
