import { CatalogError } from './catalog-errors';
import { ModelSpec, PoolingFacts } from './catalog.types';
import { countParameters } from './parameters';
import { quantizationFromConfig, quantizationFromName } from './quantization';

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a model description written with Hugging Face `config.json` keys: a row of
 * data/models.json, an entry under `models:` in the config file, or a config.json itself
 * (multimodal configs nest the language model under `text_config`). Throws a CatalogError naming
 * the first missing or invalid field.
 */
export function modelSpecFromConfig(input: unknown, fallbackId: string | undefined, where: string): ModelSpec {
  if (!isObject(input)) throw new CatalogError(`${where}: expected an object with Hugging Face config.json fields`);
  const outer = input;
  const raw: Raw = isObject(outer.text_config) ? { ...outer, ...outer.text_config } : outer;

  const id = str(raw.id) ?? str(outer.id) ?? fallbackId ?? str(raw._name_or_path);
  if (!id) throw new CatalogError(`${where}: field "id" is required (the model name clients send)`);
  const at = `${where} (model "${id}")`;
  const int = (key: string, required: boolean, ...aliases: string[]): number | undefined => {
    for (const k of [key, ...aliases]) {
      const v = raw[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
        throw new CatalogError(`${at}: field "${k}" must be a positive integer, got ${JSON.stringify(v)}`);
      return v;
    }
    if (required) throw new CatalogError(`${at}: field "${key}" is required`);
    return undefined;
  };
  /** A count where 0 means none (Qwen3-MoE configs write `shared_expert_intermediate_size: 0`). */
  const countOrNone = (key: string): number | undefined => (raw[key] === 0 ? undefined : int(key, false));

  const numLayers = int('num_hidden_layers', true, 'n_layer', 'num_layers')!;
  const hiddenSize = int('hidden_size', true, 'n_embd', 'd_model')!;
  const numAttentionHeads = int('num_attention_heads', true, 'n_head')!;
  const numKvHeads = int('num_key_value_heads', false) ?? numAttentionHeads;
  // head_dim is absent from most configs: it is then hidden_size / heads (MLA: the nope + rope parts of q.k).
  const mlaHeadDim = typeof raw.qk_nope_head_dim === 'number' && typeof raw.qk_rope_head_dim === 'number' ? raw.qk_nope_head_dim + raw.qk_rope_head_dim : undefined;
  const headDim = mlaHeadDim ?? int('head_dim', false) ?? hiddenSize / numAttentionHeads;
  if (!Number.isInteger(headDim))
    throw new CatalogError(`${at}: field "head_dim" is missing and hidden_size / num_attention_heads is not an integer`);
  const intermediateSize = int('intermediate_size', true, 'ffn_dim', 'n_inner')!;
  const vocabSize = int('vocab_size', true)!;
  const contextLength = int('max_position_embeddings', true, 'max_sequence_length', 'seq_length', 'n_positions')!;
  const numExperts = int('num_local_experts', false, 'num_experts', 'n_routed_experts');
  const expertsPerToken = int('num_experts_per_tok', false, 'moe_topk', 'top_k', 'experts_per_token');
  if (numExperts && numExperts > 1 && !expertsPerToken)
    throw new CatalogError(`${at}: field "num_experts_per_tok" is required for a mixture-of-experts model`);
  const moeIntermediateSize = int('moe_intermediate_size', false);
  const architecture = str(raw.architecture) ?? (Array.isArray(raw.architectures) ? str(raw.architectures[0]) : undefined) ?? null;
  const isLlama4 = /^Llama4/.test(architecture ?? '') || raw.model_type === 'llama4_text' || raw.model_type === 'llama4';
  // Shared experts: Qwen2-MoE states the width; DeepSeek counts experts of moe_intermediate_size;
  // Llama 4's shared expert is an MLP of intermediate_size beside the routed ones.
  const sharedExperts = countOrNone('n_shared_experts');
  const sharedExpertIntermediateSize =
    countOrNone('shared_expert_intermediate_size') ??
    (sharedExperts && moeIntermediateSize ? sharedExperts * moeIntermediateSize : undefined) ??
    (isLlama4 && numExperts ? intermediateSize : undefined);
  // Which layers are MoE: Llama 4 every interleave_moe_layer_step-th, DeepSeek after first_k_dense_replace,
  // Qwen-MoE every decoder_sparse_step-th.
  const step = int('interleave_moe_layer_step', false) ?? int('decoder_sparse_step', false) ?? int('moe_layer_freq', false) ?? 1;
  const firstDense = typeof raw.first_k_dense_replace === 'number' ? raw.first_k_dense_replace : 0;
  const moeLayers = numExperts && numExperts > 1 ? Math.floor((numLayers - firstDense) / step) : undefined;
  const denseIntermediateSize = int('intermediate_size_mlp', false);
  const kvLoraRank = int('kv_lora_rank', false);
  const qkRopeHeadDim = int('qk_rope_head_dim', false);
  const qkNopeHeadDim = int('qk_nope_head_dim', false);
  if (numKvHeads > numAttentionHeads)
    throw new CatalogError(`${at}: field "num_key_value_heads" (${numKvHeads}) exceeds num_attention_heads (${numAttentionHeads})`);
  // Hugging Face's default is tied embeddings; catalog rows say so explicitly (or flag the assumption).
  const tie = raw.tie_word_embeddings;
  if (tie !== undefined && tie !== null && typeof tie !== 'boolean')
    throw new CatalogError(`${at}: field "tie_word_embeddings" must be true or false`);
  const tieWordEmbeddings = typeof tie === 'boolean' ? tie : true;

  const slidingWindow = slidingAttention(raw, architecture, numLayers, contextLength);
  const isMoe = !!numExperts && numExperts > 1;
  const shape = {
    numLayers, hiddenSize, intermediateSize, numAttentionHeads, numKvHeads, headDim, vocabSize, tieWordEmbeddings,
    numExperts: isMoe ? numExperts : undefined,
    expertsPerToken: isMoe ? expertsPerToken : undefined,
    moeIntermediateSize,
    sharedExpertIntermediateSize: isMoe ? sharedExpertIntermediateSize : undefined,
    moeLayers: isMoe && moeLayers !== numLayers ? moeLayers : undefined,
    denseIntermediateSize: isMoe ? denseIntermediateSize : undefined,
    kvLoraRank: kvLoraRank && qkNopeHeadDim !== undefined ? kvLoraRank : undefined,
    qkRopeHeadDim: kvLoraRank ? qkRopeHeadDim : undefined,
    qLoraRank: kvLoraRank ? int('q_lora_rank', false) : undefined,
    gatedMlp: /^(OPT|GPT2|GPTNeoX|Bloom|Falcon|Bert|XLMRoberta|Roberta)/.test(architecture ?? '') ? false : undefined,
  };
  const counted = countParameters(shape);
  const stated = positive(raw.num_parameters);
  const statedActive = positive(raw.num_active_parameters);
  return {
    id,
    architecture,
    ...shape,
    contextLength,
    numParameters: stated ?? counted.total,
    numActiveParameters: statedActive ?? (shape.numExperts ? counted.active : stated ?? counted.active),
    quantization: quantizationFromConfig(outer.quantization_config ?? raw.quantization_config) ?? quantizationFromName(id),
    ...(slidingWindow ? { slidingWindow } : {}),
    torchDtype: str(raw.torch_dtype) ?? str(raw.dtype) ?? null,
    source: str(raw.source) ?? where,
    ...poolingOf(raw.pooling, hiddenSize, at),
  };
}

/**
 * Which layers attend within a sliding window, from config.json: `layer_types` where the config
 * lists them ("sliding_attention"); else `sliding_window` with the architecture's layout (Gemma 2
 * and gpt-oss alternate sliding and full layers; Gemma 3 has `sliding_window_pattern` - 1 sliding
 * layers in every pattern, 6 by default; other architectures with a window, as Mistral 7B v0.1,
 * slide in every layer). None when `use_sliding_window` is false (Qwen 2 configs carry an unused
 * window) or the window covers the whole context.
 */
function slidingAttention(raw: Raw, architecture: string | null, numLayers: number, contextLength: number): { window: number; layers: number } | undefined {
  const window = raw.sliding_window;
  if (typeof window !== 'number' || !Number.isInteger(window) || window < 1 || window >= contextLength || raw.use_sliding_window === false) return undefined;
  const types = raw.layer_types;
  if (Array.isArray(types) && types.length > 0) {
    const layers = types.filter((t) => t === 'sliding_attention').length;
    return layers > 0 ? { window, layers } : undefined;
  }
  const arch = architecture ?? '';
  if (/^Gemma3/.test(arch) || raw.model_type === 'gemma3' || raw.model_type === 'gemma3_text') {
    const pattern = typeof raw.sliding_window_pattern === 'number' && raw.sliding_window_pattern > 1 ? raw.sliding_window_pattern : 6;
    return { window, layers: numLayers - Math.floor(numLayers / pattern) };
  }
  if (/^(Gemma2|GptOss)/.test(arch)) return { window, layers: Math.ceil(numLayers / 2) };
  return { window, layers: numLayers };
}

const POOLING_TASKS = ['embed', 'classify', 'score'];

/** A catalog row's `pooling` entry (`{task, dimensions?, matryoshka?, labels?}`), checked. */
function poolingOf(value: unknown, hiddenSize: number, at: string): { pooling?: PoolingFacts } {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || typeof value.task !== 'string' || !POOLING_TASKS.includes(value.task))
    throw new CatalogError(`${at}: field "pooling" must be an object with "task" one of ${POOLING_TASKS.join(', ')}`);
  const labels = Array.isArray(value.labels) && value.labels.every((l) => typeof l === 'string') ? (value.labels as string[]) : undefined;
  const dimensions = positive(value.dimensions) ?? (labels ? labels.length : value.task === 'embed' ? hiddenSize : 1);
  const m = value.matryoshka;
  const matryoshka = m === true ? true : Array.isArray(m) && m.every((d) => Number.isInteger(d) && d > 0) ? (m as number[]) : undefined;
  return { pooling: { task: value.task as PoolingFacts['task'], dimensions, ...(matryoshka ? { matryoshka } : {}), ...(labels ? { labels } : {}) } };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && v > 0 ? v : undefined;
}
