/** The shape fields a parameter count (and the step-time arithmetic) needs. */
export interface ArchitectureShape {
  numLayers: number;
  hiddenSize: number;
  /** Dense MLP width (for MoE models: the expert width when `moeIntermediateSize` is absent). */
  intermediateSize: number;
  numAttentionHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  tieWordEmbeddings: boolean;
  /** MoE: experts per layer (undefined = dense). */
  numExperts?: number;
  expertsPerToken?: number;
  moeIntermediateSize?: number;
  /** MoE: always-active shared expert width (Qwen2-MoE, Llama 4, DeepSeek: n_shared_experts x width). */
  sharedExpertIntermediateSize?: number;
  /** MoE: layers with routed experts (Llama 4 Maverick interleaves, DeepSeek starts with dense layers); default all. */
  moeLayers?: number;
  /** MLP width of the dense layers of a MoE model (Llama 4 `intermediate_size_mlp`); default `intermediateSize`. */
  denseIntermediateSize?: number;
  /** Multi-head latent attention (DeepSeek V2/V3): the compressed KV width and the rotary part cached beside it. */
  kvLoraRank?: number;
  qkRopeHeadDim?: number;
  /** MLA: queries through a latent of this width (DeepSeek-V3's q_lora_rank); absent = a full-width projection. */
  qLoraRank?: number;
  /** Gated MLP (gate, up, down: 3 matrices) unless false (OPT, GPT-2: up and down). */
  gatedMlp?: boolean;
}

export interface ParameterCount {
  total: number;
  /** Parameters used per token: for MoE only the top-k experts (and any shared expert). */
  active: number;
}

/** Weights of one MLP of the given width. */
export function mlpParams(a: Pick<ArchitectureShape, 'hiddenSize' | 'gatedMlp'>, width: number): number {
  return (a.gatedMlp === false ? 2 : 3) * a.hiddenSize * width;
}

/** Attention weights of one layer: q/o at full width, k/v at the GQA width (MLA: the projections through the latent). */
export function attentionParams(a: ArchitectureShape): number {
  const h = a.hiddenSize;
  if (a.kvLoraRank) {
    const rope = a.qkRopeHeadDim ?? 0;
    const q = a.qLoraRank ? h * a.qLoraRank + a.qLoraRank * a.numAttentionHeads * a.headDim : h * a.numAttentionHeads * a.headDim;
    return q + h * (a.kvLoraRank + rope) + a.kvLoraRank * a.numAttentionHeads * 2 * (a.headDim - rope) + a.numAttentionHeads * (a.headDim - rope) * h;
  }
  return h * a.numAttentionHeads * a.headDim * 2 + h * a.numKvHeads * a.headDim * 2;
}

/** How the layers of a model split into dense and MoE layers, with their per-layer weights. */
export interface LayerLayout {
  moeLayers: number;
  denseLayers: number;
  /** Weights every token of a layer uses: attention, norms, and the dense MLP or the shared expert and router. */
  denseLayerParams: number;
  moeLayerSharedParams: number;
  /** One routed expert of a MoE layer. */
  expertParams: number;
}

export function layerLayout(a: ArchitectureShape): LayerLayout {
  const h = a.hiddenSize;
  const attention = attentionParams(a) + 2 * h;
  const isMoe = !!a.numExperts && a.numExperts > 1;
  const moeLayers = isMoe ? Math.min(a.numLayers, a.moeLayers ?? a.numLayers) : 0;
  const shared = a.sharedExpertIntermediateSize ? mlpParams(a, a.sharedExpertIntermediateSize) : 0;
  return {
    moeLayers,
    denseLayers: a.numLayers - moeLayers,
    denseLayerParams: attention + mlpParams(a, isMoe ? (a.denseIntermediateSize ?? a.intermediateSize) : a.intermediateSize),
    moeLayerSharedParams: attention + shared + (isMoe ? a.numExperts! * h : 0),
    expertParams: isMoe ? mlpParams(a, a.moeIntermediateSize ?? a.intermediateSize) : 0,
  };
}

/**
 * Parameters of a decoder-only transformer from its shape: embeddings, per layer attention and a
 * gated MLP or MoE experts (routed, shared, router), the norms, and the lm_head unless tied.
 * Biases are ignored (well under 0.1%).
 */
export function countParameters(a: ArchitectureShape): ParameterCount {
  const h = a.hiddenSize;
  const fixed = a.vocabSize * h + (a.tieWordEmbeddings ? 0 : a.vocabSize * h) + h; // + final norm
  const l = layerLayout(a);
  const dense = l.denseLayers * l.denseLayerParams;
  const moeShared = l.moeLayers * l.moeLayerSharedParams;
  return {
    total: fixed + dense + moeShared + l.moeLayers * (a.numExperts ?? 0) * l.expertParams,
    active: fixed + dense + moeShared + l.moeLayers * (a.expertsPerToken ?? 1) * l.expertParams,
  };
}
