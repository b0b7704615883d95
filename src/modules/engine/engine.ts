import { Clock, Millis, TimerHandle } from './clock';
import {
  EngineEvents,
  EngineState,
  FinishReason,
  GenerationHandle,
  GenerationObserver,
  GenerationRequest,
  RequestOutcome,
  TokenEvent,
} from './engine.types';
import { KvBlock, KvCache, blockHash } from './kv-cache';
import { Sequence } from './sequence';
import { StepTiming } from './step-timing';
import { StepBatch } from '../benchmarks/profile.types';

export interface EngineLimits {
  /** Read at every step: `max_num_seqs` may change at run time. */
  maxNumSeqs: () => number;
  maxNumBatchedTokens: number;
}

/** A request the engine can never serve (empty prompt, or larger than the whole KV cache). */
export class EngineRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineRefusal';
  }
}

/** How far behind the schedule the wall clock may fall before the engine re-bases on it. */
const MAX_CATCH_UP_MS = 20;
/** Steps measured for the release burst, and the fewest tokens a step must hand out to be measured. */
const RELEASE_SAMPLES = 15;
const RELEASE_SAMPLE_MIN_TOKENS = 4;

interface ScheduledWork {
  seq: Sequence;
  /** Tokens computed in the step; 0 for a slowed-down sequence sitting it out. */
  tokens: number;
}

/** Per token: handing it to its door (render a chunk) and the doors' flush on `released` (write it). */
interface ReleaseSample {
  handOut: Millis;
  flush: Millis;
}

type Listener<K extends keyof EngineEvents> = (payload: EngineEvents[K]) => void;

/**
 * Typed event bus for engine-wide observers (metrics, request log, status). A listener that throws
 * is reported and skipped: an observer's bug must not stop the engine or the other observers.
 */
export class EngineEventBus {
  private readonly listeners: { [K in keyof EngineEvents]?: readonly Listener<K>[] } = {};

  constructor(private readonly onListenerError: (err: unknown, event: string) => void) {}

  on<K extends keyof EngineEvents>(event: K, listener: Listener<K>): () => void {
    // Copy on write, so a listener may unsubscribe while an emit iterates.
    this.listeners[event] = [...(this.listeners[event] ?? []), listener] as never;
    return () => {
      this.listeners[event] = (this.listeners[event] ?? []).filter((l) => l !== listener) as never;
    };
  }

  emit<K extends keyof EngineEvents>(event: K, payload: EngineEvents[K]): void {
    const listeners = this.listeners[event] as readonly Listener<K>[] | undefined;
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }
}

/** Where the engine reports an observer's exception (the server logs it; tests may collect it). */
export type EngineErrorReporter = (message: string, err: unknown) => void;

const consoleReporter: EngineErrorReporter = (message, err) => console.error(message, err);

/** Tokens a step will hand out: not the chunks of longer prefills, nor the sequences sitting it out. */
function tokensOut(work: readonly ScheduledWork[]): number {
  let n = 0;
  for (const { seq, tokens } of work) if (tokens > 0 && seq.numComputed + tokens >= seq.numTokens && seq.generated < seq.request.outputTokenIds.length) n++;
  return n;
}

/**
 * A simulated vLLM V1 engine core: a FIFO waiting queue, a running batch of at most `max_num_seqs`,
 * chunked prefill sharing each step's token budget with the decodes, a paged KV cache with prefix
 * caching, and preemption by recompute when blocks run out. One timer per step drives the whole
 * batch; every token of a step is released at the step's end, together.
 */
export class Engine {
  readonly events: EngineEventBus;
  private readonly waiting: Sequence[] = [];
  private readonly running: Sequence[] = [];
  private readonly byId = new Map<string, Sequence>();
  private stepTimer: TimerHandle | null = null;
  /** End of the step in flight (or of the last one), so back-to-back steps do not drift. */
  private lastStepEnd: Millis = -Infinity;
  /** Requests aborted while a step hands out its tokens (see abort); null outside that window. */
  private abortedDuringRelease: Set<Sequence> | null = null;
  /** Wall time per token the doors took in recent large steps. */
  private readonly releaseSamples: ReleaseSample[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly kv: KvCache,
    private readonly timing: StepTiming,
    private readonly limits: EngineLimits,
    private readonly report: EngineErrorReporter = consoleReporter,
  ) {
    this.events = new EngineEventBus((err, event) => this.report(`An engine observer of "${event}" failed`, err));
  }

  get state(): EngineState {
    return { running: this.running.length, waiting: this.waiting.length, kvCacheUsage: this.kv.usage, kvCacheBlocks: this.kv.numBlocks };
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
      throw new EngineRefusal(
        `The request needs ${total} tokens of KV cache but the whole cache holds ${this.kv.numBlocks * this.kv.blockSize}.`,
      );
    }
    const now = this.clock.now();
    const seq = new Sequence(request, observer, now);
    this.byId.set(request.id, seq);
    this.waiting.push(seq);
    this.events.emit('queued', { requestId: request.id, promptTokens: seq.numPromptTokens, time: now });
    this.wake();
    return { requestId: request.id, abort: () => this.abort(request.id) };
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
   * A step's tokens are handed out a little before their scheduled time (see releaseLead), so an
   * abort right after them may come before it on the clock: the end is never earlier than the last token.
   */
  private finishAborted(seq: Sequence): void {
    this.finish(seq, 'abort', Math.max(this.clock.now(), seq.lastTokenTime ?? -Infinity));
  }

  /** Aborts everything (shutdown). */
  abortAll(): void {
    for (const id of [...this.byId.keys()]) this.abort(id);
  }

  /** Starts a step on the next turn of the clock, so requests arriving together share it. */
  private wake(): void {
    if (this.stepTimer !== null) return;
    this.stepTimer = this.clock.at(Math.max(this.clock.now(), this.lastStepEnd), () => this.startStep(false));
  }

  /** `continuing`: called at the end of the previous step, rather than by a new arrival on an idle engine. */
  private startStep(continuing: boolean): void {
    // A request submitted while the previous step was handed out (an observer reacting to it)
    // woke the engine meanwhile: this step takes it, and exactly one step stays in flight.
    this.cancelStepTimer();
    if (this.running.length === 0 && this.waiting.length === 0) return;
    const now = this.clock.now();
    // Steps run back to back from the previous step's end, so a late timer does not shift the schedule;
    // an idle engine starts at once, or when an aborted step would have ended.
    const start = continuing && now - this.lastStepEnd < MAX_CATCH_UP_MS ? this.lastStepEnd : Math.max(now, this.lastStepEnd);
    const work = this.schedule(start);
    // Nothing can run (only possible if the queue head cannot be admitted): wait for the next arrival
    // or abort instead of spinning through empty zero-length steps.
    if (work.length === 0 && this.running.length === 0) return;
    const batch = this.describe(work);
    const end = start + this.timing.durationMs(batch);
    this.lastStepEnd = end;
    // An observer of the scheduling events may have submitted (and woken the engine): this step's
    // end starts the next one, which takes the newcomer.
    this.cancelStepTimer();
    this.stepTimer = this.clock.at(end - this.releaseLead(tokensOut(work), end - start), () => this.completeStep(work, batch, start, end));
  }

  private cancelStepTimer(): void {
    this.stepTimer?.cancel();
    this.stepTimer = null;
  }

  /**
   * How early to start handing out a step's tokens. The doors take them one after the other: they
   * render a chunk for each, then write them all on `released` (a socket write each, ~10-20 µs on
   * a small VM), so 256 streams take milliseconds. Starting the rendering early enough that the
   * writes are centred on the step's end puts every token within half a write burst of its
   * scheduled time, and every stream keeps its place, so inter-token times are unchanged. The
   * events still carry the scheduled time. Zero on the virtual clock, where handing out takes no time.
   */
  private releaseLead(tokens: number, stepMs: Millis): Millis {
    if (this.releaseSamples.length === 0) return 0;
    // Medians shrug off a step stretched by a GC pause; never earlier than the step's middle.
    const median = (pick: (s: ReleaseSample) => number): number => {
      const sorted = this.releaseSamples.map(pick).sort((a, b) => a - b);
      return sorted[sorted.length >> 1];
    };
    return Math.min(stepMs / 2, tokens * (median((s) => s.handOut) + median((s) => s.flush) / 2));
  }

  private sampleRelease(tokens: number, handOutMs: Millis, flushMs: Millis): void {
    // Small steps are dominated by fixed costs (and their burst is short anyway).
    if (tokens < RELEASE_SAMPLE_MIN_TOKENS) return;
    this.releaseSamples.push({ handOut: handOutMs / tokens, flush: flushMs / tokens });
    if (this.releaseSamples.length > RELEASE_SAMPLES) this.releaseSamples.shift();
  }

  /** vLLM V1's scheduling pass: running requests first (decodes and unfinished prefills), then the queue. */
  private schedule(now: Millis): ScheduledWork[] {
    const work: ScheduledWork[] = [];
    let budget = this.limits.maxNumBatchedTokens;
    let preempted = false;
    for (let i = 0; i < this.running.length && budget > 0; i++) {
      const seq = this.running[i];
      // A slowed-down sequence sitting out this step still holds its batch slot: the step costs a decode for it.
      if (!seq.takeTurn()) {
        work.push({ seq, tokens: 0 });
        continue;
      }
      const tokens = Math.min(seq.numTokens - seq.numComputed, budget);
      if (tokens <= 0) continue;
      // Out of blocks: preempt from the back of the batch (the newest) until this one fits, as vLLM does.
      while (!this.grow(seq, tokens)) {
        const victim = this.running[this.running.length - 1];
        this.preempt(victim);
        preempted = true;
        if (victim === seq) break;
      }
      if (seq.status !== 'running') break;
      work.push({ seq, tokens });
      budget -= tokens;
    }
    if (preempted) return work;
    while (this.waiting.length > 0 && budget > 0 && this.running.length < this.limits.maxNumSeqs()) {
      const seq = this.waiting[0];
      // As vLLM's allocate_slots: cached blocks are only taken when the whole admission fits, so a
      // request left in the queue holds nothing (else queued requests could pin the cache and stall it).
      const prefix = this.findPrefix(seq);
      const tokens = Math.min(seq.numTokens - prefix.hit.length * this.kv.blockSize, budget);
      if (!this.fits(prefix.hit, tokens)) break;
      this.admitPrefix(seq, prefix);
      this.grow(seq, tokens);
      this.waiting.shift();
      seq.status = 'running';
      this.running.push(seq);
      const resumed = seq.scheduledTime !== undefined;
      seq.scheduledTime ??= now;
      this.events.emit('scheduled', { requestId: seq.id, time: now, resumed });
      work.push({ seq, tokens });
      budget -= tokens;
    }
    return work;
  }

  /** The sequence's cached prefix (at least one token is always computed, as vLLM does). Takes nothing. */
  private findPrefix(seq: Sequence): { hit: KvBlock[]; hashes: number[] } {
    if (!this.kv.prefixCaching) return { hit: [], hashes: [] };
    const bs = this.kv.blockSize;
    const fullBlocks = Math.floor((seq.numTokens - 1) / bs);
    const hashes: number[] = [];
    let parent = 0;
    for (let b = 0; b < fullBlocks; b++) {
      parent = blockHash(parent, seq.tokenAt, b * bs, (b + 1) * bs);
      hashes.push(parent);
    }
    return { hit: this.kv.lookup(hashes), hashes };
  }

  /** Whether the cached blocks plus fresh ones for `tokens` more can be had (cached blocks sitting in the free queue count against it). */
  private fits(hit: readonly KvBlock[], tokens: number): boolean {
    const fresh = this.kv.blocksFor(hit.length * this.kv.blockSize + tokens) - hit.length;
    let evictableHits = 0;
    for (const block of hit) if (block.free) evictableHits++;
    return fresh <= this.kv.freeBlocks - evictableHits;
  }

  private admitPrefix(seq: Sequence, { hit, hashes }: { hit: KvBlock[]; hashes: number[] }): void {
    this.kv.acquire(hit);
    seq.blocks = hit;
    seq.blockHashes = hashes.slice(0, hit.length);
    seq.numComputed = hit.length * this.kv.blockSize;
    if (seq.numPreemptions === 0) {
      seq.cachedTokens = seq.numComputed;
      if (this.kv.prefixCaching) this.events.emit('prefixCache', { queries: seq.numTokens, hits: seq.numComputed });
    }
  }

  /** Makes room for `tokens` more computed tokens; false (nothing taken) when the cache is full. */
  private grow(seq: Sequence, tokens: number): boolean {
    const needed = this.kv.blocksFor(seq.numComputed + tokens) - seq.blocks.length;
    if (needed <= 0) return true;
    const fresh = this.kv.allocate(needed);
    if (!fresh) return false;
    seq.blocks.push(...fresh);
    return true;
  }

  private preempt(seq: Sequence): void {
    this.kv.release(seq.blocks);
    seq.blocks = [];
    seq.blockHashes = [];
    seq.numComputed = 0;
    seq.numPreemptions++;
    seq.status = 'waiting';
    this.running.splice(this.running.indexOf(seq), 1);
    this.waiting.unshift(seq);
    this.events.emit('preempted', { requestId: seq.id, time: this.clock.now() });
  }

  private describe(work: readonly ScheduledWork[]): StepBatch {
    const batch: StepBatch = { prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: 0, decodeContextTokens: 0 };
    for (const { seq, tokens } of work) {
      if (tokens <= 1 && seq.generated > 0) {
        batch.decodeSeqs++;
        batch.decodeContextTokens += seq.numComputed + 1;
      } else {
        batch.prefillTokens += tokens;
        batch.prefillContextTokens += seq.numComputed;
        if (tokens > 0) {
          // Per sequence, for the step model's causal attention cost.
          batch.prefillSeqs = (batch.prefillSeqs ?? 0) + 1;
          batch.prefillAttentionTokens = (batch.prefillAttentionTokens ?? 0) + tokens * (seq.numComputed + tokens / 2);
        }
      }
    }
    return batch;
  }

  private completeStep(work: readonly ScheduledWork[], batch: StepBatch, start: Millis, end: Millis): void {
    this.stepTimer = null;
    let computed: number;
    this.abortedDuringRelease = new Set();
    try {
      computed = this.release(work, end);
    } finally {
      const aborted = this.abortedDuringRelease;
      this.abortedDuringRelease = null;
      for (const seq of aborted) this.finishAborted(seq);
    }
    this.events.emit('step', {
      startTime: start,
      endTime: end,
      prefillTokens: batch.prefillTokens,
      decodeSeqs: batch.decodeSeqs,
      totalTokens: computed,
      running: this.running.length,
      waiting: this.waiting.length,
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
    const aborted = this.abortedDuringRelease;
    for (const { seq, tokens } of work) {
      computed += tokens;
      // Aborted or preempted during the step, aborted while it is handed out, or sitting it out.
      if (seq.status !== 'running' || aborted?.has(seq) || tokens === 0) continue;
      seq.numComputed += tokens;
      this.registerFullBlocks(seq);
      if (seq.numComputed < seq.numTokens) continue; // a chunk of a longer prefill
      const outputs = seq.request.outputTokenIds.length;
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
    this.sampleRelease(released.length, handedOut - releaseStart, this.clock.now() - handedOut);
    for (const event of released) this.events.emit('tokens', event);
    // One aborted after its last token was handed out still ends as it would have: that token
    // carried its end, as in vLLM, where the abort would find the request already finished.
    for (const { seq, reason } of ending) this.finish(seq, reason, end);
    return computed;
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

  private registerFullBlocks(seq: Sequence): void {
    if (!this.kv.prefixCaching) return;
    const bs = this.kv.blockSize;
    const full = Math.min(Math.floor(seq.numComputed / bs), seq.blocks.length);
    for (let b = seq.blockHashes.length; b < full; b++) {
      const hash = blockHash(seq.blockHashes[b - 1] ?? 0, seq.tokenAt, b * bs, (b + 1) * bs);
      seq.blockHashes.push(hash);
      this.kv.register(seq.blocks[b], hash);
    }
  }

  private finish(seq: Sequence, reason: FinishReason, time: Millis): void {
    if (seq.status === 'finished') return;
    if (seq.status === 'running') this.running.splice(this.running.indexOf(seq), 1);
    else this.waiting.splice(this.waiting.indexOf(seq), 1);
    seq.status = 'finished';
    this.kv.release(seq.blocks);
    seq.blocks = [];
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
    };
    this.events.emit('finished', outcome);
    try {
      seq.observer.onFinished(outcome);
    } catch (err) {
      this.report(`The observer of request ${seq.id} failed at its end`, err);
    }
    if (this.running.length === 0 && this.waiting.length === 0 && this.stepTimer !== null) {
      this.stepTimer.cancel();
      this.stepTimer = null;
    }
  }
}
