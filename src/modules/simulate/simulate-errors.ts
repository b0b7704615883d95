/**
 * Input `simulate` cannot use (a workload, trace, flag or SLO): the command prints the message and
 * exits with code 2, as the server does for a bad setting. Never a stack trace.
 */
export class SimulateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulateInputError';
  }
}

/** Upper bounds on the work one run may cause, so a typo in a rate cannot hang the command. */
export const SIMULATE_LIMITS = {
  /** Requests one run may plan (workload or trace). */
  maxRequests: 2_000_000,
  /** Turns of one conversation. */
  maxTurns: 1_000,
  /** Replicas of one cluster. */
  maxReplicas: 256,
  /** Configurations of one --grid. */
  maxGridCells: 64,
  /** Bytes of a trace file. */
  maxTraceBytes: 512 * 1024 * 1024,
} as const;
