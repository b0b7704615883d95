import { GpuSpec, KvDtype, ModelSpec, WeightsDtype } from './catalog.types';
import { bytesPerParam, kvBytesPerTokenPerGpu } from './kv-capacity';
import { attentionParams, layerLayout, mlpParams } from './parameters';
import { EngineHostBehaviour, StepBatch, StepTimeModel } from './profile.types';
import { ConfigCorrection, StepCoefficients } from './step-coefficients';

/** Where a step's time goes (ms). */
export interface StepBreakdown {
  /** Weight GEMMs of attention projections, MLPs, shared experts and the lm_head. */
  linearMs: number;
  /** Routed experts of MoE layers (fused MoE). */
  moeMs: number;
  /** Attention over the KV cache (decode reads, prefill FLOPs). */
  attentionMs: number;
  /** Norms, rotary, activations, KV writes: the small kernels of each layer. */
  layerFixedMs: number;
  /** A prefilling step's extra GPU time (pieces past the captured graphs run eagerly). */
  prefillExtraMs: number;
  communicationMs: number;
  /** Host-side work (scheduling, input preparation, sampling) the step waits for: all of it, or under async scheduling what the GPU's work does not hide. */
  overheadMs: number;
  totalMs: number;
  /** Whether the step replays a captured CUDA graph (at most cuda_graph_max_tokens tokens). */
  cudaGraph: boolean;
}

export interface RooflineOptions {
  weightsDtype?: WeightsDtype;
  kvDtype?: KvDtype;
  correction?: Pick<ConfigCorrection, 'decode_factor' | 'prefill_factor'>;
  /** vLLM's async scheduling: the host plans the next step while the GPU runs this one. */
  asyncScheduling?: boolean;
  /** Offline use (`LLM.generate`, no API server): requests reach the scheduler at once. */
  offline?: boolean;
}

const EMPTY: StepBatch = { prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: 0, decodeContextTokens: 0 };

/**
 * Step time from the model's shape, the GPU's datasheet and the kernel behaviour of a vLLM release
 * family. A step runs every layer once over its tokens: the weight GEMMs (each a roofline of the
 * weights it streams and the FLOPs it does, joined by a generalised mean, plus a fixed kernel time),
 * the fused MoE kernel over the experts its tokens are routed to, attention (decode: reading each
 * sequence's KV; prefill: causal FLOPs per sequence), the layer's small kernels and, under tensor
 * parallelism, two all-reduces per layer (vLLM's custom all-reduce on NVLink/xGMI; NCCL over PCIe)
 * with a CUDA-graph or an eager latency. The host adds a fixed cost per step and per sequence, or,
 * under async scheduling, overlaps it with the GPU's work, so the step takes the longer of the two.
 */
export class RooflineStepTimeModel implements StepTimeModel {
  readonly weightsDtype: WeightsDtype;
  private readonly kvBytesPerTokenPerLayer: number;
  private readonly bytesPerWeight: number;
  private readonly layout: ReturnType<typeof layerLayout>;
  /** Per GPU: dense-layer, MoE-layer-shared and one expert's parameters; attention projections of a layer. */
  private readonly attnParams: number;
  private readonly lmHeadParams: number;
  private readonly headsPerGpu: number;
  readonly host: EngineHostBehaviour;

  constructor(
    readonly model: ModelSpec,
    readonly gpu: GpuSpec,
    readonly tp: number,
    readonly coefficients: StepCoefficients,
    private readonly options: RooflineOptions = {},
  ) {
    this.weightsDtype = options.weightsDtype ?? '16bit';
    this.bytesPerWeight = bytesPerParam(this.weightsDtype);
    this.kvBytesPerTokenPerLayer = kvBytesPerTokenPerGpu(model, tp, options.kvDtype ?? '16bit') / model.numLayers;
    this.layout = layerLayout(model);
    this.attnParams = attentionParams(model);
    this.lmHeadParams = model.vocabSize * model.hiddenSize;
    this.headsPerGpu = model.numAttentionHeads / tp;
    const k = coefficients;
    this.host = {
      asyncScheduling: options.asyncScheduling ?? false,
      frontendMs: (promptTokens) => (options.offline ? 0 : k.frontend_ms + (k.frontend_per_1k_tokens_ms * promptTokens) / 1000),
    };
  }

  stepTimeMs(batch: StepBatch): number {
    const c = this.options.correction;
    if (!c) return this.breakdown(batch).totalMs;
    const decodeOnly = batch.decodeSeqs > 0 ? this.breakdown({ ...EMPTY, decodeSeqs: batch.decodeSeqs, decodeContextTokens: batch.decodeContextTokens }).totalMs : 0;
    const whole = batch.prefillTokens > 0 ? this.breakdown(batch).totalMs : decodeOnly;
    return decodeOnly * c.decode_factor + (whole - decodeOnly) * c.prefill_factor;
  }

  /** Peak FLOP/s and achieved share for GEMMs on weights of this format. */
  private gemmFlops(): number {
    const k = this.coefficients;
    const g = this.gpu;
    if (this.weightsDtype === 'fp8' && g.peakFlopsFp8) return g.peakFlopsFp8 * k.compute_efficiency_fp8;
    if (this.weightsDtype === 'int4') return g.peakFlops16 * k.compute_efficiency_int4;
    // 8-bit weights on a part without fp8 tensor cores: dequantized to 16 bits (Marlin-style), like 4-bit.
    if (this.weightsDtype === 'fp8') return g.peakFlops16 * k.compute_efficiency_int4;
    return g.peakFlops16 * k.compute_efficiency;
  }

  /** `kernels` GEMMs over `params` weights (per GPU) for `tokens` rows, in ms. */
  private gemmMs(params: number, tokens: number, kernels: number): number {
    const k = this.coefficients;
    const fixedUs = kernels * (k.gemm_fixed_us + (this.weightsDtype === 'fp8' ? k.fp8_gemm_extra_us : 0));
    const memory = (params * this.bytesPerWeight) / (this.gpu.bandwidthBytesPerS * k.bandwidth_efficiency);
    const compute = (2 * params * tokens) / this.gemmFlops();
    return fixedUs / 1000 + join(memory, compute, k.roofline_exponent) * 1000;
  }

  breakdown(b: StepBatch): StepBreakdown {
    const tokens = b.prefillTokens + b.decodeSeqs;
    if (tokens <= 0) return { linearMs: 0, moeMs: 0, attentionMs: 0, layerFixedMs: 0, prefillExtraMs: 0, communicationMs: 0, overheadMs: 0, totalMs: 0, cudaGraph: true };
    const k = this.coefficients;
    const m = this.model;
    const tp = this.tp;
    const L = this.layout;
    const prefillSeqs = b.prefillTokens > 0 ? Math.max(1, b.prefillSeqs ?? 1) : 0;
    const seqs = b.decodeSeqs + prefillSeqs;
    const cudaGraph = tokens <= k.cuda_graph_max_tokens;

    // Weight GEMMs: attention projections (qkv, o) in every layer; dense MLPs (gate_up, down) or the shared expert.
    const attnMs = this.gemmMs(this.attnParams / tp, tokens, 2);
    const denseMlpMs = L.denseLayers > 0 ? this.gemmMs((L.denseLayerParams - this.attnParams) / tp, tokens, 2) : 0;
    const sharedParams = m.sharedExpertIntermediateSize ? mlpParams(m, m.sharedExpertIntermediateSize) / tp : 0;
    const sharedMs = L.moeLayers > 0 && sharedParams > 0 ? this.gemmMs(sharedParams, tokens, 2) : 0;
    // The lm_head runs only for the sampled position of each sequence.
    const lmHeadMs = this.gemmMs(this.lmHeadParams / tp, seqs, 1);
    const linearMs = m.numLayers * attnMs + L.denseLayers * denseMlpMs + L.moeLayers * sharedMs + lmHeadMs;

    // Routed experts: the fused kernel streams the experts some token is routed to (uniform routing).
    let moeMs = 0;
    if (L.moeLayers > 0) {
      const E = m.numExperts!;
      const topK = m.expertsPerToken ?? 1;
      const touched = E * (1 - Math.pow(1 - topK / E, tokens));
      const expertBytes = (touched * L.expertParams * this.bytesPerWeight) / tp;
      const memory = expertBytes / (this.gpu.bandwidthBytesPerS * k.moe_bandwidth_efficiency);
      const flops = (2 * tokens * topK * L.expertParams) / tp;
      const fp8 = this.weightsDtype === 'fp8' && this.gpu.peakFlopsFp8 !== undefined;
      const compute = flops / (fp8 ? this.gpu.peakFlopsFp8! * k.moe_compute_efficiency_fp8 : this.gpu.peakFlops16 * k.moe_compute_efficiency);
      moeMs = L.moeLayers * (k.moe_fixed_us / 1000 + join(memory, compute, k.roofline_exponent) * 1000);
    }

    // Attention: decodes read their KV; prefill chunks do causal FLOPs over their context, per sequence.
    // Sliding-window layers read and attend to at most the window (per sequence, at the batch's mean context).
    const pairs = b.prefillTokens > 0 ? (b.prefillAttentionTokens ?? b.prefillTokens * (b.prefillTokens / 2 + b.prefillContextTokens)) : 0;
    const attentionLayerMs = (decodeContext: number, prefillContext: number, prefillPairs: number): number => {
      const kvBytes = (decodeContext + prefillContext + tokens) * this.kvBytesPerTokenPerLayer;
      const kvMs = (kvBytes / (this.gpu.bandwidthBytesPerS * k.bandwidth_efficiency)) * 1000;
      const attnFlops = 4 * this.headsPerGpu * m.headDim * prefillPairs;
      const prefillAttnMs = (attnFlops / (this.gpu.peakFlops16 * k.attention_compute_efficiency)) * 1000;
      return k.attention_fixed_us / 1000 + (k.attention_per_seq_us * seqs) / 1000 + kvMs + prefillAttnMs;
    };
    const sw = m.slidingWindow;
    const fullLayers = m.numLayers - (sw?.layers ?? 0);
    let attentionMs = fullLayers * attentionLayerMs(b.decodeContextTokens, b.prefillContextTokens, pairs);
    if (sw) {
      const decodeContext = b.decodeSeqs > 0 ? b.decodeSeqs * Math.min(sw.window, b.decodeContextTokens / b.decodeSeqs) : 0;
      const prefillContext = Math.min(b.prefillContextTokens, prefillSeqs * sw.window);
      const windowPairs = b.prefillTokens > 0 ? b.prefillTokens * Math.min(sw.window, pairs / b.prefillTokens) : 0;
      attentionMs += sw.layers * attentionLayerMs(decodeContext, prefillContext, windowPairs);
    }

    const layerFixedMs = (m.numLayers * k.layer_fixed_us) / 1000;

    let communicationMs = 0;
    if (tp > 1) {
      const ar = k.allreduce[this.gpu.interconnect.kind];
      const bytes = tokens * m.hiddenSize * 2;
      const ringMs = ((2 * (tp - 1)) / tp) * (bytes / (this.gpu.interconnect.bytesPerS * ar.bus_efficiency)) * 1000;
      communicationMs = 2 * m.numLayers * ((cudaGraph ? ar.latency_us : ar.eager_latency_us) / 1000 + ringMs);
    }
    const prefillExtraMs = b.prefillTokens > 0 ? k.prefill_overhead_ms : 0;
    const gpuMs = linearMs + moeMs + attentionMs + layerFixedMs + prefillExtraMs + communicationMs;
    const hostMs = k.step_overhead_ms + k.per_seq_overhead_ms * seqs;
    const overheadMs = this.host.asyncScheduling ? Math.max(0, hostMs - gpuMs) : hostMs;
    return { linearMs, moeMs, attentionMs, layerFixedMs, prefillExtraMs, communicationMs, overheadMs, totalMs: gpuMs + overheadMs, cudaGraph };
  }
}

/** Generalised mean of a kernel's memory and compute times: p = 1 adds them, a large p takes the larger. */
function join(memory: number, compute: number, p: number): number {
  return Math.pow(Math.pow(memory, p) + Math.pow(compute, p), 1 / p);
}
