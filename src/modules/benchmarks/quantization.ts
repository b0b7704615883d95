import { WeightsDtype } from './catalog.types';

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Weight format by bit width: 8 bits (fp8, int8) read as one byte, 4 bits (and below) as half a byte. */
function byBits(bits: unknown): WeightsDtype | null {
  if (typeof bits !== 'number') return null;
  return bits <= 4 ? 'int4' : bits <= 8 ? 'fp8' : '16bit';
}

/**
 * The weight format a Hugging Face `quantization_config` describes, as vLLM picks its kernels:
 * `fp8` / `fbgemm_fp8` / ModelOpt FP8 are 8-bit; AWQ, GPTQ, Marlin and bitsandbytes carry `bits`;
 * compressed-tensors (llm-compressor: FP8-dynamic, W8A8, W4A16) states the weights' `num_bits`
 * per config group; MXFP4 (gpt-oss) and NVFP4 are 4-bit. Null when absent or not recognised.
 */
export function quantizationFromConfig(config: unknown): WeightsDtype | null {
  if (!isObject(config)) return null;
  const method = String(config.quant_method ?? config.quantization ?? '').toLowerCase();
  if (method === 'fp8' || method === 'fbgemm_fp8' || method === 'ptpc_fp8') return 'fp8';
  if (method === 'mxfp4' || method === 'nvfp4') return 'int4';
  if (method === 'modelopt' || method === 'modelopt_fp4') {
    const algo = String(config.quant_algo ?? (isObject(config.quantization) ? config.quantization.quant_algo : '') ?? '').toLowerCase();
    return algo.includes('fp4') || method === 'modelopt_fp4' ? 'int4' : 'fp8';
  }
  if (method === 'bitsandbytes') return config.load_in_4bit === true ? 'int4' : config.load_in_8bit === true ? 'fp8' : null;
  if (method === 'compressed-tensors') {
    const groups = isObject(config.config_groups) ? Object.values(config.config_groups) : [];
    for (const g of groups) if (isObject(g) && isObject(g.weights)) return byBits(g.weights.num_bits);
    return null;
  }
  if (['awq', 'gptq', 'awq_marlin', 'gptq_marlin', 'marlin', 'gptq_marlin_24', 'exl2', 'hqq', 'aqlm'].includes(method)) return byBits(config.bits ?? config.w_bit ?? 4);
  return null;
}

/**
 * The weight format a checkpoint's name announces, as the quantizing projects name them:
 * `-FP8`, `-FP8-dynamic`, `-FP8-Dynamic`, `-W8A8`, `-int8`, `quantized.w8a8` (8-bit);
 * `-AWQ`, `-GPTQ`, `-GPTQ-Int4`, `-W4A16`, `-int4`, `-4bit`, `-bnb-4bit`, `-NVFP4`, `-MXFP4` (4-bit).
 */
export function quantizationFromName(name: string): WeightsDtype | null {
  const n = name.split('/').pop()!.toLowerCase();
  if (/(^|[-_.])(awq|gptq|w4a16|w4a8|int4|4bit|nvfp4|mxfp4|fp4)([-_.]|$)/.test(n)) return 'int4';
  if (/(^|[-_.])(fp8|w8a8|w8a16|int8|8bit)([-_.]|$)/.test(n)) return 'fp8';
  return null;
}

/**
 * The checkpoint name without the quantizer's organisation or suffix, to find the base model it
 * was made from: "RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic" -> "Llama-4-Scout-17B-16E-Instruct".
 */
export function baseModelName(name: string): string {
  return name
    .split('/')
    .pop()!
    .replace(/[-_.](quantized[-_.])?(fp8|w8a8|w8a16|w4a16|w4a8|int4|int8|awq|gptq|nvfp4|mxfp4|fp4|4bit|8bit|bnb)([-_.].*)?$/i, '');
}
