import { readFileSync } from 'node:fs';
import { ApproximateProfile } from './codecs/approximate';
import { ChatTemplateName } from './chat-templates';

/** Which tokenizer a model gets. `exact` families run the model's real vocabulary. */
export type TokenizerKind = 'mistral-v3' | 'mistral-v1' | 'llama2' | 'llama3' | 'qwen' | 'phi4' | 'approximate';

export interface TokenizerSpec {
  kind: TokenizerKind;
  /** Short family label for names and docs. */
  family: string;
  vocabSize: number;
  chatTemplate: ChatTemplateName;
  /** For the approximate tokenizer. */
  profile?: ApproximateProfile['name'];
  /** The model's BOS token, prepended to completions prompts. */
  bos?: string;
}

interface Rule {
  test: RegExp;
  spec: Omit<TokenizerSpec, 'vocabSize'> & { vocabSize?: number };
}

// First match wins; ids are matched case-insensitively against the whole Hugging Face id.
const RULES: Rule[] = [
  { test: /mistral-7b(-instruct)?-v0\.3|mixtral-8x22b|codestral-22b|mathstral/i, spec: { kind: 'mistral-v3', family: 'mistral-v3', vocabSize: 32768, chatTemplate: 'mistral', bos: '<s>' } },
  { test: /mistral-7b(-instruct)?-v0\.[12]|mixtral-8x7b/i, spec: { kind: 'mistral-v1', family: 'mistral-v1', vocabSize: 32000, chatTemplate: 'mistral-legacy', bos: '<s>' } },
  // Tekken (Nemo, Small 3, Large 2): 131k byte-level BPE, no package ships it in a usable form.
  { test: /mistral-nemo|mistral-small|mistral-large|ministral|pixtral/i, spec: { kind: 'approximate', family: 'mistral-tekken', vocabSize: 131072, chatTemplate: 'mistral', profile: 'bpe-large', bos: '<s>' } },
  { test: /tinyllama/i, spec: { kind: 'llama2', family: 'llama2', vocabSize: 32000, chatTemplate: 'zephyr', bos: '<s>' } },
  { test: /llama-2|codellama/i, spec: { kind: 'llama2', family: 'llama2', vocabSize: 32000, chatTemplate: 'llama2', bos: '<s>' } },
  { test: /llama-3|llama3|deepseek-r1-distill-llama/i, spec: { kind: 'llama3', family: 'llama3', vocabSize: 128256, chatTemplate: 'llama3', bos: '<|begin_of_text|>' } },
  { test: /qwen3/i, spec: { kind: 'qwen', family: 'qwen', chatTemplate: 'qwen3' } },
  { test: /qwen/i, spec: { kind: 'qwen', family: 'qwen', chatTemplate: 'qwen2.5' } },
  { test: /phi-4/i, spec: { kind: 'phi4', family: 'phi4', vocabSize: 100352, chatTemplate: 'phi4' } },
  { test: /gemma/i, spec: { kind: 'approximate', family: 'gemma', vocabSize: 256000, chatTemplate: 'gemma', profile: 'bpe-large', bos: '<bos>' } },
  { test: /granite/i, spec: { kind: 'approximate', family: 'granite', vocabSize: 49155, chatTemplate: 'granite', profile: 'bpe-large' } },
  { test: /yi-/i, spec: { kind: 'approximate', family: 'yi', vocabSize: 64000, chatTemplate: 'chatml', profile: 'sentencepiece-32k', bos: '<|startoftext|>' } },
];

/** Facts from a Hugging Face config.json that help pick a tokenizer. */
export interface ModelConfigFacts {
  vocabSize?: number;
  architecture?: string;
}

export function readModelConfig(path: string): ModelConfigFacts {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { vocab_size?: unknown; architectures?: unknown };
  return {
    vocabSize: typeof raw.vocab_size === 'number' ? raw.vocab_size : undefined,
    architecture: Array.isArray(raw.architectures) && typeof raw.architectures[0] === 'string' ? raw.architectures[0] : undefined,
  };
}

/**
 * The tokenizer for a model id. Known id patterns first; otherwise the config's architecture and
 * vocabulary size (a Llama-architecture model with 128256 ids is a Llama 3 derivative, ...);
 * otherwise the approximate tokenizer, sized by the config's vocab_size (default 32000).
 */
export function resolveTokenizerSpec(modelId: string, facts: ModelConfigFacts = {}): TokenizerSpec {
  const rule = RULES.find((r) => r.test.test(modelId));
  if (rule) {
    const vocabSize = rule.spec.vocabSize ?? facts.vocabSize ?? 151936;
    return { ...rule.spec, vocabSize };
  }
  const v = facts.vocabSize;
  const arch = facts.architecture ?? '';
  if (v === 128256) return { kind: 'llama3', family: 'llama3', vocabSize: v, chatTemplate: 'llama3', bos: '<|begin_of_text|>' };
  if (v === 32768 && /Mistral|Mixtral/.test(arch)) return { kind: 'mistral-v3', family: 'mistral-v3', vocabSize: v, chatTemplate: 'mistral', bos: '<s>' };
  if (v === 32000 && /Mistral|Mixtral/.test(arch)) return { kind: 'mistral-v1', family: 'mistral-v1', vocabSize: v, chatTemplate: 'mistral-legacy', bos: '<s>' };
  if (v === 32000 && /Llama/.test(arch)) return { kind: 'llama2', family: 'llama2', vocabSize: v, chatTemplate: 'llama2', bos: '<s>' };
  if (v !== undefined && v >= 151643 && v <= 152064 && /Qwen/.test(arch)) return { kind: 'qwen', family: 'qwen', vocabSize: v, chatTemplate: /Qwen3/.test(arch) ? 'qwen3' : 'qwen2.5' };
  const vocabSize = v ?? 32000;
  return { kind: 'approximate', family: 'unknown', vocabSize, chatTemplate: 'chatml', profile: vocabSize < 70_000 ? 'sentencepiece-32k' : 'bpe-large' };
}
