import { Clock, Millis, TimerHandle } from './clock';

/** setTimeout fires up to ~1 ms late and never early; wake this much before and finish on setImmediate. */
const EARLY_WAKE_MS = 1.5;

/**
 * The real clock, tuned for sub-millisecond step boundaries: a coarse setTimeout wakes the loop just
 * before the due time, then setImmediate turns until it is reached. One timer drives a whole step,
 * however many streams it serves.
 */
export class WallClock implements Clock {
  now(): Millis {
    return performance.now();
  }

  at(due: Millis, fn: () => void): TimerHandle {
    let timeout: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    let cancelled = false;
    const spin = (): void => {
      immediate = undefined;
      if (cancelled) return;
      if (this.now() >= due) fn();
      else immediate = setImmediate(spin);
    };
    const wait = due - this.now() - EARLY_WAKE_MS;
    if (wait > 1) timeout = setTimeout(spin, wait);
    else immediate = setImmediate(spin);
    return {
      cancel: () => {
        cancelled = true;
        if (timeout) clearTimeout(timeout);
        if (immediate) clearImmediate(immediate);
      },
    };
  }
}
