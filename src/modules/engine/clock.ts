/** Milliseconds on some monotonic timeline. */
export type Millis = number;

export interface TimerHandle {
  cancel(): void;
}

/**
 * Time as the engine sees it. The server runs on the wall clock; tests and the offline `simulate`
 * command run on a VirtualClock, so the same engine code is exact and needs no sleeping.
 */
export interface Clock {
  now(): Millis;
  /** Calls fn once the clock reaches `at` (or at once, asynchronously, if it already has). */
  at(at: Millis, fn: () => void): TimerHandle;
}

export const CLOCK = Symbol('CLOCK');
