import { StepBatch } from '../benchmarks/profile.types';
import { Millis } from './clock';
import { KvCacheManager } from './kv-cache-manager';
import { LoraSlots } from './lora-slots';
import { Sequence } from './sequence';

export interface EngineLimits {
  /** Read at every step: `max_num_seqs` may change at run time. */
  maxNumSeqs: () => number;
  maxNumBatchedTokens: number;
  /** vLLM's max_loras (distinct adapters in one batch) and max_cpu_loras (adapters kept in host memory); unset = LoRA off. */
  lora?: { maxLoras: number; maxCpuLoras: number };
}

/** What pulling a remote prefill's KV costs (P/D decode side): time on the engine's clock, and bytes moved. */
export interface KvTransferCosts {
  transferMs(tokens: number): number;
  transferBytes(tokens: number): number;
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
  /** A remote prefill's KV started its transfer (its prefix lookup is done: `prefix` as for an admission). */
  transferStarted?(seq: Sequence, prefix: { queries: number; hits: number } | undefined): void;
  /** A remote prefill's KV arrived: `tokens` pulled between `start` and `end`. */
  transferred?(seq: Sequence, tokens: number, start: Millis, end: Millis): void;
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
  /** Adapters swapped into GPU slots for this step, which the step waits for (ms at latency scale 1). */
  loraLoadMs: number;
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
  /** Remote prefills whose KV is on its way: they hold their blocks and wait outside the queue (vLLM's WAITING_FOR_REMOTE_KVS). */
  readonly transferring: Sequence[] = [];
  private readonly loraSlots?: LoraSlots;

  constructor(
    private readonly kv: KvCacheManager,
    private readonly limits: EngineLimits,
    private readonly listener?: SchedulingListener,
    private readonly transfers?: KvTransferCosts,
  ) {
    if (limits.lora) this.loraSlots = new LoraSlots(limits.lora.maxLoras, limits.lora.maxCpuLoras);
  }

  get hasWork(): boolean {
    return this.running.length > 0 || this.waiting.length > 0 || this.transferring.length > 0;
  }

  /** When the next KV transfer in flight is done, if any: an idle engine wakes then. */
  get nextTransferDone(): Millis | undefined {
    let next: Millis | undefined;
    for (const seq of this.transferring) next = next === undefined ? seq.transferDoneAt! : Math.min(next, seq.transferDoneAt!);
    return next;
  }

  /** The adapter registry this scheduler activates adapters from (vLLM's add_lora / remove_lora). */
  get loras(): LoraSlots | undefined {
    return this.loraSlots;
  }

  /**
   * Waiting requests held back by a constraint rather than by capacity (vLLM's skipped waiting
   * queue, `reason="deferred"`): a KV transfer in flight, or an adapter the batch has no room for.
   */
  deferredCount(): number {
    let n = this.transferring.length;
    if (!this.limits.lora) return n;
    const active = this.runningLoras();
    for (const seq of this.waiting) if (!this.loraAdmissible(seq, active)) n++;
    return n;
  }

  /** Adapters with requests running and waiting, by name (vLLM's lora_requests_info labels). */
  loraNames(): { running: string[]; waiting: string[] } {
    const names = (seqs: readonly Sequence[]) => [...new Set(seqs.flatMap((s) => (s.request.lora ? [s.request.lora.name] : [])))];
    return { running: names(this.running), waiting: names([...this.waiting, ...this.transferring]) };
  }

  enqueue(seq: Sequence): void {
    this.waiting.push(seq);
  }

  /** The step starting at `now`: running requests first, then admissions from the queue. */
  schedule(now: Millis): StepPlan {
    const plan: StepPlan = { start: now, work: [], admitted: [], preempted: [], batch: emptyBatch(), loraLoadMs: 0 };
    this.finishTransfers(now);
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
      const active = this.runningLoras();
      let i = 0;
      while (i < this.waiting.length && budget > 0 && this.running.length < this.limits.maxNumSeqs()) {
        const seq = this.waiting[i];
        // As vLLM: a request whose adapter the batch has no slot for is skipped, not blocking the queue behind it.
        if (!this.loraAdmissible(seq, active)) {
          i++;
          continue;
        }
        if (seq.request.remotePrefill && seq.transferredTokens === 0) {
          if (!this.startTransfer(seq, now)) break;
          continue;
        }
        let tokens: number;
        let admission: Admission;
        if (seq.kvLoaded) {
          // Its transferred prompt already sits in its blocks: only the last prompt token is computed.
          tokens = Math.min(seq.numTokens - seq.numComputed, budget);
          if (!this.kv.grow(seq, tokens)) break;
          seq.kvLoaded = false;
          admission = { seq, resumed: false };
        } else {
          // As vLLM's allocate_slots: cached blocks are only taken when the whole admission fits, so a
          // request left in the queue holds nothing (else queued requests could pin the cache and stall it).
          const prefix = this.kv.findPrefix(seq);
          tokens = Math.min(seq.numTokens - prefix.hit.length * this.kv.blockSize, budget);
          if (!this.kv.fits(prefix.hit, tokens)) break;
          this.kv.takePrefix(seq, prefix);
          admission = { seq, resumed: seq.scheduledTime !== undefined };
          if (seq.numPreemptions === 0) {
            seq.cachedTokens = seq.numComputed;
            if (this.kv.prefixCaching) admission.prefix = { queries: seq.numTokens, hits: seq.numComputed };
          }
          this.kv.grow(seq, tokens);
        }
        const lora = seq.request.lora;
        if (lora && this.loraSlots) {
          plan.loraLoadMs += this.loraSlots.activate(lora, active);
          active.add(lora.id);
        }
        this.waiting.splice(i, 1);
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

  /** Adapter ids of the running batch. */
  private runningLoras(): Set<number> {
    const ids = new Set<number>();
    for (const seq of this.running) if (seq.request.lora) ids.add(seq.request.lora.id);
    return ids;
  }

  /** vLLM's rule: a batch holds at most max_loras distinct adapters; a request of a new one waits while it is full. */
  private loraAdmissible(seq: Sequence, active: ReadonlySet<number>): boolean {
    const lora = seq.request.lora;
    if (!lora || !this.limits.lora) return true;
    return active.has(lora.id) || active.size < this.limits.lora.maxLoras;
  }

  /**
   * A remote prefill's admission, as vLLM's NIXL connector makes it: blocks for the whole prompt
   * (the local prefix cache serves what it holds), then the rest of the prompt is pulled over the
   * link while the request waits outside the queue. False (nothing taken) when its blocks do not fit.
   */
  private startTransfer(seq: Sequence, now: Millis): boolean {
    const prefix = this.kv.findPrefix(seq);
    const hitTokens = prefix.hit.length * this.kv.blockSize;
    const pull = seq.numPromptTokens - hitTokens;
    if (!this.kv.fits(prefix.hit, pull)) return false;
    this.kv.takePrefix(seq, prefix);
    this.kv.grow(seq, pull);
    this.waiting.splice(this.waiting.indexOf(seq), 1);
    seq.transferredTokens = pull;
    // vLLM counts the pulled tokens as cached too, all but the last, which the decoder computes itself.
    seq.cachedTokens = seq.numPromptTokens - 1;
    seq.transferStartAt = now;
    seq.transferDoneAt = now + (this.transfers?.transferMs(pull) ?? 0);
    this.transferring.push(seq);
    this.listener?.transferStarted?.(seq, this.kv.prefixCaching ? { queries: seq.numTokens, hits: hitTokens } : undefined);
    return true;
  }

  /** Transfers done by `now`: their KV is in place (and cached, as vLLM caches the received blocks); they rejoin the queue first. */
  private finishTransfers(now: Millis): void {
    for (let i = this.transferring.length - 1; i >= 0; i--) {
      const seq = this.transferring[i];
      if (seq.transferDoneAt! > now) continue;
      this.transferring.splice(i, 1);
      seq.numComputed = seq.numPromptTokens - 1;
      seq.kvLoaded = true;
      this.kv.registerFullBlocks(seq);
      this.waiting.unshift(seq);
      this.listener?.transferred?.(seq, seq.transferredTokens, seq.transferStartAt!, seq.transferDoneAt!);
    }
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
    for (const queue of seq.status === 'running' ? [this.running] : [this.waiting, this.transferring]) {
      const at = queue.indexOf(seq);
      if (at >= 0) queue.splice(at, 1);
    }
    this.kv.free(seq);
  }

  private preempt(seq: Sequence): void {
    this.kv.free(seq);
    seq.numComputed = 0;
    seq.kvLoaded = false;
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
