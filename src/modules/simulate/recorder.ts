import { Engine } from '../engine/engine';
import { EngineRole } from './cluster';

/** What the recorder sums per replica, per time bin and per window (see `Tally`). */
export interface Tally {
  /** Σ running × ms, Σ waiting × ms, Σ KV usage × ms over the engine's steps (idle time counts as 0). */
  runningMs: number;
  waitingMs: number;
  kvMs: number;
  /** Most requests waiting after any step. */
  maxWaiting: number;
  /** Output tokens produced, requests ended, preemptions. */
  tokens: number;
  finished: number;
  preemptions: number;
}

const emptyTally = (): Tally => ({ runningMs: 0, waitingMs: 0, kvMs: 0, maxWaiting: 0, tokens: 0, finished: 0, preemptions: 0 });

function addInto(into: Tally, t: Tally): void {
  into.runningMs += t.runningMs;
  into.waitingMs += t.waitingMs;
  into.kvMs += t.kvMs;
  into.maxWaiting = Math.max(into.maxWaiting, t.maxWaiting);
  into.tokens += t.tokens;
  into.finished += t.finished;
  into.preemptions += t.preemptions;
}

/** Growable per-bin tallies. */
class Bins {
  readonly items: Tally[] = [];

  at(i: number): Tally {
    while (this.items.length <= i) this.items.push(emptyTally());
    return this.items[i];
  }
}

/**
 * Listens to every engine of a cluster (the engines' own `step`, `tokens`, `finished` and
 * `preempted` events: the figures are the engine's, not arrivals) and sums them per replica into
 * fixed time bins (for time series and trends) and into windows (the stages, then the drain after
 * the last arrival), splitting a step that straddles a boundary by its overlap. A prefill engine's
 * one token and end per request are the handoff to the decode side, not output: not counted.
 */
export class ClusterRecorder {
  /** [replica][window] */
  readonly windows: Tally[][];
  /** [replica] */
  readonly bins: Bins[];
  private readonly offs: (() => void)[] = [];

  /**
   * @param boundaries window starts, ms, ascending; the last window runs to infinity.
   * @param binMs width of a time bin.
   * @param roles per engine (default: every engine serves whole requests).
   */
  constructor(
    engines: readonly Engine[],
    private readonly boundaries: readonly number[],
    readonly binMs: number,
    roles?: readonly EngineRole[],
  ) {
    this.windows = engines.map(() => boundaries.map(() => emptyTally()));
    this.bins = engines.map(() => new Bins());
    engines.forEach((engine, replica) => {
      this.offs.push(
        engine.events.on('step', (s) => {
          const dt = s.endTime - s.startTime;
          if (dt <= 0) return;
          this.spread(replica, s.startTime, s.endTime, (t, overlap) => {
            t.runningMs += s.running * overlap;
            t.waitingMs += s.waiting * overlap;
            t.kvMs += s.kvCacheUsage * overlap;
            if (s.waiting > t.maxWaiting) t.maxWaiting = s.waiting;
          });
        }),
        engine.events.on('preempted', (p) => this.at(replica, p.time, (t) => t.preemptions++)),
      );
      if (roles?.[replica] === 'prefill') return;
      this.offs.push(
        engine.events.on('tokens', (e) => this.at(replica, e.time, (t) => (t.tokens += e.tokenIds.length))),
        engine.events.on('finished', (o) => this.at(replica, o.finishedTime, (t) => t.finished++)),
      );
    });
  }

  detach(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /** Index of the window holding time t. */
  windowOf(t: number): number {
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (b[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** A window's tally summed over replicas (or one replica's). */
  windowTally(window: number, replica?: number): Tally {
    const out = emptyTally();
    for (let r = 0; r < this.windows.length; r++) if (replica === undefined || r === replica) addInto(out, this.windows[r][window]);
    return out;
  }

  /** Every window summed (or one replica's). */
  totalTally(replica?: number): Tally {
    const out = emptyTally();
    for (let w = 0; w < this.boundaries.length; w++) addInto(out, this.windowTally(w, replica));
    return out;
  }

  /** Every window of these replicas summed (a pool of a prefill/decode cluster). */
  replicasTally(replicas: readonly number[]): Tally {
    const out = emptyTally();
    for (const r of replicas) addInto(out, this.totalTally(r));
    return out;
  }

  /** Bin i summed over replicas (or one replica's); empty past the end. */
  binTally(i: number, replica?: number): Tally {
    const out = emptyTally();
    for (let r = 0; r < this.bins.length; r++) if ((replica === undefined || r === replica) && i < this.bins[r].items.length) addInto(out, this.bins[r].items[i]);
    return out;
  }

  /** Mean requests in the system (running + waiting) over [from, to), from the bins it covers (partial bins weighted by overlap). */
  meanBacklog(from: number, to: number, replica?: number): number {
    if (to <= from) return 0;
    let sum = 0;
    const first = Math.floor(from / this.binMs);
    const last = Math.ceil(to / this.binMs) - 1;
    for (let i = first; i <= last; i++) {
      const start = i * this.binMs;
      const overlap = Math.min(to, start + this.binMs) - Math.max(from, start);
      if (overlap <= 0) continue;
      const t = this.binTally(i, replica);
      sum += ((t.runningMs + t.waitingMs) / this.binMs) * overlap;
    }
    return sum / (to - from);
  }

  /** Output tokens produced in [from, to), partial bins pro rata. */
  tokensBetween(from: number, to: number, replica?: number): number {
    let sum = 0;
    const first = Math.floor(from / this.binMs);
    const last = Math.ceil(to / this.binMs) - 1;
    for (let i = first; i <= last; i++) {
      const start = i * this.binMs;
      const overlap = Math.min(to, start + this.binMs) - Math.max(from, start);
      if (overlap > 0) sum += (this.binTally(i, replica).tokens * overlap) / this.binMs;
    }
    return sum;
  }

  private at(replica: number, t: number, add: (t: Tally) => void): void {
    add(this.windows[replica][this.windowOf(t)]);
    add(this.bins[replica].at(Math.floor(t / this.binMs)));
  }

  private spread(replica: number, start: number, end: number, add: (t: Tally, overlapMs: number) => void): void {
    for (let w = this.windowOf(start); w < this.boundaries.length && this.boundaries[w] < end; w++) {
      const overlap = Math.min(end, this.boundaries[w + 1] ?? Infinity) - Math.max(start, this.boundaries[w]);
      if (overlap > 0) add(this.windows[replica][w], overlap);
    }
    const bins = this.bins[replica];
    for (let i = Math.floor(start / this.binMs); i * this.binMs < end; i++) {
      const overlap = Math.min(end, (i + 1) * this.binMs) - Math.max(start, i * this.binMs);
      if (overlap > 0) add(bins.at(i), overlap);
    }
  }
}
