import { buildPrompt, PromptShape, shapeLength } from './prompt-shape';

/** One request of a replay: when it falls due (ms on the virtual clock), its prompt and its exact output length. */
export interface PlannedRequest {
  arrival: number;
  /** The prompt's token ids; or give `prompt` and the replay builds them when it sends. */
  promptTokenIds?: readonly number[];
  prompt?: PromptShape;
  outputTokens: number;
  /** Index of the stage it belongs to (0 when the replay has one). */
  stage: number;
  /** Index of its client class (0 when the workload has one). */
  clientClass?: number;
  /**
   * A later turn of a conversation: sent `thinkMs` after the request at `index` (the previous turn)
   * ended, instead of at `arrival`; not sent at all if that request did not end normally or if it
   * would fall due after the replay's last arrival time.
   */
  follows?: { index: number; thinkMs: number };
}

/** A stage's window on the virtual clock, ms: [start, end). */
export interface StageWindow {
  start: number;
  end: number;
  name?: string;
  /** Requests per second the workload offers in it (undefined for a trace). */
  rate?: number;
}

/** What a workload or a trace plans: the requests, their stages and client classes. */
export interface PlannedWorkload {
  requests: PlannedRequest[];
  stages: StageWindow[];
  classes: string[];
  /** No request falls due after this (ms): the end of the last stage. The drain starts here. */
  end: number;
}

export function promptLengthOf(r: PlannedRequest): number {
  return r.promptTokenIds ? r.promptTokenIds.length : r.prompt ? shapeLength(r.prompt) : 0;
}

export function promptOf(r: PlannedRequest): readonly number[] {
  return r.promptTokenIds ?? (r.prompt ? buildPrompt(r.prompt) : []);
}
