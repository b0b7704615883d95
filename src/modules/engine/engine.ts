import { BlockPool } from './block-pool';
import { Clock, Millis, TimerHandle } from './clock';
import { EngineState, FinishReason, GenerationHandle, GenerationObserver, GenerationRequest, LoraState, RequestOutcome, TokenEvent } from './engine.types';
import { EngineEventBus } from './event-bus';
import { KvCacheManager } from './kv-cache-manager';
import { ReleasePacer } from './release-pacer';
import { EngineLimits, ScheduledWork, Scheduler, StepPlan } from './scheduler';
import { Sequence } from './sequence';
import { StepTiming } from './step-timing';
import { VllmBlockHasher } from './vllm-block-hash';

export type { EngineLimits } from './scheduler';

/** A request the engine can never serve (empty prompt, or larger than the whole KV cache). */
export class EngineRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineRefusal';
  }
}

/** How far behind the schedule the wall clock may fall before the engine re-bases on it. */
const MAX_CATCH_UP_MS = 20;

/** Where the engine reports an observer's exception (the server logs it; tests may collect it). */
export type EngineErrorReporter = (message: string, err: unknown) => void;

const consoleReporter: EngineErrorReporter = (message, err) => console.error(message, err);

/** A request still in the API server (frontend time): it reaches the scheduler at `readyAt`. */
interface Incoming {
  seq: Sequence;
  readyAt: Millis;
  timer: TimerHandle | null;
}

/** Whether the step leaves work for the one after it (under async scheduling, that one is planned while this one runs). */
function leavesWork(plan: StepPlan, running: number, waiting: number): boolean {
  if (waiting > 0 || running > plan.work.length) return true;
  return plan.work.some(({ seq, tokens }) => tokens === 0 || seq.numComputed + tokens < seq.numTokens || seq.generated + 1 < seq.request.outputTokenIds.length);
}

/** Tokens a step will hand out: not the chunks of longer prefills, nor the sequences sitting it out. */
function tokensOut(work: readonly ScheduledWork[]): number {
  let n = 0;
  for (const { seq, tokens } of work) if (tokens > 0 && seq.numComputed + tokens >= seq.numTokens && seq.generated < seq.request.outputTokenIds.length) n++;
  return n;
}

/**
 * A simulated vLLM V1 engine core: the scheduler (queue, running batch, chunked prefill,
 * preemption) over the KV-cache manager and its block pool, one timer per step driving the whole
 * batch, and every token of a step released at the step's end, together, to the doors and then to
 * the engine-wide observers. It knows no wall time of its own: it runs on the clock it is given.
 */
export class Engine {
  readonly events: EngineEventBus;
  private readonly scheduler: Scheduler;
  private readonly kv: KvCacheManager;
  private readonly pacer = new ReleasePacer();
  private readonly byId = new Map<string, Sequence>();
  private stepTimer: TimerHandle | null = null;
  /** End of the step in flight (or of the last one), so back-to-back steps do not drift. */
  private lastStepEnd: Millis = -Infinity;
  /** Start of the step in flight, and whether the next step was planned then (async scheduling: see startStep). */
  private lastStepStart: Millis = -Infinity;
  private plannedAhead = false;
  /** Requests the API server still prepares, by the time they reach the scheduler. */
  private readonly incoming: Incoming[] = [];
  /** Requests aborted while a step hands out its tokens (see abort); null outside that window. */
  private abortedDuringRelease: Set<Sequence> | null = null;
  /** Set while the engine sleeps: no step is scheduled. */
  private paused = false;

  /**
   * `hasher`: vLLM's block hashing, for the KV events (the engine's own prefix cache keeps its
   * cheaper chain); only an engine whose KV events are published needs it.
   */
  constructor(
    private readonly clock: Clock,
    pool: BlockPool,
    private readonly timing: StepTiming,
    limits: EngineLimits,
    private readonly report: EngineErrorReporter = consoleReporter,
    hasher?: VllmBlockHasher,
  ) {
    this.events = new EngineEventBus((err, event) => this.report(`An engine observer of "${event}" failed`, err));
    this.kv = new KvCacheManager(
      pool,
      {
        // Block events are many: their payloads are built only when someone listens (KV events, a router).
        wantsStored: () => this.events.has('blockStored'),
        stored: (b) =>
          this.events.emit('blockStored', {
            hash: b.hash,
            parentHash: b.parent,
            ...(b.digest ? { digest: b.digest, parentDigest: b.parentDigest } : {}),
            tokenIds: b.tokenIds,
            blockSize: pool.blockSize,
            ...(b.lora ? { lora: b.lora } : {}),
            time: this.clock.now(),
          }),
        removed: (hash, digest) => this.events.emit('blockRemoved', { hash, ...(digest ? { digest } : {}), time: this.clock.now() }),
        cleared: () => this.events.emit('cacheCleared', { time: this.clock.now() }),
      },
      hasher,
    );
    this.scheduler = new Scheduler(
      this.kv,
      limits,
      {
        preempted: (seq) => this.events.emit('preempted', { requestId: seq.id, time: this.clock.now() }),
        admitted: ({ seq, resumed, prefix }, start) => {
          if (prefix) this.events.emit('prefixCache', prefix);
          if (!resumed && seq.numPreemptions === 0) this.emitPromptSources(seq);
          this.events.emit('scheduled', { requestId: seq.id, time: start, resumed });
        },
        transferStarted: (_seq, prefix) => {
          if (prefix) this.events.emit('prefixCache', prefix);
        },
        transferred: (seq, tokens, startTime, endTime) =>
          this.events.emit('kvTransfer', { requestId: seq.id, tokens, bytes: this.timing.transferBytes(tokens), startTime, endTime }),
      },
      timing,
    );
  }

  /** Requests still in the API server count as waiting: the server holds them and none runs. */
  get state(): EngineState {
    const s = this.scheduler;
    return {
      running: s.running.length,
      waiting: s.waiting.length + s.transferring.length + this.incoming.length,
      waitingDeferred: s.deferredCount(),
      kvCacheUsage: this.kv.usage,
      kvCacheBlocks: this.kv.numBlocks,
    };
  }

  /** Adapters with requests running and waiting (empty when LoRA is off). */
  get loraState(): LoraState {
    return this.scheduler.loraNames();
  }

  /** An adapter was loaded: it sits in host memory, so its first batch only copies it to the GPU. */
  addLora(id: number): void {
    this.scheduler.loras?.add(id);
  }

  removeLora(id: number): void {
    this.scheduler.loras?.remove(id);
  }

  /**
   * Forgets the prefix cache (vLLM's reset_prefix_cache), which publishes AllBlocksCleared. As
   * vLLM, it refuses while any request holds blocks: false then.
   */
  resetPrefixCache(): boolean {
    return this.kv.reset();
  }

  /** vLLM's PromptTokenStats for a request's prefill: where each prompt token's KV came from. */
  private emitPromptSources(seq: Sequence): void {
    const prompt = seq.numPromptTokens;
    const cached = Math.min(seq.cachedTokens, prompt);
    const external = seq.transferredTokens;
    // When the whole prompt was cached, its last token is computed anyway (a forward pass needs one).
    const recomputed = cached + 1 === prompt ? 1 : 0;
    this.events.emit('promptSources', {
      requestId: seq.id,
      promptTokens: prompt,
      computed: prompt - cached,
      localCacheHit: cached + recomputed - external,
      externalTransfer: external,
      recomputed,
    });
  }

  /** Requests queued or running. */
  get inFlight(): number {
    return this.byId.size;
  }

  has(requestId: string): boolean {
    return this.byId.has(requestId);
  }

  submit(request: GenerationRequest, observer: GenerationObserver): GenerationHandle {
    if (this.byId.has(request.id)) throw new Error(`Request id ${request.id} is already in flight`);
    // Nothing to prefill means no step would ever produce its first token.
    if (request.promptTokenIds.length === 0) throw new EngineRefusal('The decoder prompt cannot be empty');
    const total = request.promptTokenIds.length + request.outputTokenIds.length;
    if (this.kv.blocksFor(total) > this.kv.numBlocks) {
      throw new EngineRefusal(`The request needs ${total} tokens of KV cache but the whole cache holds ${this.kv.numBlocks * this.kv.blockSize}.`);
    }
    const now = this.clock.now();
    const seq = new Sequence(request, observer, now);
    this.byId.set(request.id, seq);
    this.events.emit('queued', { requestId: request.id, promptTokens: seq.numPromptTokens, time: now });
    if (request.cacheHitThreshold !== undefined && this.kv.cachedShare(seq) < request.cacheHitThreshold) {
      // Answered without being scheduled, on the next turn of the clock (observers never hear of a request inside submit).
      this.clock.at(now, () => this.finish(seq, 'cache_threshold', now));
      return { requestId: request.id, abort: () => this.abort(request.id) };
    }
    const frontendMs = this.timing.frontendMs(seq.numPromptTokens);
    if (frontendMs > 0 || this.timing.asyncScheduling) this.hold(seq, now + frontendMs);
    else this.scheduler.enqueue(seq);
    this.wake();
    return { requestId: request.id, abort: () => this.abort(request.id) };
  }

  /** Keeps a request out of the scheduler until `readyAt` (the API server still prepares it), in the order they get ready. */
  private hold(seq: Sequence, readyAt: Millis): void {
    const entry: Incoming = { seq, readyAt, timer: null };
    let at = this.incoming.length;
    while (at > 0 && this.incoming[at - 1].readyAt > readyAt) at--;
    this.incoming.splice(at, 0, entry);
    if (readyAt > this.clock.now())
      entry.timer = this.clock.at(readyAt, () => {
        entry.timer = null;
        this.wake();
      });
  }

  /** Hands the scheduler the requests ready by `cutoff`. */
  private admitIncoming(cutoff: Millis): void {
    while (this.incoming.length > 0 && this.incoming[0].readyAt <= cutoff) {
      const { seq, timer } = this.incoming.shift()!;
      timer?.cancel();
      this.scheduler.enqueue(seq);
    }
  }

  private dropIncoming(seq: Sequence): void {
    const at = this.incoming.findIndex((e) => e.seq === seq);
    if (at < 0) return;
    this.incoming[at].timer?.cancel();
    this.incoming.splice(at, 1);
  }

  /**
   * Aborts a queued or running request; its blocks are freed at once. False if unknown or done.
   * Called while a step hands out its tokens (a door cutting its stream), it takes effect when the
   * step has been handed out, so every observer still sees the tokens already handed out before
   * the request's end; the request gets nothing more from that step.
   */
  abort(requestId: string): boolean {
    const seq = this.byId.get(requestId);
    if (!seq) return false;
    if (this.abortedDuringRelease) this.abortedDuringRelease.add(seq);
    else this.finishAborted(seq);
    return true;
  }

  /**
   * Stops scheduling (vLLM's sleep pauses its scheduler): requests in flight hold where they are
   * and new ones queue until `resume()`. The step in flight still completes.
   */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.wake();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Aborts everything (shutdown). */
  abortAll(): void {
    for (const id of [...this.byId.keys()]) this.abort(id);
  }

  /**
   * A step's tokens are handed out a little before their scheduled time (see ReleasePacer), so an
   * abort right after them may come before it on the clock: the end is never earlier than the last token.
   */
  private finishAborted(seq: Sequence): void {
    this.finish(seq, 'abort', Math.max(this.clock.now(), seq.lastTokenTime ?? -Infinity));
  }

  /** Starts a step on the next turn of the clock, so requests arriving together share it. */
  private wake(): void {
    if (this.stepTimer !== null || this.paused) return;
    this.stepTimer = this.clock.at(Math.max(this.clock.now(), this.lastStepEnd), () => this.startStep(false));
  }

  /** `continuing`: called at the end of the previous step, rather than by a new arrival on an idle engine. */
  private startStep(continuing: boolean): void {
    // A request submitted while the previous step was handed out (an observer reacting to it)
    // woke the engine meanwhile: this step takes it, and exactly one step stays in flight.
    this.cancelStepTimer();
    // Requests still in the API server reach the scheduler below (admitIncoming): no early return on an empty scheduler.
    if (this.paused) return;
    const now = this.clock.now();
    // Steps run back to back from the previous step's end, so a late timer does not shift the schedule;
    // an idle engine starts at once, or when an aborted step would have ended.
    const start = continuing && now - this.lastStepEnd < MAX_CATCH_UP_MS ? this.lastStepEnd : Math.max(now, this.lastStepEnd);
    // Under async scheduling vLLM planned this step when the previous one started (if that one left
    // work for it), so it takes only the requests that had reached the scheduler by then.
    const planned = continuing && this.plannedAhead && this.timing.asyncScheduling;
    this.admitIncoming(planned ? this.lastStepStart : start);
    // Nothing was left to plan ahead with after all (the work ended by abort): the step is planned now.
    if (!this.scheduler.hasWork) this.admitIncoming(start);
    if (!this.scheduler.hasWork) return;
    const plan = this.scheduler.schedule(start);
    // Nothing can run (the queue head cannot be admitted, or KV transfers are still in flight): wait
    // for the next arrival, abort or finished transfer instead of spinning through empty steps.
    if (plan.work.length === 0 && this.scheduler.running.length === 0) {
      const transfer = this.scheduler.nextTransferDone;
      if (transfer !== undefined) this.stepTimer = this.clock.at(Math.max(transfer, start), () => this.startStep(false));
      return;
    }
    const end = start + this.timing.durationMs(plan.batch, plan.loraLoadMs);
    this.lastStepEnd = end;
    this.lastStepStart = start;
    this.plannedAhead = leavesWork(plan, this.scheduler.running.length, this.scheduler.waiting.length);
    // An observer of the scheduling events may have submitted (and woken the engine): this step's
    // end starts the next one, which takes the newcomer.
    this.cancelStepTimer();
    this.stepTimer = this.clock.at(end - this.pacer.lead(tokensOut(plan.work), end - start), () => this.completeStep(plan, end));
  }

  private cancelStepTimer(): void {
    this.stepTimer?.cancel();
    this.stepTimer = null;
  }

  private completeStep(plan: StepPlan, end: Millis): void {
    this.stepTimer = null;
    let computed: number;
    this.abortedDuringRelease = new Set();
    try {
      computed = this.release(plan.work, end);
    } finally {
      const aborted = this.abortedDuringRelease;
      this.abortedDuringRelease = null;
      for (const seq of aborted) this.finishAborted(seq);
    }
    this.events.emit('step', {
      startTime: plan.start,
      endTime: end,
      prefillTokens: plan.batch.prefillTokens,
      decodeSeqs: plan.batch.decodeSeqs,
      totalTokens: computed,
      running: this.scheduler.running.length,
      waiting: this.scheduler.waiting.length + this.scheduler.transferring.length,
      waitingDeferred: this.scheduler.deferredCount(),
      kvCacheUsage: this.kv.usage,
    });
    this.startStep(true);
  }

  /**
   * Hands out the step's tokens in three passes. The doors first (what a client sees), then
   * `released` (their writes), so the burst the release lead centres is nothing but them; then the
   * engine-wide observers (metrics), then the requests that ended. All carry the step's scheduled
   * end, so the order is invisible to what they record; it only keeps observer work out of the way.
   */
  private release(work: readonly ScheduledWork[], end: Millis): number {
    const releaseStart = this.clock.now();
    const released: TokenEvent[] = [];
    const ending: { seq: Sequence; reason: FinishReason }[] = [];
    let computed = 0;
    for (const entry of work) {
      computed += entry.tokens;
      // Aborted or preempted during the step, aborted while it is handed out, sitting it out, or a
      // chunk of a longer prefill: nothing to hand out.
      if (!this.scheduler.advance(entry, this.abortedDuringRelease ?? undefined)) continue;
      const { seq } = entry;
      const outputs = seq.request.outputTokenIds.length;
      // A pooling request (no output tokens) is done once its prompt is: its prefill is its first
      // and last step, which vLLM counts as its first token (prompt tokens, TTFT).
      if (outputs === 0) released.push(this.prefilled(seq, end));
      if (seq.generated < outputs) {
        const event = this.nextToken(seq, end);
        released.push(event);
        try {
          seq.observer.onTokens(event);
        } catch (err) {
          // The door that submitted it cannot take its tokens: end the request rather than the engine.
          this.report(`The observer of request ${seq.id} failed; the request ends with an error`, err);
          ending.push({ seq, reason: 'error' });
          continue;
        }
      }
      if (seq.generated >= outputs) ending.push({ seq, reason: seq.request.finishReason });
    }
    const handedOut = this.clock.now();
    this.events.emit('released', { time: end, tokens: released.length });
    this.pacer.measured(released.length, handedOut - releaseStart, this.clock.now() - handedOut);
    for (const event of released) this.events.emit('tokens', event);
    // One aborted after its last token was handed out still ends as it would have: that token
    // carried its end, as in vLLM, where the abort would find the request already finished.
    for (const { seq, reason } of ending) this.finish(seq, reason, end);
    return computed;
  }

  /** The end of a prefill-only request's prompt: an event with no tokens, for the engine-wide observers. */
  private prefilled(seq: Sequence, time: Millis): TokenEvent {
    seq.firstTokenTime ??= time;
    seq.lastTokenTime = time;
    return { requestId: seq.id, tokenIds: [], generated: 0, time };
  }

  /** Produces the sequence's next output token at `time`. */
  private nextToken(seq: Sequence, time: Millis): TokenEvent {
    const tokenId = seq.request.outputTokenIds[seq.generated];
    seq.generated++;
    const interTokenMs = seq.lastTokenTime === undefined ? undefined : time - seq.lastTokenTime;
    seq.firstTokenTime ??= time;
    seq.lastTokenTime = time;
    return { requestId: seq.id, tokenIds: [tokenId], generated: seq.generated, time, interTokenMs };
  }

  private finish(seq: Sequence, reason: FinishReason, time: Millis): void {
    if (seq.status === 'finished') return;
    this.dropIncoming(seq);
    // The prefill side of P/D hands its full blocks to the decoder (NIXL's remote_block_ids).
    const blockIds = seq.request.reportBlocks ? seq.blocks.slice(0, Math.floor(seq.numComputed / this.kv.blockSize)).map((b) => b.id) : undefined;
    this.scheduler.remove(seq);
    seq.status = 'finished';
    this.byId.delete(seq.id);
    const outcome: RequestOutcome = {
      requestId: seq.id,
      finishReason: reason,
      promptTokens: seq.numPromptTokens,
      generatedTokens: seq.generated,
      cachedTokens: seq.cachedTokens,
      maxTokens: seq.request.maxTokens,
      n: seq.request.n,
      group: seq.request.group,
      origin: seq.request.origin,
      arrivalTime: seq.arrivalTime,
      scheduledTime: seq.scheduledTime,
      firstTokenTime: seq.firstTokenTime,
      finishedTime: time,
      numPreemptions: seq.numPreemptions,
      transferredTokens: seq.transferredTokens,
      ...(blockIds ? { blockIds } : {}),
      ...(seq.request.lora ? { lora: seq.request.lora.name } : {}),
    };
    this.events.emit('finished', outcome);
    try {
      seq.observer.onFinished(outcome);
    } catch (err) {
      this.report(`The observer of request ${seq.id} failed at its end`, err);
    }
    if (!this.scheduler.hasWork && this.stepTimer !== null) {
      this.cancelStepTimer();
      // Requests still held for the step after next have nothing to wait for now.
      if (this.incoming.length > 0) this.wake();
    }
  }
}
