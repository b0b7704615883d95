import { LruCache } from '../../common/lru-cache';
import { ChatSegment, ChatTemplateName, renderChat } from './chat-templates';
import { TextCodec } from './codecs/text-codec';
import { ChatTurn, Encoding, Tokenizer } from './tokenizer.types';

/** Decodes one token's bytes at a time (never in streaming mode, so it keeps no state between calls). */
const TOKEN_TEXT_DECODER = new TextDecoder('utf-8', { fatal: false });

/**
 * Short texts seen again (a chat's system prompt and questions, a pattern's replies) are encoded
 * once: encodings of texts up to this many characters are kept, this many of them.
 */
const CACHED_TEXT_CHARS = 1024;
const CACHED_TEXTS = 2048;

/** Lets the event loop turn (timers, sockets) before long work goes on. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface CodecTokenizerOptions {
  name: string;
  /** BOS prepended to a completions prompt (vLLM add_special_tokens=True), if the model has one. */
  bos?: string;
  chatTemplate: ChatTemplateName;
}

/** The public `Tokenizer` over a `TextCodec`: pieces, prompt and chat encoding, decoding. */
export class CodecTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  /** Encodings of short texts (frozen: callers share them), pieces added when first asked for. */
  private readonly recent = new LruCache<string, { ids: readonly number[]; pieces?: readonly string[] }>(CACHED_TEXTS);

  constructor(
    private readonly codec: TextCodec,
    private readonly options: CodecTokenizerOptions,
  ) {
    this.name = options.name;
    this.vocabSize = codec.vocabSize;
  }

  encode(text: string): Encoding {
    if (text.length > CACHED_TEXT_CHARS) return this.encodeUncached(text);
    const cached = this.recent.get(text);
    if (cached?.pieces) return cached as Encoding;
    const encoding = this.encodeUncached(text);
    this.recent.set(text, { ids: Object.freeze(encoding.ids), pieces: Object.freeze(encoding.pieces) });
    return encoding;
  }

  private encodeUncached(text: string): Encoding {
    if (this.codec.encodeWithPieces) return this.codec.encodeWithPieces(text);
    const ids = this.codec.encodeIds(text);
    return { ids, pieces: this.piecesOf(ids, this.codec.dummyPrefix) };
  }

  /** The ids of a text without special tokens, from the cache when it is short and was seen. */
  private idsOf(text: string): readonly number[] {
    if (text.length > CACHED_TEXT_CHARS) return this.codec.encodeIds(text);
    const cached = this.recent.get(text);
    if (cached) return cached.ids;
    const ids = Object.freeze(this.codec.encodeIds(text));
    this.recent.set(text, { ids });
    return ids;
  }

  count(text: string): number {
    return this.codec.count ? this.codec.count(text) : this.codec.encodeIds(text).length;
  }

  encodePrompt(text: string): number[] {
    const ids = this.idsOf(text);
    const bos = this.options.bos === undefined ? undefined : this.codec.specialId(this.options.bos);
    return bos === undefined ? [...ids] : [bos, ...ids];
  }

  encodeChat(turns: readonly ChatTurn[]): number[] {
    return this.encodeSegments(renderChat(this.options.chatTemplate, turns));
  }

  /**
   * encodePrompt() for long prompts: encodes slices of ~16k characters (~4k tokens) and yields to the event loop
   * between them. Slices are cut only before a space that follows a non-space, where every codec's
   * pre-tokenizer splits anyway; for SentencePiece the cut space becomes the next slice's dummy
   * prefix. The ids equal encodePrompt()'s.
   */
  async encodePromptAsync(text: string, sliceChars = 16_384): Promise<number[]> {
    if (text.length <= sliceChars) return this.encodePrompt(text);
    const ids = this.encodePrompt('');
    await this.encodeInSlices(text, ids, sliceChars);
    return ids;
  }

  /**
   * encodeChat() for long conversations: each long message is encoded as encodePromptAsync() does,
   * and many short ones yield every ~sliceChars characters too.
   */
  async encodeChatAsync(turns: readonly ChatTurn[], sliceChars = 16_384): Promise<number[]> {
    const ids: number[] = [];
    let sinceYield = 0;
    for (const seg of renderChat(this.options.chatTemplate, turns)) {
      const length = 'text' in seg ? seg.text.length : seg.special.length;
      if ('text' in seg && length > sliceChars) {
        await this.encodeInSlices(seg.text, ids, sliceChars);
        sinceYield = 0;
        continue;
      }
      this.encodeSegment(seg, ids);
      sinceYield += length + 1;
      if (sinceYield > sliceChars) {
        sinceYield = 0;
        await nextTurn();
      }
    }
    return ids;
  }

  /** decode() that yields to the event loop every `sliceIds` ids (same text). */
  async decodeAsync(ids: readonly number[], sliceIds = 16_384): Promise<string> {
    if (ids.length <= sliceIds) return this.decode(ids);
    const kept = ids.filter((id) => !this.codec.isSkippedOnDecode(id));
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const parts: string[] = [];
    for (let start = 0; start < kept.length; start += sliceIds) {
      const end = Math.min(start + sliceIds, kept.length);
      let text = '';
      for (let i = start; i < end; i++) text += decoder.decode(this.codec.tokenBytes(kept[i]), { stream: true });
      parts.push(text);
      if (end < kept.length) await nextTurn();
    }
    parts.push(decoder.decode());
    const joined = parts.join('');
    return this.codec.dummyPrefix && joined.startsWith(' ') ? joined.slice(1) : joined;
  }

  private async encodeInSlices(text: string, ids: number[], sliceChars: number): Promise<void> {
    let start = 0;
    while (start < text.length) {
      let end = Math.min(start + sliceChars, text.length);
      while (end < text.length && !(text[end] === ' ' && text[end - 1] !== ' ')) end++;
      const from = start > 0 && this.codec.dummyPrefix ? start + 1 : start;
      for (const id of this.codec.encodeIds(text.slice(from, end))) ids.push(id);
      start = end;
      if (start < text.length) await nextTurn();
    }
  }

  decode(ids: readonly number[]): string {
    return this.piecesOf(ids.filter((id) => !this.codec.isSkippedOnDecode(id)), this.codec.dummyPrefix).join('');
  }

  tokenText(id: number): string {
    return TOKEN_TEXT_DECODER.decode(this.codec.tokenBytes(id));
  }

  /** The vocabulary spelling of a token (HF convert_ids_to_tokens: "▁Hello", "ĠHello"), for /tokenize's token_strs. */
  tokenPiece(id: number): string {
    return this.codec.tokenPiece(id);
  }

  private encodeSegments(segments: readonly ChatSegment[]): number[] {
    const ids: number[] = [];
    for (const seg of segments) this.encodeSegment(seg, ids);
    return ids;
  }

  private encodeSegment(seg: ChatSegment, ids: number[]): void {
    if ('special' in seg) {
      const id = this.codec.specialId(seg.special);
      if (id !== undefined) ids.push(id);
      else for (const x of this.idsOf(seg.special)) ids.push(x);
    } else {
      for (const x of this.idsOf(seg.text)) ids.push(x);
    }
  }

  /**
   * Text of each token such that the pieces join to the decoded text: bytes go through a streaming
   * UTF-8 decoder, so a character split over byte tokens lands in the piece that completes it.
   */
  private piecesOf(ids: readonly number[], dummyPrefix: boolean): string[] {
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const pieces = ids.map((id) => decoder.decode(this.codec.tokenBytes(id), { stream: true }));
    const tail = decoder.decode();
    if (tail && pieces.length > 0) pieces[pieces.length - 1] += tail;
    if (dummyPrefix && pieces.length > 0 && pieces[0].startsWith(' ')) pieces[0] = pieces[0].slice(1);
    return pieces;
  }
}
