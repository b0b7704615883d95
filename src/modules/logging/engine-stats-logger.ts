import { Clock, Millis, TimerHandle } from '../engine/clock';
import { EngineEventBus } from '../engine/event-bus';
import { EngineState } from '../engine/engine.types';
import { LogFields, LogLevelName } from './log-line';

/** Requests the prefix cache hit rate is taken over (vLLM's PrefixCachingMetrics max_recent_requests). */
const PREFIX_CACHE_WINDOW = 1000;

export interface EngineStatsLine {
  level: LogLevelName;
  message: string;
  fields: LogFields;
}

export type EngineStatsSink = (line: EngineStatsLine) => void;

/**
 * vLLM's LoggingStatLogger (`vllm/v1/metrics/loggers.py`): every interval, one line with the
 * prompt and generation throughput since the previous line, the running and waiting requests, KV
 * cache usage and the prefix cache hit rate over the last 1000 requests. At info while the engine is
 * busy (this interval or the one before had tokens), at debug when idle, "to avoid log noise on an
 * idle production system". It only listens to the engine's events, as metrics do.
 */
export class EngineStatsLogger {
  private readonly unsubscribe: Array<() => void> = [];
  /** Prompt length of requests queued and not yet at their first token (vLLM counts a prompt there). */
  private readonly pendingPrompts = new Map<string, number>();
  private promptTokens = 0;
  private generationTokens = 0;
  private lastLogTime: Millis;
  private lastPromptThroughput = 0;
  private lastGenerationThroughput = 0;
  private readonly prefixWindow: Array<{ queries: number; hits: number }> = [];
  private prefixQueries = 0;
  private prefixHits = 0;
  private timer: TimerHandle | null = null;

  constructor(
    events: EngineEventBus,
    private readonly state: () => EngineState,
    private readonly clock: Clock,
    private readonly sink: EngineStatsSink,
    private readonly engineIndex = 0,
    /** An additional served model's name (--add-model): its lines say whose engine they are; the first model's are vLLM's. */
    private readonly modelName?: string,
  ) {
    this.lastLogTime = clock.now();
    this.unsubscribe.push(
      events.on('queued', (e) => this.pendingPrompts.set(e.requestId, e.promptTokens)),
      events.on('tokens', (e) => {
        this.generationTokens += e.tokenIds.length;
        const prompt = this.pendingPrompts.get(e.requestId);
        if (prompt !== undefined && e.interTokenMs === undefined) {
          this.promptTokens += prompt;
          this.pendingPrompts.delete(e.requestId);
        }
      }),
      events.on('finished', (e) => this.pendingPrompts.delete(e.requestId)),
      events.on('prefixCache', (e) => this.observePrefixCache(e.queries, e.hits)),
    );
  }

  /** Logs every `intervalMs` of the clock until stop(). */
  start(intervalMs: number): void {
    const tick = (): void => {
      this.sink(this.line());
      this.timer = this.clock.at(this.clock.now() + intervalMs, tick);
    };
    this.lastLogTime = this.clock.now();
    this.timer = this.clock.at(this.clock.now() + intervalMs, tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** The line for the interval that ends now, and the start of the next interval. */
  line(): EngineStatsLine {
    const now = this.clock.now();
    const seconds = (now - this.lastLogTime) / 1000;
    const promptThroughput = seconds > 0 ? this.promptTokens / seconds : 0;
    const generationThroughput = seconds > 0 ? this.generationTokens / seconds : 0;
    this.lastLogTime = now;
    this.promptTokens = 0;
    this.generationTokens = 0;
    const busy = promptThroughput > 0 || generationThroughput > 0 || this.lastPromptThroughput > 0 || this.lastGenerationThroughput > 0;
    this.lastPromptThroughput = promptThroughput;
    this.lastGenerationThroughput = generationThroughput;
    const { running, waiting, kvCacheUsage } = this.state();
    const kvPercent = kvCacheUsage * 100;
    const hitPercent = this.prefixQueries > 0 ? (this.prefixHits / this.prefixQueries) * 100 : 0;
    const message =
      `Engine ${String(this.engineIndex).padStart(3, '0')}${this.modelName === undefined ? '' : ` (${this.modelName})`}: ` +
      `Avg prompt throughput: ${promptThroughput.toFixed(1)} tokens/s, ` +
      `Avg generation throughput: ${generationThroughput.toFixed(1)} tokens/s, ` +
      `Running: ${running} reqs, Waiting: ${waiting} reqs, ` +
      `GPU KV cache usage: ${kvPercent.toFixed(1)}%, ` +
      `Prefix cache hit rate: ${hitPercent.toFixed(1)}%`;
    return {
      level: busy ? 'INFO' : 'DEBUG',
      message,
      fields: {
        engine: this.engineIndex,
        ...(this.modelName === undefined ? {} : { model_name: this.modelName }),
        avg_prompt_throughput: round1(promptThroughput),
        avg_generation_throughput: round1(generationThroughput),
        running,
        waiting,
        gpu_kv_cache_usage: round1(kvPercent),
        prefix_cache_hit_rate: round1(hitPercent),
      },
    };
  }

  private observePrefixCache(queries: number, hits: number): void {
    this.prefixWindow.push({ queries, hits });
    this.prefixQueries += queries;
    this.prefixHits += hits;
    while (this.prefixWindow.length > PREFIX_CACHE_WINDOW) {
      const old = this.prefixWindow.shift()!;
      this.prefixQueries -= old.queries;
      this.prefixHits -= old.hits;
    }
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
