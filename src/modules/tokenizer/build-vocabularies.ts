import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { compactPath, encodeCompact, readTokenizerJson, vocabularySource } from './codecs/byte-level-data';
import { encodeTiktokenCompact, readRanksModule, tiktokenCompactPath, tiktokenIdentity } from './codecs/tiktoken-data';
import { BYTE_LEVEL_PACKAGES } from './create-tokenizer';

/**
 * Part of `npm run build`: writes the compact copy of each byte-level vocabulary (Llama 3, Qwen)
 * and of cl100k_base (phi-4) under dist/tokenizers, so that a server start reads a few MB of arrays
 * instead of parsing and indexing a 9-11 MB tokenizer.json or decoding 100k base64 tokens. The copy records the package version it was made from; after
 * an upgrade of the package the server falls back to the JSON until the next build.
 */
export function buildVocabularies(log: (line: string) => void = () => undefined): void {
  for (const packageName of BYTE_LEVEL_PACKAGES) {
    const source = vocabularySource(packageName);
    const file = compactPath(packageName);
    mkdirSync(dirname(file), { recursive: true });
    const bytes = encodeCompact(readTokenizerJson(source.file), source.identity);
    writeFileSync(file, bytes);
    log(`${file}: ${(bytes.length / 1024 / 1024).toFixed(1)} MB from ${source.identity}`);
  }
  const file = tiktokenCompactPath();
  const identity = tiktokenIdentity();
  const bytes = encodeTiktokenCompact(readRanksModule(), identity);
  writeFileSync(file, bytes);
  log(`${file}: ${(bytes.length / 1024 / 1024).toFixed(1)} MB from ${identity}`);
}

if (require.main === module) buildVocabularies((line) => process.stdout.write(`${line}\n`));
