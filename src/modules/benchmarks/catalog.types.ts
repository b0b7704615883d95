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
  /** Where the facts come from (catalog row source, a config.json path, the settings file). */
  source: string;
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
