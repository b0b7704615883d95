import { ApiError } from '../api/api-error';
import type { FaultDecision } from '../faults/faults.service';
import type { ClientPresence } from './inference-request';

/** How a request goes on after the faults that act before any work starts. */
export type BeforeStart = 'go' | 'dropped' | 'gone';

/** The server's stop, as the pipeline watches it (Admission.onCutOff). */
export type CutOffWatch = (fn: () => void) => () => void;

/** The error a stream_abort cut sends when its fault carries none. */
const STREAM_CUT_ERROR = new ApiError(500, 'The stream was aborted.');

/**
 * The fault of one request applied before anything reaches the engine, the same way for every
 * door: an error fault is thrown (each door maps ApiErrors once), `disconnect` drops the request,
 * `timeout` holds it first and then fails (504) or goes on. The hold ends early when the client
 * leaves ('gone') or the server stops (503: it never reaches the engine after a shutdown).
 */
export async function applyBeforeStart(fault: FaultDecision | null, client: ClientPresence, onCutOff: CutOffWatch): Promise<BeforeStart> {
  if (!fault) return 'go';
  switch (fault.type) {
    case 'disconnect':
      return 'dropped';
    case 'timeout': {
      const held = await hold(fault.delayMs, client, onCutOff);
      if (held === 'gone') return 'gone';
      if (held === 'cut') throw ApiError.notServing(true);
      if (fault.then === 'error' && fault.error) throw fault.error;
      return 'go';
    }
    case 'slow':
    case 'stream_abort':
      return 'go';
    default:
      if (fault.error) throw fault.error;
      return 'go';
  }
}

/** The engine slowdown of a `slow` fault (undefined otherwise). */
export function slowdownOf(fault: FaultDecision | null): number | undefined {
  return fault?.type === 'slow' ? fault.factor : undefined;
}

/**
 * The `stream_abort` fault's trigger: counts the request's tokens (all its choices together) and
 * says, once, when they reach `afterTokens`. The pipeline then tells the door to cut its stream and
 * aborts the generation on a microtask, never from inside the engine's step.
 */
export class StreamCut {
  private produced = 0;
  private fired = false;

  private constructor(
    readonly afterTokens: number,
    readonly error: ApiError,
  ) {}

  /** A counter for a `stream_abort` decision; null for any other fault or none. */
  static of(fault: FaultDecision | null): StreamCut | null {
    return fault?.type === 'stream_abort' ? new StreamCut(fault.afterTokens, fault.error ?? STREAM_CUT_ERROR) : null;
  }

  /** The cut comes before any token: nothing is started. */
  get immediate(): boolean {
    return this.afterTokens <= 0;
  }

  /** Counts a step's tokens; true the one time the total reaches `afterTokens`. */
  add(tokens: number): boolean {
    this.produced += tokens;
    if (this.fired || this.produced < this.afterTokens) return false;
    this.fired = true;
    return true;
  }
}

/** Waits `ms`, unless the client leaves or the server stops first. */
function hold(ms: number, client: ClientPresence, onCutOff: CutOffWatch): Promise<'elapsed' | 'gone' | 'cut'> {
  return new Promise((resolve) => {
    const stops: Array<() => void> = [];
    let settled = false;
    const settle = (how: 'elapsed' | 'gone' | 'cut'): void => {
      if (settled) return;
      settled = true;
      for (const stop of stops.splice(0)) stop();
      resolve(how);
    };
    // A watch that fired at once (client already gone) leaves nothing for the later ones to wait for.
    const keep = (stop: () => void): void => (settled ? stop() : void stops.push(stop));
    const timer = setTimeout(() => settle('elapsed'), ms);
    keep(() => clearTimeout(timer));
    keep(client.onGone(() => settle('gone')));
    keep(onCutOff(() => settle('cut')));
  });
}
