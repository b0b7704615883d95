import { Random } from '../../common/random';
import { StepBatch, StepTimeModel } from '../benchmarks/profile.types';

const DECODE_ONLY = (batch: StepBatch): StepBatch => Object.assign({}, batch, { prefillTokens: 0, prefillContextTokens: 0 });

/** The knobs a user may turn on step times (at start-up or through the admin API). */
export interface TimingKnobs {
  /** Multiplies every step (0 = no delay at all). */
  latency_scale: number;
  /** Fixed time to first token (ms), or null for the derived prefill cost. */
  ttft_ms: number | null;
  /** Fixed decode step time (ms), or null for the derived one. */
  itl_ms: number | null;
  /** Fixed prefill cost per prompt token (ms), or null. */
  prefill_ms_per_token: number | null;
  /** Relative standard deviation of step times. */
  latency_jitter: number;
}

/**
 * The link a decode instance pulls a remote prefill's KV over (P/D disaggregation). Each GPU pulls
 * its own shard of the KV heads over its own NIC, as NIXL does, so a token costs its per-GPU bytes.
 */
export interface KvTransferLink {
  /** KV bytes of one token on one GPU. */
  bytesPerTokenPerGpu: number;
  /** Bytes per second of one GPU's link. */
  bandwidthBytesPerS: number;
  /** Fixed cost of one transfer (handshake, descriptor posting), ms. */
  latencyMs: number;
  /** llm-d-inference-sim's fixed numbers, which replace the derived time when set: per transfer, per token (ms). */
  fixedMs?: number | null;
  perTokenMs?: number | null;
}

/** A link of 25 GB/s per GPU (a 200 Gb/s RDMA NIC each) and 1 ms per transfer. */
export const DEFAULT_KV_TRANSFER_LINK: Omit<KvTransferLink, 'bytesPerTokenPerGpu'> = { bandwidthBytesPerS: 25e9, latencyMs: 1 };

/**
 * Turns a step's work into its duration: the profile's step-time model, then the user's fixed
 * overrides, latency scale and jitter. Reads the runtime values at every step, so a change made
 * through the admin API applies from the next step on.
 */
export class StepTiming {
  constructor(
    private readonly model: StepTimeModel,
    private readonly values: () => Readonly<TimingKnobs>,
    private readonly random: Random,
    private readonly link: KvTransferLink = { ...DEFAULT_KV_TRANSFER_LINK, bytesPerTokenPerGpu: 0 },
  ) {}

  /**
   * Whether a request reaching the scheduler while a step runs waits for the step after next (vLLM's
   * async scheduling). Off at latency scale 0, where steps take no time and nothing overlaps.
   */
  get asyncScheduling(): boolean {
    return this.values().latency_scale > 0 && (this.model.host?.asyncScheduling ?? false);
  }

  /**
   * Time the API server takes with a request before the scheduler sees it, scaled. None with a fixed
   * TTFT (the user asked for that TTFT exactly) or at latency scale 0.
   */
  frontendMs(promptTokens: number): number {
    const v = this.values();
    if (v.latency_scale === 0 || v.ttft_ms !== null || !this.model.host) return 0;
    return this.model.host.frontendMs(promptTokens) * v.latency_scale;
  }

  /** Bytes one GPU pulls for `tokens` tokens of a remote prefill's KV. */
  transferBytes(tokens: number): number {
    return tokens * this.link.bytesPerTokenPerGpu;
  }

  /** Time to pull `tokens` tokens of KV (scaled like every delay; no jitter). */
  transferMs(tokens: number): number {
    const v = this.values();
    const l = this.link;
    let ms: number;
    if (l.perTokenMs != null) ms = l.perTokenMs * tokens;
    else if (l.fixedMs != null) ms = l.fixedMs;
    else ms = l.latencyMs + (this.transferBytes(tokens) / l.bandwidthBytesPerS) * 1000;
    return ms * v.latency_scale;
  }

  /** Duration at latency scale 1, without jitter: the engine's own arithmetic. */
  baseMs(batch: StepBatch): number {
    const v = this.values();
    const decodeMs = batch.decodeSeqs === 0 ? 0 : v.itl_ms ?? this.model.stepTimeMs(DECODE_ONLY(batch));
    if (batch.prefillTokens === 0) return v.itl_ms ?? (batch.decodeSeqs === 0 ? 0 : this.model.stepTimeMs(batch));
    if (v.ttft_ms !== null || v.prefill_ms_per_token !== null) {
      // Fixed prefill cost: the prefill step takes what the user asked, and never less than the decodes riding in it.
      const prefillMs = (v.ttft_ms ?? 0) + (v.prefill_ms_per_token ?? 0) * batch.prefillTokens;
      return Math.max(prefillMs, decodeMs);
    }
    const derived = this.model.stepTimeMs(batch);
    return v.itl_ms === null ? derived : derived - this.model.stepTimeMs(DECODE_ONLY(batch)) + decodeMs;
  }

  /** Wall duration of the step: scaled, with seeded jitter (a relative standard deviation). `waitMs`: what the step waits for first (an adapter swapped in). */
  durationMs(batch: StepBatch, waitMs = 0): number {
    const v = this.values();
    if (v.latency_scale === 0) return 0;
    const base = (this.baseMs(batch) + waitMs) * v.latency_scale;
    if (v.latency_jitter === 0) return base;
    return Math.max(0, base * (1 + v.latency_jitter * this.random.gaussian()));
  }
}
