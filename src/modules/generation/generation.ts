import { GenerationHandle, RequestOutcome, TokenEvent } from '../engine/engine.types';
import { GenerationPlan, ReplyRequest } from '../responses/responses.types';

/**
 * One prompt of a request and the replies wanted for it (completions may carry several prompts).
 * A pooling prompt (embeddings, score, classify) wants no reply: the engine only prefills it.
 */
export type PromptSpec =
  | {
      tokenIds: readonly number[];
      /** The reply request for choice j of this prompt (j in 0..n-1). */
      reply: (choiceIndex: number) => ReplyRequest;
    }
  | { tokenIds: readonly number[]; pooling: true };

/** The plan of a pooling prompt: no output token; it ends (`stop`) when its prefill does. */
export const POOLING_PLAN: GenerationPlan = Object.freeze({ tokenIds: [], pieces: [], text: '', finishReason: 'stop', stopReason: null, pattern: null }) as GenerationPlan;

/** One choice: prompt p, sample j, at index p * n + j as vLLM numbers them. */
export interface Choice {
  index: number;
  promptIndex: number;
  engineId: string;
  promptTokens: number;
  plan: GenerationPlan;
  /** Output tokens produced so far. */
  generated: number;
  outcome?: RequestOutcome;
}

/**
 * vLLM's stop_reason: the stop string or stop token id that ended the choice as planned, or null
 * (EOS, length, and a choice that ended otherwise: abort, error).
 */
export function stopReasonOf(choice: Choice): string | number | null {
  return choice.outcome && choice.outcome.finishReason !== choice.plan.finishReason ? null : choice.plan.stopReason;
}

export interface GenerationListener {
  onTokens?(choice: Choice, event: TokenEvent): void;
  onChoiceFinished?(choice: Choice, outcome: RequestOutcome): void;
}

/** A request in flight: its choices, a promise of their outcomes, and abort. */
export class Generation {
  readonly finished: Promise<Choice[]>;
  private handles: GenerationHandle[] = [];
  private resolve!: (choices: Choice[]) => void;
  private remaining: number;

  /** `requestId`: the client's (X-Request-Id, gRPC request_id), which other requests may share. */
  constructor(
    readonly requestId: string,
    readonly choices: Choice[],
    readonly origin: 'http' | 'grpc',
  ) {
    this.remaining = choices.length;
    this.finished = new Promise((resolve) => (this.resolve = resolve));
    if (this.remaining === 0) this.resolve(choices);
  }

  get done(): boolean {
    return this.remaining === 0;
  }

  /** Aborts every choice still queued or running (client gone, fault). */
  abort(): void {
    for (const handle of this.handles) handle.abort();
  }

  /** @internal */
  attach(handle: GenerationHandle): void {
    this.handles.push(handle);
  }

  /** @internal */
  choiceFinished(): void {
    if (--this.remaining === 0) this.resolve(this.choices);
  }
}

