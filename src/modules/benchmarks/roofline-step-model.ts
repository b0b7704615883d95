import { GpuSpec, KvDtype, ModelSpec, WeightsDtype } from './catalog.types';
import { bytesPerParam, kvBytesPerTokenPerGpu } from './kv-capacity';
import { StepBatch, StepTimeModel } from './profile.types';
import { ConfigCorrection, StepCoefficients } from './step-coefficients';

export interface StepBreakdown {
  memoryMs: number;
  computeMs: number;
  /** Memory and compute joined (generalised mean). */
  rooflineMs: number;
  communicationMs: number;
  overheadMs: number;
  totalMs: number;
}

export interface RooflineOptions {
  weightsDtype?: WeightsDtype;
  kvDtype?: KvDtype;
  correction?: Pick<ConfigCorrection, 'decode_factor' | 'prefill_factor'>;
}

const EMPTY: StepBatch = { prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: 0, decodeContextTokens: 0 };

/**
 * Step time from the model's shape and the GPU's datasheet: a roofline over the bytes a step reads
 * (weights, KV of every sequence in the step) and the FLOPs it does (2 x active parameters per
 * token, attention over the context), plus two all-reduces per layer under tensor parallelism and
 * a fixed per-step and per-sequence cost. Efficiencies and overheads are fitted (bench/fit.ts).
 */
export class RooflineStepTimeModel implements StepTimeModel {
  private readonly weightsDtype: WeightsDtype;
  private readonly kvBytesPerToken: number;
  /** Achievable tensor FLOP/s: the peak of the weights' dtype times its fitted efficiency. */
  private readonly flops: number;
  /** Weights read by every step whatever its batch (attention, embeddings, norms, dense MLP) per GPU. */
  private readonly sharedWeightBytes: number;
  /** Expert weights per GPU (MoE): a step reads only the experts its tokens are routed to. */
  private readonly expertWeightBytes: number;
  /** Parameters multiplied per token (active, without embeddings and lm_head). */
  private readonly matmulParams: number;
  private readonly lmHeadParams: number;

  constructor(
    readonly model: ModelSpec,
    readonly gpu: GpuSpec,
    readonly tp: number,
    readonly coefficients: StepCoefficients,
    private readonly options: RooflineOptions = {},
  ) {
    this.weightsDtype = options.weightsDtype ?? '16bit';
    this.kvBytesPerToken = kvBytesPerTokenPerGpu(model, tp, options.kvDtype ?? '16bit');
    this.flops =
      this.weightsDtype === 'fp8' && gpu.peakFlopsFp8
        ? gpu.peakFlopsFp8 * coefficients.compute_efficiency_fp8
        : gpu.peakFlops16 * coefficients.compute_efficiency;
    const m = model;
    const expertParams = m.numExperts
      ? m.numLayers * m.numExperts * 3 * m.hiddenSize * (m.moeIntermediateSize ?? m.intermediateSize)
      : 0;
    const bpp = bytesPerParam(this.weightsDtype);
    this.sharedWeightBytes = ((m.numParameters - expertParams) * bpp) / tp;
    this.expertWeightBytes = (expertParams * bpp) / tp;
    const embeddings = m.vocabSize * m.hiddenSize;
    this.lmHeadParams = embeddings;
    this.matmulParams = m.numActiveParameters - embeddings - (m.tieWordEmbeddings ? 0 : embeddings);
  }

  stepTimeMs(batch: StepBatch): number {
    const c = this.options.correction;
    if (!c) return this.breakdown(batch).totalMs;
    const decodeOnly = batch.decodeSeqs > 0 ? this.breakdown({ ...EMPTY, decodeSeqs: batch.decodeSeqs, decodeContextTokens: batch.decodeContextTokens }).totalMs : 0;
    const whole = batch.prefillTokens > 0 ? this.breakdown(batch).totalMs : decodeOnly;
    return decodeOnly * c.decode_factor + (whole - decodeOnly) * c.prefill_factor;
  }

  breakdown(b: StepBatch): StepBreakdown {
    const tokens = b.prefillTokens + b.decodeSeqs;
    if (tokens <= 0) return { memoryMs: 0, computeMs: 0, rooflineMs: 0, communicationMs: 0, overheadMs: 0, totalMs: 0 };
    const k = this.coefficients;
    const m = this.model;
    // Sequences in the step: the decodes, and (at least) one prefilling sequence.
    const seqs = b.decodeSeqs + (b.prefillTokens > 0 ? 1 : 0);

    let weightBytes = this.sharedWeightBytes;
    if (this.expertWeightBytes > 0) {
      // Share of the experts at least one token is routed to (uniform routing).
      const pick = (m.expertsPerToken ?? 1) / (m.numExperts ?? 1);
      weightBytes += this.expertWeightBytes * (1 - Math.pow(1 - pick, tokens));
    }
    const kvBytes = (b.decodeContextTokens + b.prefillContextTokens + tokens) * this.kvBytesPerToken;
    const memoryMs = ((weightBytes + kvBytes) / (this.gpu.bandwidthBytesPerS * k.bandwidth_efficiency)) * 1000;

    // Causal attention: q.k and p.v over the context, 2 FLOPs per multiply-add.
    const attnWidth = 4 * m.numLayers * m.numAttentionHeads * m.headDim;
    const attentionFlops =
      attnWidth * (b.prefillTokens * (b.prefillTokens / 2 + b.prefillContextTokens) + b.decodeContextTokens);
    // The lm_head runs only for the sampled position of each sequence.
    const flops = (2 * this.matmulParams * tokens + 2 * this.lmHeadParams * seqs + attentionFlops) / this.tp;
    const computeMs = (flops / this.flops) * 1000;

    const p = k.roofline_exponent;
    const rooflineMs = Math.pow(Math.pow(memoryMs, p) + Math.pow(computeMs, p), 1 / p);

    let communicationMs = 0;
    if (this.tp > 1) {
      const bytes = tokens * m.hiddenSize * 2;
      const ringMs = ((2 * (this.tp - 1)) / this.tp) * (bytes / this.gpu.interconnect.bytesPerS) * 1000;
      const latencyMs = k.allreduce_latency_us[this.gpu.interconnect.kind] / 1000;
      communicationMs = 2 * m.numLayers * (latencyMs + ringMs);
    }
    const overheadMs = k.step_overhead_ms + k.per_seq_overhead_ms * seqs;
    return { memoryMs, computeMs, rooflineMs, communicationMs, overheadMs, totalMs: overheadMs + rooflineMs + communicationMs };
  }
}
