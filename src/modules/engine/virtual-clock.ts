import { Clock, Millis, TimerHandle } from './clock';

interface Timer {
  due: Millis;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Simulated time: nothing happens until the test (or the offline simulator) advances it. Timers
 * due at the same time run in the order they were set.
 */
export class VirtualClock implements Clock {
  private time: Millis;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start: Millis = 0) {
    this.time = start;
  }

  now(): Millis {
    return this.time;
  }

  at(due: Millis, fn: () => void): TimerHandle {
    const timer: Timer = { due: Math.max(due, this.time), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Due time of the next pending timer, or undefined when none is pending. */
  nextDue(): Millis | undefined {
    this.prune();
    return this.timers.length > 0 ? this.earliest().due : undefined;
  }

  /** Runs every timer due up to `until` (inclusive), in time order, then sets the time to `until`. */
  advanceTo(until: Millis): void {
    for (;;) {
      this.prune();
      if (this.timers.length === 0) break;
      const next = this.earliest();
      if (next.due > until) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.time = next.due;
      next.fn();
    }
    this.time = Math.max(this.time, until);
  }

  advance(ms: Millis): void {
    this.advanceTo(this.time + ms);
  }

  /** Runs timers until none is left (or `limit` timers ran, to stop runaway loops in tests). */
  runUntilIdle(limit = 10_000_000): void {
    for (let i = 0; i < limit; i++) {
      const due = this.nextDue();
      if (due === undefined) return;
      this.advanceTo(due);
    }
    throw new Error(`VirtualClock: still busy after ${limit} timers`);
  }

  private prune(): void {
    if (this.timers.some((t) => t.cancelled)) this.timers = this.timers.filter((t) => !t.cancelled);
  }

  private earliest(): Timer {
    let best = this.timers[0];
    for (const t of this.timers) if (t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    return best;
  }
}
