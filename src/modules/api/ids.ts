import { randomBytes } from 'node:crypto';

/** 32 lowercase hex digits, as Python's `uuid.uuid4().hex` that vLLM's ids are made of. */
export function randomHex(): string {
  return randomBytes(16).toString('hex');
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
