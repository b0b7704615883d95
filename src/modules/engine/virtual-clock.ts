import { Clock, Millis, TimerHandle } from './clock';

interface Timer {
  due: Millis;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Timer a runs before timer b: earlier due time, then the order they were set. */
function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/**
 * Simulated time: nothing happens until the test (or the offline simulator) advances it. Timers
 * due at the same time run in the order they were set.
 *
 * Pending timers sit in a binary min-heap (cancelled ones are dropped when they reach the top), so
 * an offline workload that schedules all its arrivals up front costs O(log n) per timer, not O(n).
 */
export class VirtualClock implements Clock {
  private time: Millis;
  private seq = 0;
  private readonly heap: Timer[] = [];

  constructor(start: Millis = 0) {
    this.time = start;
  }

  now(): Millis {
    return this.time;
  }

  at(due: Millis, fn: () => void): TimerHandle {
    const timer: Timer = { due: Math.max(due, this.time), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Due time of the next pending timer, or undefined when none is pending. */
  nextDue(): Millis | undefined {
    return this.peek()?.due;
  }

  /** Runs every timer due up to `until` (inclusive), in time order, then sets the time to `until`. */
  advanceTo(until: Millis): void {
    for (let next = this.peek(); next !== undefined && next.due <= until; next = this.peek()) {
      this.pop();
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
      const next = this.peek();
      if (next === undefined) return;
      this.pop();
      this.time = next.due;
      next.fn();
    }
    throw new Error(`VirtualClock: still busy after ${limit} timers`);
  }

  /** The earliest live timer, discarding cancelled ones on the way. */
  private peek(): Timer | undefined {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
    return this.heap[0];
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    let i = heap.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(timer, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right], heap[left]) ? right : left;
      if (!before(heap[child], last)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
  }
}
