import { Type } from 'class-transformer';
import { ArrayMinSize, IsInt, IsNumber, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { Random } from '../../common/random';
import { Engine } from '../engine/engine';
import { VirtualClock } from '../engine/virtual-clock';

export class LengthDistribution {
  @IsNumber() @Min(1) mean!: number;
  @IsOptional() @IsNumber() @Min(0) stdev?: number;
  @IsOptional() @IsInt() @Min(1) min?: number;
  @IsOptional() @IsInt() @Min(1) max?: number;
}

export class WorkloadStage {
  /** Poisson arrival rate, requests per second. */
  @IsNumber() @Min(0) rate!: number;
  /** Seconds. */
  @IsNumber() @Min(0) duration!: number;
}

export class SharedPrefix {
  @IsInt() @Min(1) num_prefixes!: number;
  @IsInt() @Min(1) prefix_tokens!: number;
}

/** A workload file for `vllm-simulator simulate` (JSON or YAML). */
export class Workload {
  @IsString() model = 'mistralai/Mistral-7B-Instruct-v0.3';
  @IsString() gpu = 'NVIDIA-L4';
  @IsInt() @Min(1) tensor_parallel_size = 1;
  @IsInt() @Min(1) max_num_seqs = 256;
  @IsInt() @Min(1) max_num_batched_tokens = 8192;
  @IsOptional() @IsInt() seed?: number;
  @ValidateNested() @Type(() => LengthDistribution) prompt_tokens!: LengthDistribution;
  @ValidateNested() @Type(() => LengthDistribution) output_tokens!: LengthDistribution;
  @IsOptional() @ValidateNested() @Type(() => SharedPrefix) prefix?: SharedPrefix;
  @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => WorkloadStage) stages!: WorkloadStage[];
}

export interface Summary {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface StageReport {
  stage: number | 'overall';
  requests: number;
  ttft_ms: Summary;
  itl_ms: Summary;
  e2e_ms: Summary;
  throughput: { requests_per_s: number; output_tokens_per_s: number };
  mean_running: number;
  mean_waiting: number;
}

export interface WorkloadReport {
  stages: StageReport[];
  overall: StageReport;
  simulated_seconds: number;
  wall_ms: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { mean: 0, p50: 0, p90: 0, p99: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return { mean: round(values.reduce((s, v) => s + v, 0) / values.length), p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)) };
}

function draw(random: Random, d: LengthDistribution): number {
  const raw = d.mean + (d.stdev ?? 0) * random.gaussian();
  return Math.max(d.min ?? 1, Math.min(d.max ?? Number.MAX_SAFE_INTEGER, Math.round(raw)));
}

/** One request of a replay: when it arrives (ms on the virtual clock), its prompt and its exact output length. */
export interface PlannedRequest {
  arrival: number;
  promptTokenIds: readonly number[];
  outputTokens: number;
  /** Index of the stage it belongs to (0 when the replay has one). */
  stage: number;
}

/** A stage's window on the virtual clock, ms: [start, end). */
export interface StageWindow {
  start: number;
  end: number;
}

/** How a replay sends its requests (the client side of a benchmark tool). */
export interface ReplayOptions {
  /**
   * At most this many requests in flight, as `vllm bench serve --max-concurrency` (an asyncio
   * semaphore) or AIPerf's `--concurrency`: a request that falls due while the limit is reached
   * waits, first come first served, and is sent the moment one in flight finishes. Undefined: every
   * request is sent when it falls due (open loop).
   */
  maxConcurrency?: number;
}

/** One request as its client saw it, times in ms on the virtual clock. */
export interface ReplayedRequest {
  request: PlannedRequest;
  /** When the client sent it: its arrival, or later if it waited for a concurrency slot. */
  sent: number;
  firstToken?: number;
  end?: number;
  /** Gaps between consecutive tokens. */
  itls: number[];
  outputTokens: number;
}

/** The workload's requests: Poisson arrivals per stage, lengths drawn from its distributions, optional shared prefixes. */
export function planWorkload(workload: Workload): { requests: PlannedRequest[]; stages: StageWindow[] } {
  const random = new Random(workload.seed ?? 1);
  const requests: PlannedRequest[] = [];
  const stages: StageWindow[] = [];
  let t = 0;
  let nextTokenBase = 100_000;
  workload.stages.forEach((stage, index) => {
    const end = t + stage.duration * 1000;
    stages.push({ start: t, end });
    let arrival = t;
    for (;;) {
      if (stage.rate <= 0) break;
      arrival += random.exponential(1000 / stage.rate);
      if (arrival >= end) break;
      const promptLen = draw(random, workload.prompt_tokens);
      const outputLen = draw(random, workload.output_tokens);
      const prefix = workload.prefix;
      const prefixId = prefix ? random.int(prefix.num_prefixes) : -1;
      const prefixLen = prefix ? Math.min(prefix.prefix_tokens, promptLen) : 0;
      const promptIds: number[] = [];
      for (let i = 0; i < prefixLen; i++) promptIds.push(1 + prefixId * 1_000_003 + i);
      for (let i = prefixLen; i < promptLen; i++) promptIds.push(nextTokenBase++);
      requests.push({ arrival, promptTokenIds: promptIds, outputTokens: outputLen, stage: index });
    }
    t = end;
  });
  return { requests, stages };
}

/**
 * Replays a workload through the engine on virtual time. No sleeping, so a long workload runs in
 * seconds; the engine code is the server's.
 */
export function runWorkload(workload: Workload, engine: Engine, clock: VirtualClock): WorkloadReport {
  const wallStart = performance.now();
  const { requests, stages } = planWorkload(workload);
  return { ...replayRequests(requests, engine, clock, stages), wall_ms: Math.round(performance.now() - wallStart) };
}

/**
 * Sends planned requests to the engine as a benchmark client would and runs the virtual clock until
 * all have finished. Latencies count from when a request is sent (TTFT, E2E), as vLLM's benchmark
 * tools and AIPerf measure them: time spent waiting for a client-side concurrency slot is not server
 * latency. Records come back in the order of `requests`.
 */
export function replayTimeline(
  requests: readonly PlannedRequest[],
  engine: Engine,
  clock: VirtualClock,
  options: ReplayOptions = {},
): ReplayedRequest[] {
  const limit = options.maxConcurrency ?? Number.POSITIVE_INFINITY;
  const records: ReplayedRequest[] = requests.map((request) => ({ request, sent: request.arrival, itls: [], outputTokens: 0 }));
  const waiting: number[] = [];
  let inFlight = 0;
  const send = (index: number): void => {
    const record = records[index];
    inFlight++;
    record.sent = clock.now();
    engine.submit(
      {
        id: `sim-${index + 1}`,
        promptTokenIds: record.request.promptTokenIds,
        outputTokenIds: new Array<number>(record.request.outputTokens).fill(7),
        finishReason: 'length',
        maxTokens: record.request.outputTokens,
        n: 1,
      },
      {
        onTokens: (e) => {
          record.firstToken ??= e.time;
          if (e.interTokenMs !== undefined) record.itls.push(e.interTokenMs);
          record.outputTokens = e.generated;
        },
        onFinished: (o) => {
          record.end = o.finishedTime;
          inFlight--;
          // The freed slot goes to the longest-waiting request, sent at this same instant (after the
          // engine has finished its step, as a client only learns of the end from the stream).
          const next = waiting.shift();
          if (next !== undefined) clock.at(clock.now(), () => send(next));
        },
      },
    );
  };
  // Due times in order; ties keep the order of `requests` (the clock runs equal-time timers in the order set).
  const order = requests.map((_, i) => i).sort((a, b) => requests[a].arrival - requests[b].arrival || a - b);
  for (const index of order)
    clock.at(requests[index].arrival, () => {
      if (inFlight < limit && waiting.length === 0) send(index);
      else waiting.push(index);
    });
  clock.runUntilIdle();
  return records;
}

/**
 * Replays explicit requests (e.g. the arrivals and token counts of a live run) through the engine on
 * virtual time and reports them per stage and overall. `stages` defaults to one stage from 0 to the
 * last arrival.
 */
export function replayRequests(
  requests: readonly PlannedRequest[],
  engine: Engine,
  clock: VirtualClock,
  stages: readonly StageWindow[] = [{ start: 0, end: Math.max(0, ...requests.map((r) => r.arrival)) }],
  options: ReplayOptions = {},
): WorkloadReport {
  const wallStart = performance.now();

  // Time-weighted running/waiting, from the engine's step events.
  const occupancy = stages.map(() => ({ running: 0, waiting: 0, time: 0 }));
  const overallOcc = { running: 0, waiting: 0, time: 0 };
  const off = engine.events.on('step', (s) => {
    const dt = s.endTime - s.startTime;
    const stage = stages.findIndex(({ start, end }) => s.startTime >= start && s.startTime < end);
    for (const acc of stage >= 0 ? [occupancy[stage], overallOcc] : [overallOcc]) {
      acc.running += s.running * dt;
      acc.waiting += s.waiting * dt;
      acc.time += dt;
    }
  });
  const records = replayTimeline(requests, engine, clock, options);
  off();

  const report = (stage: number | 'overall', rs: ReplayedRequest[], seconds: number, occ: { running: number; waiting: number; time: number }): StageReport => {
    const done = rs.filter((r) => r.end !== undefined);
    const outputTokens = done.reduce((s, r) => s + r.outputTokens, 0);
    return {
      stage,
      requests: rs.length,
      ttft_ms: summarize(done.map((r) => r.firstToken! - r.sent)),
      itl_ms: summarize(done.flatMap((r) => r.itls)),
      e2e_ms: summarize(done.map((r) => r.end! - r.sent)),
      throughput: {
        requests_per_s: seconds > 0 ? Math.round((done.length / seconds) * 1000) / 1000 : 0,
        output_tokens_per_s: seconds > 0 ? Math.round((outputTokens / seconds) * 10) / 10 : 0,
      },
      mean_running: occ.time > 0 ? Math.round((occ.running / occ.time) * 100) / 100 : 0,
      mean_waiting: occ.time > 0 ? Math.round((occ.waiting / occ.time) * 100) / 100 : 0,
    };
  };
  const totalSeconds = stages.length > 0 ? (stages[stages.length - 1].end - stages[0].start) / 1000 : 0;
  return {
    stages: stages.map((w, i) => report(i, records.filter((r) => r.request.stage === i), (w.end - w.start) / 1000, occupancy[i])),
    overall: report('overall', records, totalSeconds, overallOcc),
    simulated_seconds: Math.round(clock.now()) / 1000,
    wall_ms: Math.round(performance.now() - wallStart),
  };
}
