import { Random } from '../../common/random';
import { arrivalGapMs, nominalMean, sample, sampleTokens } from './distributions';
import { PlannedRequest, PlannedWorkload, StageWindow } from './planned-request';
import { FreshTokens, PromptRun } from './prompt-shape';
import { SimulateInputError, SIMULATE_LIMITS } from './simulate-errors';
import { clientClasses, ResolvedClientClass, WorkloadSpec } from './workload-spec';

export interface PlanOptions {
  /** Conversations stop growing before a turn would exceed this many tokens (prompt + reply). */
  maxModelLen?: number;
}

/** A planned request before the merge: later turns point at their previous turn directly. */
interface Draft {
  request: PlannedRequest;
  previous?: Draft;
  index?: number;
}

/**
 * The workload's requests: per client class and stage, arrivals from the class's arrival process at
 * the class's share of the stage's rate, lengths from its distributions, shared prefixes, and
 * conversations whose later turns carry the earlier ones (sent a think time after the previous
 * reply; they land in whichever stage that falls in). A conversation class starts conversations at
 * its rate / mean turns, so it offers about its share of the rate in requests.
 */
export function planWorkload(workload: WorkloadSpec, options: PlanOptions = {}): PlannedWorkload {
  const classes = clientClasses(workload);
  const stages: StageWindow[] = [];
  let t = 0;
  for (const stage of workload.stages) {
    const end = t + stage.duration * 1000;
    stages.push({ start: t, end, name: stage.name, rate: stage.rate });
    t = end;
  }
  const totalShare = classes.reduce((s, c) => s + c.share, 0);
  const fresh = new FreshTokens();
  const maxLen = options.maxModelLen ?? Number.POSITIVE_INFINITY;
  const drafts: Draft[] = [];
  classes.forEach((c, classIndex) => {
    const random = Random.derive(workload.seed ?? 1, `class:${classIndex}:${c.name}`);
    const meanTurns = c.session ? Math.max(1, nominalMean(c.session.turns)) : 1;
    stages.forEach((window, stageIndex) => {
      const rate = ((window.rate ?? 0) * c.share) / totalShare / meanTurns;
      if (rate <= 0) return;
      for (let arrival = window.start + arrivalGapMs(random, c.arrival.process, rate, c.arrival.burstiness); arrival < window.end; arrival += arrivalGapMs(random, c.arrival.process, rate, c.arrival.burstiness)) {
        planConversation(c, classIndex, stageIndex, arrival, random, fresh, maxLen, drafts);
        if (drafts.length > SIMULATE_LIMITS.maxRequests) throw new SimulateInputError(`The workload plans more than ${SIMULATE_LIMITS.maxRequests.toLocaleString('en-US')} requests, the most one run may send.`);
      }
    });
  });
  // Independent requests in arrival order (ties: class order); later turns after them, in plan order.
  const first = drafts.filter((d) => !d.previous);
  const later = drafts.filter((d) => d.previous);
  first.sort((a, b) => a.request.arrival - b.request.arrival);
  const ordered = [...first, ...later];
  ordered.forEach((d, i) => (d.index = i));
  for (const d of later) d.request.follows!.index = d.previous!.index!;
  return { requests: ordered.map((d) => d.request), stages, classes: classes.map((c) => c.name), end: t };
}

function planConversation(
  c: ResolvedClientClass,
  classIndex: number,
  stage: number,
  arrival: number,
  random: Random,
  fresh: FreshTokens,
  maxLen: number,
  out: Draft[],
): void {
  const turns = c.session ? Math.min(SIMULATE_LIMITS.maxTurns, Math.max(1, Math.round(sample(random, c.session.turns)))) : 1;
  let prompt: PromptRun[] = [];
  let previous: Draft | undefined;
  for (let turn = 0; turn < turns; turn++) {
    const userTokens = sampleTokens(random, c.prompt_tokens);
    const outputTokens = sampleTokens(random, c.output_tokens);
    const runs: PromptRun[] = [...prompt];
    if (previous) runs.push({ kind: 'reply', length: previous.request.outputTokens });
    let own = userTokens;
    if (turn === 0 && c.prefix) {
      // The shared system prompt counts towards prompt_tokens, as it always has in this file format.
      const prefixLen = Math.min(c.prefix.prefix_tokens, userTokens);
      runs.push({ kind: 'prefix', key: classIndex * 1_000_000 + random.int(c.prefix.num_prefixes), length: prefixLen });
      own -= prefixLen;
    }
    if (own > 0) runs.push(fresh.take(own));
    const length = runs.reduce((s, r) => s + r.length, 0);
    // A conversation that has outgrown the context window ends (its client would get a 400); a
    // first turn that is too long is still planned, and refused when sent.
    if (turn > 0 && length + outputTokens > maxLen) break;
    const thinkMs = previous && c.session?.think_time_s ? Math.max(0, sample(random, c.session.think_time_s) * 1000) : 0;
    const draft: Draft = {
      request: { arrival: previous ? Number.NaN : arrival, prompt: runs, outputTokens, stage, clientClass: classIndex, ...(previous ? { follows: { index: -1, thinkMs } } : {}) },
      previous,
    };
    out.push(draft);
    prompt = runs;
    previous = draft;
  }
}

/** Shortest steady stage a sweep point runs (s): long enough for the batch to fill and settle. */
export const SWEEP_MIN_DURATION_S = 60;

/** The workload's client mix at one steady rate, long enough for about `requests` requests: what a sweep point runs. */
export function steadyWorkload(workload: WorkloadSpec, rate: number, requests: number): WorkloadSpec {
  const duration = Math.max(SWEEP_MIN_DURATION_S, requests / rate);
  return Object.assign(Object.create(Object.getPrototypeOf(workload) as object) as WorkloadSpec, workload, { stages: [{ rate, duration }] });
}

/** A planned trace replayed at another mean rate: its timestamps stretched or squeezed. */
export function retimed(plan: PlannedWorkload, rate: number): PlannedWorkload {
  const base = plan.end > 0 ? (plan.requests.length * 1000) / plan.end : rate;
  const factor = base / rate;
  return {
    requests: plan.requests.map((r) => ({ ...r, arrival: r.arrival * factor })),
    stages: plan.stages.map((s) => ({ ...s, start: s.start * factor, end: s.end * factor, rate: s.rate === undefined ? undefined : s.rate / factor })),
    classes: plan.classes,
    end: plan.end * factor,
  };
}

/** Requests per second a plan offers over its arrival window. */
export function meanRate(plan: PlannedWorkload): number {
  return plan.end > 0 ? (plan.requests.length * 1000) / plan.end : 0;
}
