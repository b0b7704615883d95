import type { Fault } from './fault.types';

/**
 * The `stream_abort` fault's trigger, one for every door: counts the request's tokens (all its
 * choices together) and says, once, when they reach `afterTokens`. The door then cuts its stream
 * its own way and aborts the generation on a microtask, never from inside the engine's step.
 */
export class StreamAbortCounter {
  private produced = 0;
  private fired = false;

  private constructor(readonly afterTokens: number) {}

  /** A counter for a `stream_abort` decision; null for any other fault or none. */
  static of(fault: Fault | null | undefined): StreamAbortCounter | null {
    return fault?.type === 'stream_abort' ? new StreamAbortCounter(fault.afterTokens) : null;
  }

  /** Counts a step's tokens; true the one time the total reaches `afterTokens`. */
  add(tokens: number): boolean {
    this.produced += tokens;
    if (this.fired || this.produced < this.afterTokens) return false;
    this.fired = true;
    return true;
  }
}
