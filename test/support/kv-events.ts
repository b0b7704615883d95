import { decode } from '@msgpack/msgpack';
import * as cbor from 'cbor';
import { createHash } from 'node:crypto';
import { Dealer, Subscriber } from 'zeromq';

/** One KV cache event as decoded from the wire (maps, as vLLM sends them by default). */
export type WireEvent = Record<string, unknown> & { type: string };

export interface WireBatch {
  topic: string;
  seq: bigint;
  ts: number;
  events: WireEvent[];
  dataParallelRank: number | null;
  payload: Buffer;
}

/** Decodes a `[topic, seq, payload]` message with a real msgpack decoder. */
export function decodeBatch(topic: Buffer, seq: Buffer, payload: Buffer): WireBatch {
  const [ts, events, rank] = decode(payload, { useBigInt64: true }) as [number, WireEvent[], number | null];
  return { topic: topic.toString(), seq: seq.readBigInt64BE(), ts, events, dataParallelRank: rank ?? null, payload };
}

/** A real ZeroMQ SUB socket collecting every batch published to `endpoint`. */
export class KvEventSubscriber {
  readonly batches: WireBatch[] = [];
  private readonly sub = new Subscriber();
  private waiters: Array<() => void> = [];

  constructor(endpoint: string, topic = '') {
    this.sub.connect(endpoint);
    this.sub.subscribe(topic);
    void this.read();
  }

  private async read(): Promise<void> {
    try {
      for await (const [topic, seq, payload] of this.sub) {
        this.batches.push(decodeBatch(topic, seq, payload));
        for (const w of this.waiters.splice(0)) w();
      }
    } catch {
      // closed
    }
  }

  get events(): WireEvent[] {
    return this.batches.flatMap((b) => b.events);
  }

  /** Resolves once `check` holds over what has arrived (checked on every batch), or fails after `timeoutMs`. */
  async until<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out waiting for ${what}; got ${this.batches.length} batches: ${JSON.stringify(this.events, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.sub.close();
  }
}

/** Asks a replay ROUTER for every batch from `startSeq` on, as a DEALER client does; stops at the end marker. */
export async function replay(endpoint: string, startSeq: bigint): Promise<WireBatch[]> {
  const dealer = new Dealer({ linger: 0, receiveTimeout: 10_000 });
  dealer.connect(endpoint);
  try {
    const seq = Buffer.alloc(8);
    seq.writeBigInt64BE(startSeq);
    await dealer.send(['', seq]);
    const out: WireBatch[] = [];
    for (;;) {
      const [, seqFrame, payload] = await dealer.receive();
      if (seqFrame.readBigInt64BE() === -1n) return out;
      out.push(decodeBatch(Buffer.from('replay'), seqFrame, payload));
    }
  } finally {
    dealer.close();
  }
}

/**
 * Block hashes the way llm-d's kv-cache indexer computes them for vLLM parity (its
 * chunkedTokenDatabase): NONE_HASH = sha256(cbor(seed string)); each full block
 * sha256(canonical cbor [parent digest, token ids, extra]) chained; published as the low 64 bits.
 */
export function llmdBlockHashes(tokens: readonly number[], seed: string, blockSize = 16, extra: string[] | null = null): bigint[] {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest();
  let parent = sha(cbor.encodeCanonical(seed));
  const out: bigint[] = [];
  for (let i = 0; i + blockSize <= tokens.length; i += blockSize) {
    parent = sha(cbor.encodeCanonical([parent, tokens.slice(i, i + blockSize), extra]));
    out.push(parent.readBigUInt64BE(24));
  }
  return out;
}
