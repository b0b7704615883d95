import type { Metric } from '../../src/modules/benchmarks/measurements';

/**
 * Measured points the replay cannot be expected to reproduce, each with the reason taken from its
 * source. bench/fidelity.ts still replays and reports them, and prints MAPE with and without them.
 * A point is flagged for what its source says or lacks, never for the size of its error alone.
 */
export interface Flag {
  ids: RegExp;
  /** Only these figures of the points are flagged (absent: every figure). */
  metrics?: readonly Metric[];
  reason: string;
}

export const FLAGGED_POINTS: readonly Flag[] = [
  {
    ids: /^aic-qwen-qwen3-32b-qwen-qwen3-32b-/,
    metrics: ['ttft'],
    reason:
      'TTFTs that hold time no engine step accounts for, by the collection\'s own TPOTs. Its sweeps run the same ' +
      'concurrency and prompt length with 128 and 1024 output tokens; in a closed loop each request\'s decode is ' +
      'stalled by the other clients\' prefills, so the two TPOTs give the prefill step\'s time: 48-52 ms for 1024 ' +
      'tokens at TP 2, 26-30 at TP 4, 16-21 at TP 8, and 217-240 / 119-140 / 68-84 ms for 4096 tokens, the same at ' +
      'every concurrency (what kernels give: ~45 and ~200 ms at TP 2). The TTFTs at concurrency 8, where clients ' +
      'rarely collide, are 3.2-5.7x those prefills (154 ms vs 48 at TP 2, 91 vs 16 at TP 8; 742 vs 220 for 4096 ' +
      'tokens), i.e. 75-520 ms before the first step that grow with the prompt: outside the engine (client or ' +
      'tokenizing) and not recorded. Their ITLs are the engine\'s and are fitted on; the TTFTs are replayed and ' +
      'reported, not fitted on.',
  },
  {
    ids: /^aic-(nvidia-llama-3-1-8b-instruct-fp8|qwen-qwen3-235b-a22b-fp8)-/,
    reason:
      'Collections whose concurrency column holds the deployment\'s largest batch (112, 96, 80, 28, ...), not levels of a ' +
      'sweep, and whose figures cannot come from a closed loop at that concurrency: Llama-3.1-8B-FP8 at TP8 reports a TPOT of ' +
      '7.5 ms with 80 clients sending 4000-token prompts every 100 output tokens, i.e. > 3000 prefill tokens in every step, ' +
      'whose GEMMs and all-reduces alone take longer than that on 8 x H200. Replayed and reported, not fitted on.',
  },
  {
    ids: /^iog-meta-llama-3-70b-instruct-2xh100pcie-qps(4|8|16|32)$/,
    reason:
      'KV-starved run whose outcome hangs on what the source does not record. 70B bf16 weights leave ~4.4 GiB per H100-PCIe ' +
      'for KV at gpu_memory_utilization 0.9 (~28.5k tokens, 74 ShareGPT-average requests), and the README sets ' +
      '--gpu-memory-utilization / --max-model-len "as needed" per model without recording them; 200 ShareGPT requests ' +
      'hold 41k prompt tokens and lengths vary (only means recorded), so queueing vs. recompute preemption decides TTFT. ' +
      'The measured series is non-monotonic (mean TTFT 0.68 / 3.4 / 0.60 / 4.1 s at 4 / 8 / 16 / 32 req/s; qps16 ' +
      'has p100 TTFT 1.8 s but p100 ITL 26.5 s, as when new requests are admitted while running ones are preempted).',
  },
  {
    ids: /^inferencebench-llama31-8b-h100-c(16|64)$/,
    reason:
      'Workload lengths not stated ("llm.inference.chatbot-short"; 256 in / 256 out assumed) and the load generator not ' +
      'named. At c >= 16 TPOT depends on the other clients\' prompt lengths (their prefills share the decode steps): ' +
      'the source\'s 46.9 ms at c=64 is 7x its c=1 figure, where 64 decodes of an 8B model with 256/256 take ~10 ms ' +
      'on an H100, so the real prompts must be far longer than assumed.',
  },
];

/** The flag of a point's figure (`metric`), or of the whole point (no metric: only flags of every figure). */
export function flagFor(id: string, metric?: Metric): Flag | undefined {
  return FLAGGED_POINTS.find((f) => f.ids.test(id) && (f.metrics === undefined || (metric !== undefined && f.metrics.includes(metric))));
}
