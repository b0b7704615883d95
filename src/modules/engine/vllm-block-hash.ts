import { createHash, randomBytes } from 'node:crypto';

/**
 * vLLM's block hashing for prefix caching (`vllm/v1/core/kv_cache_utils.py`: `hash_block_tokens`,
 * `init_none_hash`), reproduced byte for byte so the hashes the simulator publishes in its KV
 * events are the ones a vLLM engine would publish for the same token ids, and the ones a router
 * that hashes the prompt itself (llm-d's kv-cache indexer) computes.
 *
 * A block's hash is `hash_fn((parent_hash, tuple(token_ids), extra_keys))`, where the parent of a
 * sequence's first block is NONE_HASH: `hash_fn(PYTHONHASHSEED)` when that variable is set, else
 * 32 random bytes (so no one outside the engine can reproduce them, as with vLLM).
 * - `sha256` (vLLM's default): SHA-256 of the tuple pickled with protocol 5 (pickle.HIGHEST_PROTOCOL).
 * - `sha256_cbor`: SHA-256 of the tuple in canonical CBOR (what llm-d documents for routers).
 * Events carry the low 64 bits of the digest as an unsigned integer
 * (`VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES`, on by default), or the whole digest as bytes.
 */
export const PREFIX_CACHING_HASH_ALGOS = ['sha256', 'sha256_cbor'] as const;
export type PrefixCachingHashAlgo = (typeof PREFIX_CACHING_HASH_ALGOS)[number];

/** A block's full 32-byte digest. */
export type BlockDigest = Buffer;

export interface BlockHashOptions {
  algo: PrefixCachingHashAlgo;
  /** PYTHONHASHSEED as the environment holds it (a string, even when it looks numeric); null when unset. */
  seed: string | null;
  /** Where NONE_HASH comes from when no seed is set (vLLM: os.urandom(32)). */
  random?: () => Buffer;
}

/** The low 64 bits of a digest, as vLLM publishes it: `int.from_bytes(digest, "big") & (2**64 - 1)`. */
export function digestToInt(digest: BlockDigest): bigint {
  return digest.readBigUInt64BE(digest.length - 8);
}

export class VllmBlockHasher {
  readonly noneHash: BlockDigest;
  private readonly encode: (parent: BlockDigest, tokens: readonly number[], extra: readonly string[] | null) => Buffer;

  constructor(readonly options: BlockHashOptions) {
    this.encode = options.algo === 'sha256' ? pickleBlock : cborBlock;
    this.noneHash =
      options.seed === null
        ? (options.random ?? (() => randomBytes(32)))()
        : sha256(options.algo === 'sha256' ? pickleString(options.seed) : cborText(options.seed));
  }

  /**
   * The hash of one full block chained to its parent's digest (null for a sequence's first block).
   * `extra` is vLLM's extra_keys tuple (a LoRA adapter's name, ...), null when there is none.
   */
  hash(parent: BlockDigest | null, tokens: readonly number[], extra: readonly string[] | null = null): BlockDigest {
    return sha256(this.encode(parent ?? this.noneHash, tokens, extra));
  }
}

function sha256(data: Buffer): BlockDigest {
  return createHash('sha256').update(data).digest();
}

// ---- pickle, protocol 5, as CPython's pickler writes a (bytes, tuple[int, ...], None | tuple[str, ...]) ----

const PROTO = 0x80;
const FRAME = 0x95;
const STOP = 0x2e;
const MEMOIZE = 0x94;
const MARK = 0x28;
const TUPLE = 0x74;
const TUPLE_N = [0x29, 0x85, 0x86, 0x87];
const NONE = 0x4e;
const SHORT_BINBYTES = 0x43;
const SHORT_BINUNICODE = 0x8c;
const BINUNICODE = 0x58;
const BININT1 = 0x4b;
const BININT2 = 0x4d;
const BININT = 0x4a;

class ByteWriter {
  private buf = Buffer.allocUnsafe(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }

  bytes(data: Buffer): void {
    this.room(data.length);
    data.copy(this.buf, this.length);
    this.length += data.length;
  }

  uint16le(v: number): void {
    this.room(2);
    this.buf.writeUInt16LE(v, this.length);
    this.length += 2;
  }

  int32le(v: number): void {
    this.room(4);
    this.buf.writeInt32LE(v, this.length);
    this.length += 4;
  }

  uint32le(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }

  uint16be(v: number): void {
    this.room(2);
    this.buf.writeUInt16BE(v, this.length);
    this.length += 2;
  }

  uint32be(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v, this.length);
    this.length += 4;
  }

  done(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function pickleInt(w: ByteWriter, v: number): void {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`Token id ${v} is out of the range vLLM's hash supports here`);
  if (v >= 0 && v <= 0xff) {
    w.byte(BININT1);
    w.byte(v);
  } else if (v >= 0 && v <= 0xffff) {
    w.byte(BININT2);
    w.uint16le(v);
  } else {
    w.byte(BININT);
    w.int32le(v);
  }
}

function pickleStr(w: ByteWriter, s: string): void {
  const data = Buffer.from(s, 'utf8');
  if (data.length <= 0xff) {
    w.byte(SHORT_BINUNICODE);
    w.byte(data.length);
  } else {
    w.byte(BINUNICODE);
    w.uint32le(data.length);
  }
  w.bytes(data);
  w.byte(MEMOIZE);
}

function pickleTuple<T>(w: ByteWriter, items: readonly T[], item: (w: ByteWriter, v: T) => void): void {
  if (items.length === 0) {
    w.byte(TUPLE_N[0]);
    return;
  }
  if (items.length > 3) w.byte(MARK);
  for (const v of items) item(w, v);
  w.byte(items.length > 3 ? TUPLE : TUPLE_N[items.length]);
  w.byte(MEMOIZE);
}

/** Wraps a pickle body: protocol header, one frame (the whole pickle is far below the 64 KiB frame target), STOP. */
function framed(body: (w: ByteWriter) => void): Buffer {
  const w = new ByteWriter();
  body(w);
  w.byte(STOP);
  const frame = w.done();
  const out = Buffer.allocUnsafe(2 + (frame.length >= 4 ? 9 : 0) + frame.length);
  out[0] = PROTO;
  out[1] = 5;
  let at = 2;
  if (frame.length >= 4) {
    out[at++] = FRAME;
    out.writeBigUInt64LE(BigInt(frame.length), at);
    at += 8;
  }
  frame.copy(out, at);
  return out;
}

function pickleBlock(parent: BlockDigest, tokens: readonly number[], extra: readonly string[] | null): Buffer {
  return framed((w) => {
    w.byte(SHORT_BINBYTES);
    w.byte(parent.length);
    w.bytes(parent);
    w.byte(MEMOIZE);
    pickleTuple(w, tokens, pickleInt);
    if (extra === null) w.byte(NONE);
    else pickleTuple(w, extra, pickleStr);
    w.byte(TUPLE_N[3]);
    w.byte(MEMOIZE);
  });
}

function pickleString(s: string): Buffer {
  return framed((w) => pickleStr(w, s));
}

// ---- canonical CBOR (RFC 8949 core deterministic encoding), as cbor2.dumps(..., canonical=True) ----

function cborHead(w: ByteWriter, major: number, n: number): void {
  const m = major << 5;
  if (n < 24) w.byte(m | n);
  else if (n <= 0xff) {
    w.byte(m | 24);
    w.byte(n);
  } else if (n <= 0xffff) {
    w.byte(m | 25);
    w.uint16be(n);
  } else if (n <= 0xffffffff) {
    w.byte(m | 26);
    w.uint32be(n);
  } else {
    throw new RangeError(`CBOR length ${n} is out of range`);
  }
}

function cborInt(w: ByteWriter, v: number): void {
  if (!Number.isInteger(v) || Math.abs(v) > 0xffffffff) throw new RangeError(`Token id ${v} is out of the range vLLM's hash supports here`);
  if (v >= 0) cborHead(w, 0, v);
  else cborHead(w, 1, -1 - v);
}

function cborStr(w: ByteWriter, s: string): void {
  const data = Buffer.from(s, 'utf8');
  cborHead(w, 3, data.length);
  w.bytes(data);
}

function cborBlock(parent: BlockDigest, tokens: readonly number[], extra: readonly string[] | null): Buffer {
  const w = new ByteWriter();
  cborHead(w, 4, 3);
  cborHead(w, 2, parent.length);
  w.bytes(parent);
  cborHead(w, 4, tokens.length);
  for (const t of tokens) cborInt(w, t);
  if (extra === null) w.byte(0xf6);
  else {
    cborHead(w, 4, extra.length);
    for (const s of extra) cborStr(w, s);
  }
  return w.done();
}

function cborText(s: string): Buffer {
  const w = new ByteWriter();
  cborStr(w, s);
  return w.done();
}
