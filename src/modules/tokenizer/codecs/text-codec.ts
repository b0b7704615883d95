/**
 * What a concrete tokenizer implementation provides; `TokenizerBase` builds the public `Tokenizer`
 * (pieces, prompts, chat templates) on top of it.
 */
export interface TextCodec {
  readonly vocabSize: number;
  /** Ids of plain text: no BOS, special-token strings are treated as text unless the codec says otherwise. */
  encodeIds(text: string): number[];
  /** Raw bytes a token stands for in decoded text (empty for tokens that decode to nothing). */
  tokenBytes(id: number): Uint8Array;
  /** The vocabulary string of a token as HF's convert_ids_to_tokens shows it ("▁Hello", "ĠHello"). */
  tokenPiece(id: number): string;
  /** Id of a special/control token by its string, e.g. "[INST]" or "<|im_start|>". */
  specialId(token: string): number | undefined;
  /** Ids skipped by decode(), as vLLM's skip_special_tokens does (BOS, EOS, ...). */
  isSkippedOnDecode(id: number): boolean;
  /**
   * SentencePiece codecs prepend a space ("dummy prefix") to every encoded text; decode() removes
   * it from the first token of a text run.
   */
  readonly dummyPrefix: boolean;
  /** Codecs whose tokens are not byte strings (the approximate one) give their pieces directly. */
  encodeWithPieces?(text: string): { ids: number[]; pieces: string[] };
  /** Faster than encodeIds(text).length where the codec can count without ids. */
  count?(text: string): number;
}

const utf8 = new TextEncoder();
export const EMPTY_BYTES = new Uint8Array(0);

export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}
