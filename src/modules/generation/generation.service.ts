import { Injectable } from '@nestjs/common';
import { ApiError } from '../api/api-error';
import { Engine, EngineRefusal } from '../engine/engine';
import { Engines } from '../engine/engines';
import { FaultsService } from '../faults/faults.service';
import { Admission } from '../lifecycle/admission';
import { ReplyBudgetError } from '../responses/reply-errors';
import { ResponsesService } from '../responses/responses.service';
import { applyBeforeStart, slowdownOf, StreamCut } from './fault-application';
import { Choice, Generation, GenerationListener, POOLING_PLAN } from './generation';
import { ClientPresence, GenerationSink, InferenceRequest, ServeOutcome } from './inference-request';

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

/**
 * The pipeline every door calls once it has translated its wire request: the fault decision and
 * its application (errors, hold, drop, slow-down, stream cut), reply planning, submission to the
 * engine, and the generation's events handed to the door's sink. Admission (readiness, drain,
 * load) happens when a door lets a request in (Admission), before it is even read.
 */
@Injectable()
export class GenerationService {
  /** Generations in flight by the client's request id: vLLM aborts every request under an external id. */
  private readonly inFlight = new Map<string, Set<Generation>>();
  /** Numbers generations, for keys that must not depend on client ids. */
  private serial = 0;

  constructor(
    private readonly engine: Engine,
    private readonly engines: Engines,
    private readonly responses: ResponsesService,
    private readonly faults: FaultsService,
    private readonly admission: Admission,
  ) {}

  /**
   * Serves one request: resolves with how it ended (see ServeOutcome), or throws the ApiError the
   * client must see when it is refused before anything started (a fault, a refusal at submission,
   * a server that stopped meanwhile).
   */
  async serve(req: InferenceRequest, client: ClientPresence, sink: GenerationSink): Promise<ServeOutcome> {
    const { exchange } = req;
    // The client left while its request was read or its prompt encoded: nothing to serve.
    if (client.gone) return { kind: 'gone' };
    // Let in before the drain, then read and encoded until the server stopped.
    if (this.admission.isCutOff) throw ApiError.notServing(true);
    const fault = this.faults.decide({ requestId: exchange.id, route: exchange.route, model: req.model, explicitType: req.faultRequested });
    exchange.fault = fault?.type ?? null;
    const before = await applyBeforeStart(fault, client, (fn) => this.admission.onCutOff(fn));
    if (before !== 'go') return { kind: before };
    const cut = StreamCut.of(fault);
    if (cut?.immediate) return { kind: 'cut', error: cut.error };

    let cutError: ApiError | null = null;
    // Token events come on a later turn of the engine's clock, once `generation` is set.
    const generation: Generation = await this.start(req, slowdownOf(fault), {
      onTokens: (choice, event) => {
        sink.onTokens?.(choice, event);
        if (!cut?.add(event.tokenIds.length)) return;
        cutError = cut.error;
        sink.cut?.(cut.error);
        queueMicrotask(() => generation.abort());
      },
      onChoiceFinished: (choice, outcome) => sink.onChoiceFinished?.(choice, outcome),
    });
    // The client left, or the server stopped, while the request was planned.
    if (client.gone || this.admission.isCutOff) {
      generation.abort();
      if (client.gone) return { kind: 'gone' };
      throw ApiError.notServing(true);
    }
    exchange.generation = generation;
    // A client that leaves aborts the generation at once: its engine slots free.
    const stopWatching = client.onGone(() => {
      if (!generation.done) generation.abort();
    });
    sink.started?.(generation);
    const choices = await generation.finished;
    stopWatching();
    return cutError ? { kind: 'cut', error: cutError, generation } : { kind: 'finished', generation, choices };
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
   * submission rejects before any of it runs.
   */
  private async start(req: InferenceRequest, slowdown: number | undefined, listener: GenerationListener): Promise<Generation> {
    const { exchange } = req;
    const planned: Array<Omit<Choice, 'engineId'>> = [];
    let sliceStart = performance.now();
    for (let p = 0; p < req.prompts.length; p++) {
      const prompt = req.prompts[p];
      for (let j = 0; j < req.n; j++) {
        const plan = 'pooling' in prompt ? POOLING_PLAN : await this.responses.planAsync(prompt.reply(j), req.tokenizer).catch(asClientError);
        planned.push({ index: p * req.n + j, promptIndex: p, promptTokens: prompt.tokenIds.length, plan, generated: 0 });
        if (performance.now() - sliceStart > PLAN_SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
    }
    // Engine ids are taken only now: another request under the same client id may have been
    // submitted while this one was planned.
    const single = planned.length === 1;
    const engine = this.engineOf(req);
    const choices: Choice[] = planned.map((c) => ({
      index: c.index,
      promptIndex: c.promptIndex,
      engineId: this.freeId(engine, single ? exchange.id : `${exchange.id}-${c.index}`),
      promptTokens: c.promptTokens,
      plan: c.plan,
      generated: c.generated,
    }));
    const generation = new Generation(exchange.id, choices, exchange.origin);
    // Two requests may share a client id: sibling choices are grouped by this generation's number.
    const group = req.n > 1 ? `g${++this.serial}` : undefined;
    try {
      for (const choice of choices) this.submit(engine, req, slowdown, choice, group, generation, listener);
    } catch (err) {
      generation.abort();
      asClientError(err);
    }
    this.track(generation);
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
  private freeId(engine: Engine, id: string): string {
    if (!engine.has(id)) return id;
    for (let k = 1; ; k++) if (!engine.has(`${id}.${k}`)) return `${id}.${k}`;
  }

  /**
   * The engine of the request's model: an additional model's own, else the first model's (which
   * also runs the LoRA adapters, named by their own names).
   */
  private engineOf(req: InferenceRequest): Engine {
    return this.engines.of(req.model)?.engine ?? this.engine;
  }

  private submit(
    engine: Engine,
    req: InferenceRequest,
    slowdown: number | undefined,
    choice: Choice,
    group: string | undefined,
    generation: Generation,
    listener: GenerationListener,
  ): void {
    const handle = engine.submit(
      {
        id: choice.engineId,
        promptTokenIds: req.prompts[choice.promptIndex].tokenIds,
        outputTokenIds: choice.plan.tokenIds,
        finishReason: choice.plan.finishReason,
        maxTokens: req.maxTokensParam,
        n: req.n,
        group: group === undefined ? undefined : `${group}#${choice.promptIndex}`,
        origin: req.exchange.origin,
        slowdown,
        ...(req.lora ? { lora: req.lora } : {}),
        ...(req.remotePrefill ? { remotePrefill: true } : {}),
        ...(req.reportBlocks ? { reportBlocks: true } : {}),
        ...(req.cacheHitThreshold !== undefined ? { cacheHitThreshold: req.cacheHitThreshold } : {}),
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
