import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../api/api-error';
import { Engine, EngineRefusal } from '../engine/engine';
import { ReplyBudgetError } from '../responses/reply-errors';
import { GenerationHandle, RequestOutcome, TokenEvent } from '../engine/engine.types';
import { ResponsesService } from '../responses/responses.service';
import { GenerationPlan, ReplyRequest } from '../responses/responses.types';

/** One prompt of a request and the replies wanted for it (completions may carry several prompts). */
export interface PromptSpec {
  tokenIds: readonly number[];
  /** The reply request for choice j of this prompt (j in 0..n-1). */
  reply: (choiceIndex: number) => ReplyRequest;
}

/**
 * What the client must see for a refusal below the doors: a request the KV cache can never hold
 * (400, as vLLM rejects a request beyond its limits) and a JSON schema whose smallest value cannot
 * be generated in the request's context window (400 naming the schema keyword). Anything else is
 * thrown as it came.
 */
function asClientError(err: unknown): never {
  if (err instanceof EngineRefusal) throw ApiError.badRequest(err.message);
  if (err instanceof ReplyBudgetError) throw ApiError.badRequest(err.message, err.param);
  throw err;
}

/** Planning works this long (ms) at most before it lets the event loop turn. */
const PLAN_SLICE_MS = 2;

export interface GenerationSpec {
  requestId: string;
  origin: 'http' | 'grpc';
  prompts: readonly PromptSpec[];
  n: number;
  /** max_tokens as the client sent it (or its default), for metrics. */
  maxTokensParam: number;
  /** Fault `slow`: one token every `slowdown` steps. */
  slowdown?: number;
}

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

/**
 * What both doors (HTTP, gRPC) share once a request is validated: plan each choice's tokens with
 * the Responses module, submit them to the engine, and relay the engine's events per choice.
 */
@Injectable()
export class GenerationService {
  private readonly logger = new Logger('Generation');
  /** Generations in flight by the client's request id: vLLM aborts every request under an external id. */
  private readonly inFlight = new Map<string, Set<Generation>>();
  private readonly startListeners = new Set<(generation: Generation) => void>();
  /** Numbers generations, for keys that must not depend on client ids. */
  private serial = 0;

  constructor(
    private readonly engine: Engine,
    private readonly responses: ResponsesService,
  ) {}

  /** Calls `fn` with every generation once it is in the engine. Returns a function that stops it. */
  onStarted(fn: (generation: Generation) => void): () => void {
    this.startListeners.add(fn);
    return () => this.startListeners.delete(fn);
  }

  /** Aborts every generation in flight under the client's request id; false if there is none. */
  abortRequest(requestId: string): boolean {
    const generations = this.inFlight.get(requestId);
    if (!generations) return false;
    for (const g of [...generations]) g.abort();
    return true;
  }

  /**
   * Plans every choice's tokens, then submits them all to the engine at once. Planning a large
   * request (n × prompts choices) is sliced: the event loop turns every few milliseconds, so other
   * streams keep their schedule. Resolves once the generation is in the engine; a refusal at
   * submission (EngineRefusal) rejects before any of it runs.
   */
  async start(spec: GenerationSpec, listener: GenerationListener = {}): Promise<Generation> {
    const planned: Array<Omit<Choice, 'engineId'>> = [];
    let sliceStart = performance.now();
    for (let p = 0; p < spec.prompts.length; p++) {
      const prompt = spec.prompts[p];
      for (let j = 0; j < spec.n; j++) {
        const plan = await this.responses.planAsync(prompt.reply(j)).catch(asClientError);
        planned.push({ index: p * spec.n + j, promptIndex: p, promptTokens: prompt.tokenIds.length, plan, generated: 0 });
        if (performance.now() - sliceStart > PLAN_SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
    }
    // Engine ids are taken only now: another request under the same client id may have been
    // submitted while this one was planned.
    const single = planned.length === 1;
    const choices: Choice[] = planned.map((c) => ({ ...c, engineId: this.freeId(single ? spec.requestId : `${spec.requestId}-${c.index}`) }));
    const generation = new Generation(spec.requestId, choices, spec.origin);
    // Two requests may share a client id: sibling choices are grouped by this generation's number.
    const group = spec.n > 1 ? `g${++this.serial}` : undefined;
    try {
      for (const choice of choices) this.submit(spec, choice, group, generation, listener);
    } catch (err) {
      generation.abort();
      throw asClientError(err);
    }
    this.track(generation);
    for (const fn of this.startListeners) {
      try {
        fn(generation);
      } catch (err) {
        // The generation is in the engine and its door is about to take it: a bystander's failure must not orphan it.
        this.logger.error(`A listener of started generations failed: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
    return generation;
  }

  private track(generation: Generation): void {
    const id = generation.requestId;
    let set = this.inFlight.get(id);
    if (!set) this.inFlight.set(id, (set = new Set()));
    set.add(generation);
    void generation.finished.then(() => {
      set.delete(generation);
      if (set.size === 0 && this.inFlight.get(id) === set) this.inFlight.delete(id);
    });
  }

  /**
   * Request ids come from clients (X-Request-Id, gRPC request_id) and may repeat; engine ids may
   * not. As vLLM suffixes its internal ids, the suffix stays inside: doors, the request log and
   * Abort work with the client's id (see inFlight).
   */
  private freeId(id: string): string {
    if (!this.engine.has(id)) return id;
    for (let k = 1; ; k++) if (!this.engine.has(`${id}.${k}`)) return `${id}.${k}`;
  }

  private submit(spec: GenerationSpec, choice: Choice, group: string | undefined, generation: Generation, listener: GenerationListener): void {
    const handle = this.engine.submit(
      {
        id: choice.engineId,
        promptTokenIds: spec.prompts[choice.promptIndex].tokenIds,
        outputTokenIds: choice.plan.tokenIds,
        finishReason: choice.plan.finishReason,
        maxTokens: spec.maxTokensParam,
        n: spec.n,
        group: group === undefined ? undefined : `${group}#${choice.promptIndex}`,
        origin: spec.origin,
        slowdown: spec.slowdown,
      },
      {
        onTokens: (event) => {
          choice.generated = event.generated;
          listener.onTokens?.(choice, event);
        },
        onFinished: (outcome) => {
          choice.outcome = outcome;
          listener.onChoiceFinished?.(choice, outcome);
          generation.choiceFinished();
        },
      },
    );
    generation.attach(handle);
  }
}
