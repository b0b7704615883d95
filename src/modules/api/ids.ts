import { randomFillSync } from 'node:crypto';

/**
 * Random bytes are drawn from the system in blocks and handed out 16 at a time: one system call per
 * 256 ids instead of one per id (as Node's own randomUUID() caches its entropy).
 */
const ID_BYTES = 16;
const pool = Buffer.allocUnsafe(ID_BYTES * 256);
let poolOffset = pool.length;

/** 32 lowercase hex digits, as Python's `uuid.uuid4().hex` that vLLM's ids are made of. */
export function randomHex(): string {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return hex;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
