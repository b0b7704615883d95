import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Millis } from '../engine/clock';
import { EngineState, KvTransferEvent, LoraState, PrefixCacheEvent, PromptSourcesEvent, RequestOutcome, StepEvent, TokenEvent } from '../engine/engine.types';
import {
  ITERATION_TOKENS_BUCKETS,
  PARAMS_N_BUCKETS,
  REQUEST_LATENCY_BUCKETS,
  TPOT_BUCKETS,
  TTFT_BUCKETS,
  build125Buckets,
} from '../api/metric-buckets';
import { SeriesCounter, SeriesHistogram } from './series-metrics';

/**
 * vLLM's `FinishReason` strings (`vllm/v1/engine/__init__.py`, FINISH_REASON_STRINGS). Every one is
 * pre-created on `vllm:request_success_total`, as vLLM does, so `increase()` works from the first scrape.
 */
export const VLLM_FINISH_REASONS = ['stop', 'length', 'abort', 'error', 'repetition'] as const;

/** vLLM's PromptTokenStats.ALL_SOURCES: where a prompt token's KV came from. */
export const PROMPT_TOKEN_SOURCES = ['local_compute', 'local_cache_hit', 'external_kv_transfer'] as const;

/** vLLM's waiting reasons: waiting for room (blocks, batch slots), or held back by a constraint (LoRA budget, KV transfer). */
export const WAITING_REASONS = ['capacity', 'deferred'] as const;

/** NixlPromMetrics' buckets: transfer time (s) and bytes per transfer (2 KiB .. 8 GiB, every other power of two). */
const NIXL_XFER_TIME_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 5.0];
const NIXL_BYTES_BUCKETS = Array.from({ length: 12 }, (_, i) => 2 ** (11 + 2 * i));

/** At most this many label sets of vllm:lora_requests_info are kept (vLLM keeps every combination ever seen). */
const MAX_LORA_INFO_SERIES = 64;

const LABELS = ['model_name', 'engine'] as const;
type Label = (typeof LABELS)[number];

/** The cache settings vLLM exposes as labels of `vllm:cache_config_info` (CacheConfig.metrics_info()). */
export interface CacheConfigInfo {
  block_size: number;
  cache_dtype: string;
  enable_prefix_caching: boolean;
  gpu_memory_utilization: number;
  num_gpu_blocks: number;
  num_gpu_blocks_override?: number | null;
  prefix_caching_hash_algo?: string;
  /** The engine index label (the data-parallel rank); default "0". */
  engine?: string;
}

/** What one served model's series needs: its label values, its cache settings, its engine's state. */
export interface ModelSeriesOptions {
  modelName: string;
  cache: CacheConfigInfo;
  /** Read at scrape time: the gauges show the engine as it is now, not as of the last step. */
  state?: () => EngineState;
  /** The engine index label: the data-parallel rank (default "0"). */
  engineIndex?: string;
  /** LoRA on: max_loras and the adapters with requests, for vllm:lora_requests_info (the first model's adapters). */
  lora?: { maxLoras: number; state: () => LoraState };
}

export interface VllmMetricsOptions extends ModelSeriesOptions {
  registry: Registry;
  /** Sizes the token-count buckets; with several served models, the largest context window (the families are shared). */
  maxModelLen: number;
  /** A KV connector is configured (P/D): vLLM's NIXL transfer metrics. */
  kvTransfer?: boolean;
}

/** Python's str() of a config value, so label values read exactly as vLLM prints them. */
function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** What is known of a request between its `queued` event and its outcome. */
interface InFlight {
  promptTokens: number;
  arrivalTime: Millis;
  lastTokenTime?: Millis;
  /** Where its prompt's KV came from, counted when its prefill completes (its first token), as vLLM counts them. */
  sources?: PromptSourcesEvent;
}

/** Children of an n > 1 request: vLLM observes `n` and the longest child once, when the last child ends. */
interface ParentGroup {
  remaining: number;
  maxGenerated: number;
}

const seconds = (ms: number): number => Math.max(0, ms) / 1000;

/**
 * The `vllm:` families of vLLM V1's PrometheusStatLogger, same names, types, help texts, labels and
 * buckets, fed from the simulated engine's events the way vLLM feeds them from IterationStats and
 * SchedulerStats. Plain class (no Nest) so it can be driven directly in unit specs. Each served
 * model has its series (ModelSeries, `model_name` its name) in the shared families; the first is
 * the constructor's, and the event methods here feed it.
 */
export class VllmMetrics {
  // Counter names carry `_total`: prom-client prints names as given, Python's client appends it.

  readonly numRequestsRunning: Gauge<Label>;
  readonly numRequestsWaiting: Gauge<Label>;
  readonly numRequestsWaitingByReason: Gauge<Label | 'reason'>;
  readonly kvCacheUsagePerc: Gauge<Label>;
  readonly engineSleepState: Gauge<Label | 'sleep_state'>;
  readonly cacheConfigInfo: Gauge<string>;

  readonly prefixCacheQueries: Counter<Label>;
  readonly prefixCacheHits: Counter<Label>;
  readonly numPreemptions: Counter<Label>;
  readonly promptTokens: Counter<Label>;
  readonly promptTokensBySource: Counter<Label | 'source'>;
  readonly promptTokensCached: Counter<Label>;
  readonly promptTokensRecomputed: Counter<Label>;
  readonly generationTokens: Counter<Label>;
  readonly requestSuccess: Counter<Label | 'finished_reason'>;

  readonly requestPromptTokens: Histogram<Label>;
  readonly requestGenerationTokens: Histogram<Label>;
  readonly iterationTokens: Histogram<Label>;
  readonly requestMaxNumGenerationTokens: Histogram<Label>;
  readonly requestParamsN: Histogram<Label>;
  readonly requestParamsMaxTokens: Histogram<Label>;
  readonly timeToFirstToken: Histogram<Label>;
  readonly interTokenLatency: Histogram<Label>;
  readonly requestTimePerOutputToken: Histogram<Label>;
  readonly e2eRequestLatency: Histogram<Label>;
  readonly requestQueueTime: Histogram<Label>;
  readonly requestInferenceTime: Histogram<Label>;
  readonly requestPrefillTime: Histogram<Label>;
  readonly requestDecodeTime: Histogram<Label>;
  readonly requestPrefillKvComputedTokens: Histogram<Label>;
  readonly loraRequestsInfo?: Gauge<'max_lora' | 'waiting_lora_adapters' | 'running_lora_adapters'>;
  readonly nixlXferTime?: Histogram<Label>;
  readonly nixlBytesTransferred?: Histogram<Label>;

  /** Every served model's series; the first is the constructor's. */
  private readonly series: ModelSeries[] = [];
  private readonly plainGauges: Gauge<Label>[] = [];
  private readonly plainCounters: Counter<Label>[] = [];
  private readonly histograms: Histogram<Label>[] = [];

  constructor(options: VllmMetricsOptions) {
    const { registry } = options;
    const registers = [registry];
    const gauge = (name: string, help: string, read?: (s: EngineState) => number): Gauge<Label> => {
      const g: Gauge<Label> = new Gauge({
        name,
        help,
        labelNames: LABELS,
        registers,
        collect: read
          ? () => {
              for (const series of this.series) if (series.state) g.set(series.labels, read(series.state()));
            }
          : undefined,
      });
      this.plainGauges.push(g);
      return g;
    };
    const counter = (name: string, help: string): Counter<Label> => {
      const c = new SeriesCounter({ name, help, labelNames: LABELS, registers });
      this.plainCounters.push(c);
      return c;
    };
    const histogram = (name: string, help: string, buckets: readonly number[]): Histogram<Label> => {
      const h = new SeriesHistogram({ name, help, labelNames: LABELS, buckets: [...buckets], registers });
      this.histograms.push(h);
      return h;
    };
    const tokenBuckets = build125Buckets(options.maxModelLen);

    // Scheduler state
    this.numRequestsRunning = gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', (s) => s.running);
    this.numRequestsWaiting = gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', (s) => s.waiting);
    const byReason = (s: EngineState): Record<(typeof WAITING_REASONS)[number], number> => ({ capacity: s.waiting - s.waitingDeferred, deferred: s.waitingDeferred });
    this.numRequestsWaitingByReason = new Gauge({
      name: 'vllm:num_requests_waiting_by_reason',
      help: 'Number of waiting requests by reason.',
      labelNames: [...LABELS, 'reason'],
      registers,
      collect: () => {
        for (const series of this.series) {
          if (!series.state) continue;
          const counts = byReason(series.state());
          for (const reason of WAITING_REASONS) this.numRequestsWaitingByReason.set({ ...series.labels, reason }, counts[reason]);
        }
      },
    });
    this.engineSleepState = new Gauge({
      name: 'vllm:engine_sleep_state',
      help: 'Engine sleep state; awake = 0 means engine is sleeping; awake = 1 means engine is awake; weights_offloaded = 1 means sleep level 1; discard_all = 1 means sleep level 2.',
      labelNames: [...LABELS, 'sleep_state'],
      registers,
    });

    // KV cache
    this.kvCacheUsagePerc = gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', (s) => s.kvCacheUsage);
    this.prefixCacheQueries = counter('vllm:prefix_cache_queries_total', 'Prefix cache queries, in terms of number of queried tokens.');
    this.prefixCacheHits = counter('vllm:prefix_cache_hits_total', 'Prefix cache hits, in terms of number of cached tokens.');
    this.cacheConfigInfo = new Gauge({
      name: 'vllm:cache_config_info',
      help: 'Information of the LLMEngine CacheConfig',
      labelNames: Object.keys(cacheConfigLabels(options.cache)),
      registers,
    });

    // Counters
    this.numPreemptions = counter('vllm:num_preemptions_total', 'Cumulative number of preemption from the engine.');
    this.promptTokens = counter('vllm:prompt_tokens_total', 'Number of prefill tokens processed.');
    this.promptTokensBySource = new SeriesCounter({ name: 'vllm:prompt_tokens_by_source_total', help: 'Number of prompt tokens by source.', labelNames: [...LABELS, 'source'], registers });
    this.promptTokensCached = counter('vllm:prompt_tokens_cached_total', 'Number of cached prompt tokens (local + external).');
    this.promptTokensRecomputed = counter('vllm:prompt_tokens_recomputed_total', 'Number of cached tokens recomputed for forward pass.');
    this.generationTokens = counter('vllm:generation_tokens_total', 'Number of generation tokens processed.');
    this.requestSuccess = new SeriesCounter({
      name: 'vllm:request_success_total',
      help: 'Count of successfully processed requests.',
      labelNames: [...LABELS, 'finished_reason'],
      registers,
    });

    // Histograms of counts
    this.requestPromptTokens = histogram('vllm:request_prompt_tokens', 'Number of prefill tokens processed.', tokenBuckets);
    this.requestGenerationTokens = histogram('vllm:request_generation_tokens', 'Number of generation tokens processed.', tokenBuckets);
    this.iterationTokens = histogram('vllm:iteration_tokens_total', 'Histogram of number of tokens per engine_step.', ITERATION_TOKENS_BUCKETS);
    this.requestMaxNumGenerationTokens = histogram(
      'vllm:request_max_num_generation_tokens',
      'Histogram of maximum number of requested generation tokens.',
      tokenBuckets,
    );
    this.requestParamsN = histogram('vllm:request_params_n', 'Histogram of the n request parameter.', PARAMS_N_BUCKETS);
    this.requestParamsMaxTokens = histogram('vllm:request_params_max_tokens', 'Histogram of the max_tokens request parameter.', tokenBuckets);

    // Histograms of timing intervals
    this.timeToFirstToken = histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', TTFT_BUCKETS);
    this.interTokenLatency = histogram('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', TPOT_BUCKETS);
    this.requestTimePerOutputToken = histogram(
      'vllm:request_time_per_output_token_seconds',
      'Histogram of time_per_output_token_seconds per request.',
      TPOT_BUCKETS,
    );
    this.e2eRequestLatency = histogram('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', REQUEST_LATENCY_BUCKETS);
    this.requestQueueTime = histogram('vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', REQUEST_LATENCY_BUCKETS);
    this.requestInferenceTime = histogram(
      'vllm:request_inference_time_seconds',
      'Histogram of time spent in RUNNING phase for request.',
      REQUEST_LATENCY_BUCKETS,
    );
    this.requestPrefillTime = histogram('vllm:request_prefill_time_seconds', 'Histogram of time spent in PREFILL phase for request.', REQUEST_LATENCY_BUCKETS);
    this.requestDecodeTime = histogram('vllm:request_decode_time_seconds', 'Histogram of time spent in DECODE phase for request.', REQUEST_LATENCY_BUCKETS);
    this.requestPrefillKvComputedTokens = histogram(
      'vllm:request_prefill_kv_computed_tokens',
      'Histogram of new KV tokens computed during prefill (excluding cached tokens).',
      tokenBuckets,
    );

    // LoRA: the label set of the adapters running and waiting, its value the time it was last seen (vLLM's set_to_current_time).
    if (options.lora) {
      this.loraRequestsInfo = new Gauge({
        name: 'vllm:lora_requests_info',
        help: 'Running stats on lora requests.',
        labelNames: ['max_lora', 'waiting_lora_adapters', 'running_lora_adapters'],
        registers,
      });
    }

    // P/D: NIXL's transfer metrics, on the side that pulls the KV.
    if (options.kvTransfer) {
      this.nixlXferTime = histogram('vllm:nixl_xfer_time_seconds', 'Histogram of transfer duration for NIXL KV Cache transfers.', NIXL_XFER_TIME_BUCKETS);
      this.nixlBytesTransferred = histogram('vllm:nixl_bytes_transferred', 'Histogram of bytes transferred per NIXL KV Cache transfers.', NIXL_BYTES_BUCKETS);
    }
    this.addModel(options);
  }

  /** Adds a served model's series, its label sets at zero as vLLM creates them (every finish reason, awake, its cache config). */
  addModel(options: ModelSeriesOptions): ModelSeries {
    const series = new ModelSeries(this, options);
    this.series.push(series);
    const labels = series.labels;
    for (const g of this.plainGauges) g.set(labels, 0);
    for (const c of this.plainCounters) c.inc(labels, 0);
    for (const h of this.histograms) h.zero(labels);
    for (const reason of WAITING_REASONS) this.numRequestsWaitingByReason.set({ ...labels, reason }, 0);
    for (const [sleepState, value] of [['awake', 1], ['weights_offloaded', 0], ['discard_all', 0]] as const) {
      this.engineSleepState.set({ ...labels, sleep_state: sleepState }, value);
    }
    this.cacheConfigInfo.set(cacheConfigLabels({ engine: labels.engine, ...options.cache }), 1);
    for (const source of PROMPT_TOKEN_SOURCES) this.promptTokensBySource.inc(series.sourceLabelsOf(source), 0);
    for (const reason of VLLM_FINISH_REASONS) this.requestSuccess.inc(series.reasonLabelsOf(reason), 0);
    series.recordLoraInfo(Date.now());
    return series;
  }

  /** The first model's series (the server's `--model`). */
  get primary(): ModelSeries {
    return this.series[0];
  }

  /** The first model's labels. */
  get labels(): Readonly<Record<Label, string>> {
    return this.primary.labels;
  }

  /** Every engine sleeps and wakes together. */
  recordSleepState(sleeping: boolean, level: number): void {
    for (const series of this.series) series.recordSleepState(sleeping, level);
  }

  recordLoraInfo(nowMs: number): void {
    this.primary.recordLoraInfo(nowMs);
  }

  onPromptSources(event: PromptSourcesEvent): void {
    this.primary.onPromptSources(event);
  }

  onKvTransfer(event: KvTransferEvent): void {
    this.primary.onKvTransfer(event);
  }

  onQueued(requestId: string, promptTokens: number, time: Millis): void {
    this.primary.onQueued(requestId, promptTokens, time);
  }

  onTokens(event: TokenEvent): void {
    this.primary.onTokens(event);
  }

  onStep(event: StepEvent): void {
    this.primary.onStep(event);
  }

  onPrefixCache(event: PrefixCacheEvent): void {
    this.primary.onPrefixCache(event);
  }

  onPreempted(): void {
    this.primary.onPreempted();
  }

  onFinished(outcome: RequestOutcome): void {
    this.primary.onFinished(outcome);
  }
}

/**
 * One served model's series of the vLLM families (`model_name` its served name, `engine` its
 * data-parallel rank), fed from its own engine's events. vLLM runs one model per server; the
 * simulator keeps one series per served model.
 */
export class ModelSeries {
  readonly labels: Readonly<Record<Label, string>>;
  private readonly loraSeries: string[] = [];
  private readonly inFlight = new Map<string, InFlight>();
  private readonly parents = new Map<string, ParentGroup>();
  /** The label object of each finish reason, made once (see series-metrics.ts). */
  private readonly reasonLabels = new Map<string, Readonly<Record<Label | 'finished_reason', string>>>();
  private readonly sourceLabels = new Map<string, Readonly<Record<Label | 'source', string>>>();

  constructor(
    private readonly m: VllmMetrics,
    private readonly options: ModelSeriesOptions,
  ) {
    // One frozen label object for every observation: the series metrics find its series once.
    this.labels = Object.freeze({ model_name: options.modelName, engine: options.engineIndex ?? '0' });
  }

  get state(): (() => EngineState) | undefined {
    return this.options.state;
  }

  /** vLLM's record_sleep_state: awake 0 while sleeping; weights_offloaded 1 at level 1, discard_all 1 at level 2. */
  recordSleepState(sleeping: boolean, level: number): void {
    const l = this.labels;
    this.m.engineSleepState.set({ ...l, sleep_state: 'awake' }, sleeping ? 0 : 1);
    this.m.engineSleepState.set({ ...l, sleep_state: 'weights_offloaded' }, sleeping && level === 1 ? 1 : 0);
    this.m.engineSleepState.set({ ...l, sleep_state: 'discard_all' }, sleeping && level === 2 ? 1 : 0);
  }

  /** vllm:lora_requests_info for the adapters as they are now, at wall time `nowMs`. */
  recordLoraInfo(nowMs: number): void {
    const lora = this.options.lora;
    if (!lora || !this.m.loraRequestsInfo) return;
    const { running, waiting } = lora.state();
    const set = { max_lora: String(lora.maxLoras), running_lora_adapters: running.join(','), waiting_lora_adapters: waiting.join(',') };
    const key = `${set.running_lora_adapters}|${set.waiting_lora_adapters}`;
    const at = this.loraSeries.indexOf(key);
    if (at >= 0) this.loraSeries.splice(at, 1);
    this.loraSeries.push(key);
    if (this.loraSeries.length > MAX_LORA_INFO_SERIES) {
      const [running_lora_adapters, waiting_lora_adapters] = this.loraSeries.shift()!.split('|');
      this.m.loraRequestsInfo.remove({ max_lora: set.max_lora, running_lora_adapters, waiting_lora_adapters });
    }
    this.m.loraRequestsInfo.set(set, nowMs / 1000);
  }

  /** Where a request's prompt KV came from; counted with its first token. */
  onPromptSources(event: PromptSourcesEvent): void {
    const request = this.inFlight.get(event.requestId);
    if (request) request.sources = event;
  }

  onKvTransfer(event: KvTransferEvent): void {
    this.m.nixlXferTime?.observe(this.labels, seconds(event.endTime - event.startTime));
    this.m.nixlBytesTransferred?.observe(this.labels, event.bytes);
  }

  onQueued(requestId: string, promptTokens: number, time: Millis): void {
    this.inFlight.set(requestId, { promptTokens, arrivalTime: time });
  }

  /** vLLM counts a request's prompt when its prefill completes (first token), and TTFT from arrival. */
  onTokens(event: TokenEvent): void {
    const request = this.inFlight.get(event.requestId);
    this.m.generationTokens.inc(this.labels, event.tokenIds.length);
    if (event.interTokenMs === undefined) {
      if (request) {
        this.m.promptTokens.inc(this.labels, request.promptTokens);
        this.m.timeToFirstToken.observe(this.labels, seconds(event.time - request.arrivalTime));
        const src = request.sources;
        if (src) {
          this.m.promptTokensBySource.inc(this.sourceLabelsOf('local_compute'), src.computed);
          this.m.promptTokensBySource.inc(this.sourceLabelsOf('local_cache_hit'), src.localCacheHit);
          this.m.promptTokensBySource.inc(this.sourceLabelsOf('external_kv_transfer'), src.externalTransfer);
          this.m.promptTokensCached.inc(this.labels, src.promptTokens - src.computed);
          this.m.promptTokensRecomputed.inc(this.labels, src.recomputed);
        }
      }
    } else {
      this.m.interTokenLatency.observe(this.labels, seconds(event.interTokenMs));
    }
    if (request) request.lastTokenTime = event.time;
  }

  onStep(event: StepEvent): void {
    this.m.iterationTokens.observe(this.labels, event.totalTokens);
    // vLLM stamps the adapters' info gauge every step; the time it carries is not a scrape-time read.
    this.recordLoraInfo(Date.now());
    // The gauges are read from the engine at scrape time: a step need not set them.
    if (this.options.state) return;
    this.m.numRequestsRunning.set(this.labels, event.running);
    this.m.numRequestsWaiting.set(this.labels, event.waiting);
    this.m.kvCacheUsagePerc.set(this.labels, event.kvCacheUsage);
    this.m.numRequestsWaitingByReason.set({ ...this.labels, reason: 'capacity' }, event.waiting - event.waitingDeferred);
    this.m.numRequestsWaitingByReason.set({ ...this.labels, reason: 'deferred' }, event.waitingDeferred);
  }

  onPrefixCache(event: PrefixCacheEvent): void {
    this.m.prefixCacheQueries.inc(this.labels, event.queries);
    this.m.prefixCacheHits.inc(this.labels, event.hits);
  }

  onPreempted(): void {
    this.m.numPreemptions.inc(this.labels, 1);
  }

  /** vLLM's `update_from_finished_request` + `ParentRequest.observe_finished_request`. */
  onFinished(outcome: RequestOutcome): void {
    const request = this.inFlight.get(outcome.requestId);
    this.inFlight.delete(outcome.requestId);
    const l = this.labels;
    const scheduled = outcome.scheduledTime ?? outcome.finishedTime;
    const firstToken = outcome.firstTokenTime ?? outcome.finishedTime;
    const lastToken = request?.lastTokenTime ?? outcome.firstTokenTime ?? outcome.finishedTime;
    const decodeMs = lastToken - firstToken;

    this.m.requestSuccess.inc(this.reasonLabelsOf(outcome.finishReason), 1);
    this.m.e2eRequestLatency.observe(l, seconds(outcome.finishedTime - outcome.arrivalTime));
    this.m.requestQueueTime.observe(l, seconds(scheduled - outcome.arrivalTime));
    this.m.requestPrefillTime.observe(l, seconds(firstToken - scheduled));
    this.m.requestInferenceTime.observe(l, seconds(lastToken - scheduled));
    this.m.requestDecodeTime.observe(l, seconds(decodeMs));
    this.m.requestPromptTokens.observe(l, outcome.promptTokens);
    this.m.requestPrefillKvComputedTokens.observe(l, outcome.promptTokens - Math.max(outcome.cachedTokens, 0));
    this.m.requestGenerationTokens.observe(l, outcome.generatedTokens);
    this.m.requestTimePerOutputToken.observe(l, outcome.generatedTokens > 1 ? seconds(decodeMs) / (outcome.generatedTokens - 1) : 0);
    if (outcome.maxTokens) this.m.requestParamsMaxTokens.observe(l, outcome.maxTokens);
    this.observeParent(outcome);
  }

  /** This series' label object for a prompt-token source of vllm:prompt_tokens_by_source_total (made once). */
  sourceLabelsOf(source: string): Readonly<Record<Label | 'source', string>> {
    let labels = this.sourceLabels.get(source);
    if (!labels) this.sourceLabels.set(source, (labels = Object.freeze({ ...this.labels, source })));
    return labels;
  }

  /** This series' label object for a finish reason (made once). */
  reasonLabelsOf(reason: string): Readonly<Record<Label | 'finished_reason', string>> {
    let labels = this.reasonLabels.get(reason);
    if (!labels) this.reasonLabels.set(reason, (labels = Object.freeze({ ...this.labels, finished_reason: reason })));
    return labels;
  }

  /** `n` and the longest child are observed once per request, when its last child ends. */
  private observeParent(outcome: RequestOutcome): void {
    const key = outcome.n > 1 ? outcome.group : undefined;
    if (key === undefined) {
      this.m.requestMaxNumGenerationTokens.observe(this.labels, outcome.generatedTokens);
      this.m.requestParamsN.observe(this.labels, outcome.n);
      return;
    }
    const group = this.parents.get(key) ?? { remaining: outcome.n, maxGenerated: 0 };
    group.remaining--;
    group.maxGenerated = Math.max(group.maxGenerated, outcome.generatedTokens);
    if (group.remaining > 0) {
      this.parents.set(key, group);
      return;
    }
    this.parents.delete(key);
    this.m.requestMaxNumGenerationTokens.observe(this.labels, group.maxGenerated);
    this.m.requestParamsN.observe(this.labels, outcome.n);
  }
}

/** The label set of `vllm:cache_config_info`, keys sorted and values in Python's spelling, as vLLM prints them. */
export function cacheConfigLabels(cache: CacheConfigInfo): Record<string, string> {
  // Every field of vLLM's CacheConfig (metrics_info() dumps them all), with the engine index.
  const info: Record<string, unknown> = {
    block_size: cache.block_size,
    cache_dtype: cache.cache_dtype,
    calculate_kv_scales: false,
    cpu_kvcache_space_bytes: null,
    cpu_offload_gb: 0,
    enable_prefix_caching: cache.enable_prefix_caching,
    engine: cache.engine ?? '0',
    gpu_memory_utilization: cache.gpu_memory_utilization,
    is_attention_free: false,
    kv_cache_memory_bytes: null,
    kv_offloading_backend: null,
    kv_offloading_size: null,
    kv_sharing_fast_prefill: false,
    mamba_block_size: null,
    mamba_cache_dtype: 'auto',
    mamba_page_size_padded: null,
    mamba_ssm_cache_dtype: 'auto',
    num_cpu_blocks: null,
    num_gpu_blocks: cache.num_gpu_blocks,
    num_gpu_blocks_override: cache.num_gpu_blocks_override ?? null,
    prefix_caching_hash_algo: cache.prefix_caching_hash_algo ?? 'sha256',
    sliding_window: null,
    swap_space: 4,
  };
  return Object.fromEntries(Object.keys(info).sort().map((k) => [k, pythonStr(info[k])]));
}
