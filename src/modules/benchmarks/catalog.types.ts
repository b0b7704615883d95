import { ArchitectureShape } from './parameters';

/** Architecture facts of a model, as the step-time and KV-cache arithmetic need them. */
export interface ModelSpec extends ArchitectureShape {
  id: string;
  architecture: string | null;
  contextLength: number;
  numParameters: number;
  numActiveParameters: number;
  /**
   * Sliding-window attention: `layers` of the model's layers attend only to the last `window`
   * tokens (Gemma 2 every other layer, Gemma 3 five of six, gpt-oss every other one); absent: all
   * layers attend to the whole context.
   */
  slidingWindow?: { window: number; layers: number };
  /** The checkpoint's weight format: from its `quantization_config`, else from its name (`-FP8`, `-AWQ`, ...); null = 16-bit. */
  quantization: WeightsDtype | null;
  /** The config's torch_dtype ("bfloat16", "float16", ...), what vLLM's `--dtype auto` starts from. */
  torchDtype: string | null;
  /** Where the facts come from (catalog row source, a config.json path, the settings file). */
  source: string;
  /** Set for a pooling model (embedding, reranker, classifier): what vLLM's pooling runner serves. */
  pooling?: PoolingFacts;
}

/** vLLM's pooling tasks as its pooling runner picks them from the model (`embed`, `classify`, `score`). */
export type PoolingTask = 'embed' | 'classify' | 'score';

/** What a pooling model computes: its task, the size of its vectors, the dimensions it may be cut to. */
export interface PoolingFacts {
  task: PoolingTask;
  /** Embedding size (hidden size for most encoders); the number of labels for a classifier. */
  dimensions: number;
  /** Matryoshka (MRL) dimensions: any size up to `dimensions` (true), these sizes, or none (absent). */
  matryoshka?: true | number[];
  /** A classifier's labels (id2label), index order. */
  labels?: string[];
}

/** `fabric`: a GPU-to-GPU fabric (NVLink, AMD Infinity Fabric / xGMI); `pcie`: through the host's PCIe. */
export type InterconnectKind = 'fabric' | 'pcie';

/** Hardware facts of one GPU. */
export interface GpuSpec {
  id: string;
  name: string;
  memoryBytes: number;
  bandwidthBytesPerS: number;
  /** Dense 16-bit (bf16, or fp16 where the part has no bf16) tensor FLOP/s. */
  peakFlops16: number;
  /** Dense fp8 tensor FLOP/s; undefined where the part has no fp8. */
  peakFlopsFp8?: number;
  interconnect: { kind: InterconnectKind; bytesPerS: number };
  aliases: string[];
  source: string;
}

/** Weights as the GEMMs read them: 16-bit, 8-bit (fp8 or int8 W8A8) or 4-bit (AWQ, GPTQ, W4A16, MXFP4, NVFP4). */
export type WeightsDtype = '16bit' | 'fp8' | 'int4';
export type KvDtype = '16bit' | 'fp8';
