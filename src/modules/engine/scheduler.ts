import { StepBatch } from '../benchmarks/profile.types';
import { Millis } from './clock';
import { KvCacheManager } from './kv-cache-manager';
import { Sequence } from './sequence';

export interface EngineLimits {
  /** Read at every step: `max_num_seqs` may change at run time. */
  maxNumSeqs: () => number;
  maxNumBatchedTokens: number;
}

/** One sequence's share of a step. */
export interface ScheduledWork {
  seq: Sequence;
  /** Tokens computed in the step; 0 for a slowed-down sequence sitting it out. */
  tokens: number;
}

/** A sequence the step takes from the waiting queue. */
export interface Admission {
  seq: Sequence;
  /** Back after a preemption, rather than admitted for the first time. */
  resumed: boolean;
  /** First admission with prefix caching on: prompt tokens looked up, and those the cache held. */
  prefix?: { queries: number; hits: number };
}

/**
 * Told of each scheduling decision as it is made, within schedule(): an observer that submits a
 * request meanwhile has it queued in time to join this very step, as on vLLM.
 */
export interface SchedulingListener {
  admitted(admission: Admission, start: Millis): void;
  preempted(seq: Sequence): void;
}

/** What one step will do (vLLM's SchedulerOutput), decided before the step runs. */
export interface StepPlan {
  start: Millis;
  work: ScheduledWork[];
  /** Admitted from the queue, in order. */
  admitted: Admission[];
  /** Sent back to the queue to free blocks (their work is recomputed later), in order. */
  preempted: Sequence[];
  /** What the step-time model prices. */
  batch: StepBatch;
}

/**
 * vLLM V1's scheduler: a FIFO waiting queue and a running batch of at most `max_num_seqs`; each
 * step, running requests first (decodes and unfinished prefills), then the queue, under the step's
 * token budget, with chunked prefill and preemption by recompute when blocks run out. `schedule()`
 * decides a step; `advance()` applies each sequence's computed tokens once it has run.
 */
export class Scheduler {
  readonly waiting: Sequence[] = [];
  readonly running: Sequence[] = [];

  constructor(
    private readonly kv: KvCacheManager,
    private readonly limits: EngineLimits,
    private readonly listener?: SchedulingListener,
  ) {}

  get hasWork(): boolean {
    return this.running.length > 0 || this.waiting.length > 0;
  }

  enqueue(seq: Sequence): void {
    this.waiting.push(seq);
  }

  /** The step starting at `now`: running requests first, then admissions from the queue. */
  schedule(now: Millis): StepPlan {
    const plan: StepPlan = { start: now, work: [], admitted: [], preempted: [], batch: emptyBatch() };
    let budget = this.limits.maxNumBatchedTokens;
    for (let i = 0; i < this.running.length && budget > 0; i++) {
      const seq = this.running[i];
      // A slowed-down sequence sitting out this step still holds its batch slot: the step costs a decode for it.
      if (!seq.takeTurn()) {
        plan.work.push({ seq, tokens: 0 });
        continue;
      }
      const tokens = Math.min(seq.numTokens - seq.numComputed, budget);
      if (tokens <= 0) continue;
      // Out of blocks: preempt from the back of the batch (the newest) until this one fits, as vLLM does.
      while (!this.kv.grow(seq, tokens)) {
        const victim = this.running[this.running.length - 1];
        this.preempt(victim);
        plan.preempted.push(victim);
        this.listener?.preempted(victim);
        if (victim === seq) break;
      }
      if (seq.status !== 'running') break;
      plan.work.push({ seq, tokens });
      budget -= tokens;
    }
    if (plan.preempted.length === 0) {
      while (this.waiting.length > 0 && budget > 0 && this.running.length < this.limits.maxNumSeqs()) {
        const seq = this.waiting[0];
        // As vLLM's allocate_slots: cached blocks are only taken when the whole admission fits, so a
        // request left in the queue holds nothing (else queued requests could pin the cache and stall it).
        const prefix = this.kv.findPrefix(seq);
        const tokens = Math.min(seq.numTokens - prefix.hit.length * this.kv.blockSize, budget);
        if (!this.kv.fits(prefix.hit, tokens)) break;
        this.kv.takePrefix(seq, prefix);
        const admission: Admission = { seq, resumed: seq.scheduledTime !== undefined };
        if (seq.numPreemptions === 0) {
          seq.cachedTokens = seq.numComputed;
          if (this.kv.prefixCaching) admission.prefix = { queries: seq.numTokens, hits: seq.numComputed };
        }
        this.kv.grow(seq, tokens);
        this.waiting.shift();
        seq.status = 'running';
        this.running.push(seq);
        seq.scheduledTime ??= now;
        plan.admitted.push(admission);
        this.listener?.admitted(admission, now);
        plan.work.push({ seq, tokens });
        budget -= tokens;
      }
    }
    plan.batch = describe(plan.work);
    return plan;
  }

  /**
   * Applies one sequence's share of a step that has run: its computed tokens, and its newly full
   * blocks into the prefix cache. True when its prompt is now whole, so the step produced its next
   * output (a sequence that ended or sat out meanwhile, or a chunk of a longer prefill, gives none).
   * Called per sequence as the step is handed out, so one aborted meanwhile is skipped (`skip`).
   */
  advance({ seq, tokens }: ScheduledWork, skip?: ReadonlySet<Sequence>): boolean {
    if (seq.status !== 'running' || skip?.has(seq) || tokens === 0) return false;
    seq.numComputed += tokens;
    this.kv.registerFullBlocks(seq);
    return seq.numComputed >= seq.numTokens;
  }

  /** Takes a sequence out of its queue for good, and frees its blocks. */
  remove(seq: Sequence): void {
    const queue = seq.status === 'running' ? this.running : this.waiting;
    const at = queue.indexOf(seq);
    if (at >= 0) queue.splice(at, 1);
    this.kv.free(seq);
  }

  private preempt(seq: Sequence): void {
    this.kv.free(seq);
    seq.numComputed = 0;
    seq.numPreemptions++;
    seq.status = 'waiting';
    this.running.splice(this.running.indexOf(seq), 1);
    this.waiting.unshift(seq);
  }
}

function emptyBatch(): StepBatch {
  return { prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: 0, decodeContextTokens: 0 };
}

/** The step's work as the step-time model prices it: prefill tokens and decodes with their contexts. */
function describe(work: readonly ScheduledWork[]): StepBatch {
  const batch = emptyBatch();
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
