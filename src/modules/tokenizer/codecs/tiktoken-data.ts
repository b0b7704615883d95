import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../../config/paths';

/**
 * A tiktoken vocabulary (cl100k_base for phi-4): the bytes of every token by rank, and the
 * pre-tokenizer regex, read from js-tiktoken's ranks module (~0.25 s: 100k base64 tokens to decode
 * and index) or from the compact copy `npm run build` writes under dist/tokenizers.
 */
export interface TiktokenData {
  /** Token bytes by rank: `bytes.subarray(offsets[r], offsets[r + 1])`. */
  bytes: Uint8Array;
  offsets: Uint32Array;
  /** The regex as js-tiktoken runs it (flags `gu`). */
  pattern: string;
}

export const CL100K_MODULE = 'js-tiktoken/ranks/cl100k_base';

interface RanksModule {
  pat_str: string;
  bpe_ranks: string;
}

/** `js-tiktoken@version bytes` of the ranks module: a compact copy of another version is not used. */
export function tiktokenIdentity(moduleName = CL100K_MODULE): string {
  const file = require.resolve(moduleName);
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
  return `${pkg.name ?? '?'}@${pkg.version ?? '?'} ${moduleName} ${statSync(file).size}`;
}

/** Decodes js-tiktoken's ranks format: lines of `! offset token64 token64 ...`, ranks counting up from offset. */
export function readRanksModule(moduleName = CL100K_MODULE): TiktokenData {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(moduleName) as RanksModule | { default: RanksModule };
  const ranks = 'default' in loaded ? loaded.default : loaded;
  const byRank: Buffer[] = [];
  for (const line of ranks.bpe_ranks.split('\n')) {
    if (!line) continue;
    const parts = line.split(' ');
    const offset = Number.parseInt(parts[1], 10);
    for (let i = 2; i < parts.length; i++) byRank[offset + i - 2] = Buffer.from(parts[i], 'base64');
  }
  const offsets = new Uint32Array(byRank.length + 1);
  let total = 0;
  for (let r = 0; r < byRank.length; r++) {
    offsets[r] = total;
    total += byRank[r]?.length ?? 0;
  }
  offsets[byRank.length] = total;
  const bytes = new Uint8Array(total);
  for (let r = 0; r < byRank.length; r++) if (byRank[r]) bytes.set(byRank[r], offsets[r]);
  return { bytes, offsets, pattern: ranks.pat_str };
}

// Compact copy: "VSIMTIK1" | u32 header length | header JSON | padding to 4 | offsets (u32) | bytes.
const MAGIC = Buffer.from('VSIMTIK1', 'latin1');

export function encodeTiktokenCompact(data: TiktokenData, identity: string): Buffer {
  const header = Buffer.from(JSON.stringify({ identity, pattern: data.pattern, count: data.offsets.length - 1 }), 'utf8');
  const lengthField = Buffer.alloc(4);
  lengthField.writeUInt32LE(header.length);
  const unpadded = MAGIC.length + 4 + header.length;
  const padding = Buffer.alloc((4 - (unpadded % 4)) % 4);
  return Buffer.concat([MAGIC, lengthField, header, padding, Buffer.from(data.offsets.buffer, data.offsets.byteOffset, data.offsets.byteLength), Buffer.from(data.bytes)]);
}

export function decodeTiktokenCompact(buf: Buffer, identity: string): TiktokenData | undefined {
  if (buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const headerLength = buf.readUInt32LE(MAGIC.length);
  let at = MAGIC.length + 4;
  const header = JSON.parse(buf.toString('utf8', at, at + headerLength)) as { identity: string; pattern: string; count: number };
  if (header.identity !== identity) return undefined;
  at += headerLength;
  at += (4 - (at % 4)) % 4;
  const offsetsBytes = (header.count + 1) * 4;
  const start = buf.byteOffset + at;
  const offsets = start % 4 === 0 ? new Uint32Array(buf.buffer, start, header.count + 1) : new Uint32Array(buf.buffer.slice(start, start + offsetsBytes));
  const bytes = buf.subarray(at + offsetsBytes);
  if (bytes.length !== offsets[header.count]) return undefined;
  return { bytes, offsets, pattern: header.pattern };
}

export function tiktokenCompactPath(moduleName = CL100K_MODULE): string {
  return join(PROJECT_ROOT, 'dist', 'tokenizers', `${moduleName.replace(/\//g, '+')}.tik`);
}

/** cl100k_base: the compact copy when it matches the installed js-tiktoken, else its ranks module. */
export function loadTiktokenData(moduleName = CL100K_MODULE): TiktokenData {
  const compact = tiktokenCompactPath(moduleName);
  if (existsSync(compact)) {
    const data = decodeTiktokenCompact(readFileSync(compact), tiktokenIdentity(moduleName));
    if (data) return data;
  }
  return readRanksModule(moduleName);
}
