import { RequestOutcome } from '../engine/engine.types';

/** One line of GET /admin/requests. */
export interface RequestLogEntry {
  id: string;
  /** When the request arrived (ISO 8601). */
  time: string;
  /** "/v1/chat/completions", "/v1/completions", ... or "grpc". */
  route: string;
  model: string | null;
  /** HTTP status; null when the connection was dropped before any answer (or for gRPC). */
  status: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  /** Time to first token (ms); null when no token was produced. */
  ttft_ms: number | null;
  duration_ms: number;
  finish_reason: string | null;
  /** The injected fault type, if any. */
  fault: string | null;
}

/** One choice's outcome and its index (prompt p, sample j at p * n + j, as vLLM numbers them). */
export interface ChoiceOutcome {
  index: number;
  outcome: RequestOutcome;
}

/** The engine's view of a request: its choices' outcomes summed (n > 1, several prompts). */
export function summarizeOutcomes(choices: readonly ChoiceOutcome[]): Pick<RequestLogEntry, 'prompt_tokens' | 'completion_tokens' | 'ttft_ms' | 'finish_reason'> {
  if (choices.length === 0) return { prompt_tokens: null, completion_tokens: null, ttft_ms: null, finish_reason: null };
  if (choices.length === 1) {
    // The usual request: one choice, no sums to make.
    const { outcome } = choices[0];
    const ttft = outcome.firstTokenTime === undefined ? null : round(outcome.firstTokenTime - outcome.arrivalTime);
    return { prompt_tokens: outcome.promptTokens, completion_tokens: outcome.generatedTokens, ttft_ms: ttft, finish_reason: outcome.finishReason };
  }
  const prompts = new Map<number, number>();
  let completion = 0;
  let ttft: number | null = null;
  for (const { index, outcome } of choices) {
    prompts.set(Math.floor(index / Math.max(1, outcome.n)), outcome.promptTokens);
    completion += outcome.generatedTokens;
    if (outcome.firstTokenTime !== undefined) ttft = Math.min(ttft ?? Infinity, outcome.firstTokenTime - outcome.arrivalTime);
  }
  return {
    prompt_tokens: [...prompts.values()].reduce((a, b) => a + b, 0),
    completion_tokens: completion,
    ttft_ms: ttft === null ? null : round(ttft),
    finish_reason: choices[0].outcome.finishReason,
  };
}

export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A bounded ring buffer of the most recent requests: memory stays constant however long it runs. */
export class RequestLog {
  private readonly entries: (RequestLogEntry | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity = 1000) {
    this.entries = new Array(capacity);
  }

  push(entry: RequestLogEntry): void {
    this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The `limit` most recent entries, newest first. */
  recent(limit: number): RequestLogEntry[] {
    const out: RequestLogEntry[] = [];
    for (let i = 1; i <= Math.min(limit, this.size); i++) out.push(this.entries[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }
}
