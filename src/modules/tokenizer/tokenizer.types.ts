/** Text split into the model's tokens; `pieces.join('')` is exactly the encoded text. */
export interface Encoding {
  ids: number[];
  pieces: string[];
}

export interface ChatTurn {
  role: string;
  content: string;
}

/**
 * The served model's tokenizer. Counts drive usage, context checks and timing, so every module uses
 * this one instance (inject TOKENIZER).
 */
export interface Tokenizer {
  /** Which tokenizer is in use, e.g. "mistral-v3 (exact)" or "approximate (llama-like)". */
  readonly name: string;
  readonly vocabSize: number;
  /** Encodes text without special tokens. */
  encode(text: string): Encoding;
  /** Token count of text without special tokens; may be faster than encode(). */
  count(text: string): number;
  /** A completions prompt as vLLM encodes it (add_special_tokens=True: BOS where the model has one). */
  encodePrompt(text: string): number[];
  /** A chat conversation rendered with the model's chat template and the generation prompt, encoded. */
  encodeChat(turns: readonly ChatTurn[]): number[];
  decode(ids: readonly number[]): string;
  /** Text of one token id (logprobs' `token`, /tokenize's `token_strs`). */
  tokenText(id: number): string;
  /** Vocabulary spelling of a token as HF convert_ids_to_tokens gives it ("▁Hello"), for /tokenize's token_strs. */
  tokenPiece?(id: number): string;
  /**
   * encodePrompt() that yields to the event loop every ~16k characters (same ids). Doors should
   * use it for prompts longer than ~16k characters (Llama 3 / Qwen cost ~20 µs per token).
   */
  encodePromptAsync?(text: string): Promise<number[]>;
  /** encodeChat() that yields to the event loop within long messages (same ids). */
  encodeChatAsync?(turns: readonly ChatTurn[]): Promise<number[]>;
  /** decode() that yields to the event loop within a long list of ids (same text). */
  decodeAsync?(ids: readonly number[]): Promise<string>;
}

export const TOKENIZER = Symbol('TOKENIZER');

/** The prompt's ids, yielding to the event loop within a long prompt where the tokenizer can. */
export function encodePromptYielding(tokenizer: Tokenizer, text: string): Promise<number[]> {
  return tokenizer.encodePromptAsync ? tokenizer.encodePromptAsync(text) : Promise.resolve(tokenizer.encodePrompt(text));
}

/** The conversation's ids, yielding to the event loop within long messages where the tokenizer can. */
export function encodeChatYielding(tokenizer: Tokenizer, turns: readonly ChatTurn[]): Promise<number[]> {
  return tokenizer.encodeChatAsync ? tokenizer.encodeChatAsync(turns) : Promise.resolve(tokenizer.encodeChat(turns));
}

/** The text of token ids, yielding to the event loop within a long list where the tokenizer can. */
export function decodeYielding(tokenizer: Tokenizer, ids: readonly number[]): Promise<string> {
  return tokenizer.decodeAsync ? tokenizer.decodeAsync(ids) : Promise.resolve(tokenizer.decode(ids));
}
