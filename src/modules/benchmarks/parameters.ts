/** The shape fields a parameter count needs. */
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
  /** MoE with an always-active shared expert (Qwen2-MoE style). */
  sharedExpertIntermediateSize?: number;
}

export interface ParameterCount {
  total: number;
  /** Parameters used per token: for MoE only the top-k experts (and any shared expert). */
  active: number;
}

/**
 * Parameters of a decoder-only transformer from its shape: embeddings, per layer attention
 * (q/o at full width, k/v at the GQA width) and a gated MLP (3 matrices) or MoE experts, the norms,
 * and the lm_head unless tied. Biases are ignored (well under 0.1%).
 */
export function countParameters(a: ArchitectureShape): ParameterCount {
  const h = a.hiddenSize;
  const embeddings = a.vocabSize * h;
  const lmHead = a.tieWordEmbeddings ? 0 : a.vocabSize * h;
  const attention = h * a.numAttentionHeads * a.headDim * 2 + h * a.numKvHeads * a.headDim * 2;
  const norms = 2 * h;
  let mlpTotal: number;
  let mlpActive: number;
  if (a.numExperts && a.numExperts > 1) {
    const expert = 3 * h * (a.moeIntermediateSize ?? a.intermediateSize);
    const shared = a.sharedExpertIntermediateSize ? 3 * h * a.sharedExpertIntermediateSize : 0;
    const router = a.numExperts * h;
    mlpTotal = a.numExperts * expert + shared + router;
    mlpActive = (a.expertsPerToken ?? 1) * expert + shared + router;
  } else {
    mlpTotal = mlpActive = 3 * h * a.intermediateSize;
  }
  const fixed = embeddings + lmHead + h; // + final norm
  return {
    total: fixed + a.numLayers * (attention + norms + mlpTotal),
    active: fixed + a.numLayers * (attention + norms + mlpActive),
  };
}
