import { randomUUID } from 'node:crypto';
import { ApiError } from './api-error';

/** What a request's `kv_transfer_params` ask, as vLLM's NIXL connector reads them. */
export interface KvTransferAsk {
  /** `do_remote_decode`: this instance prefills; the answer hands the KV to a decoder. */
  remoteDecode: boolean;
  /** `do_remote_prefill`: a remote instance prefilled; this one pulls the KV and decodes. */
  remotePrefill: boolean;
}

const MAX_FIELDS = 64;
/** A million-token prompt of 16-token blocks. */
const MAX_BLOCK_IDS = 65_536;
const MAX_STRING = 256;

/**
 * Checks `kv_transfer_params` (a JSON object, bounded: its fields, block ids and strings) and reads
 * what it asks. Null or absent: nothing. Both flags set is a contradiction: 400.
 */
export function kvTransferAskOf(raw: unknown, param = 'kv_transfer_params'): KvTransferAsk {
  if (raw === undefined || raw === null) return { remoteDecode: false, remotePrefill: false };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw ApiError.badRequest(`${param} must be an object`, param);
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_FIELDS) throw ApiError.badRequest(`${param} may have at most ${MAX_FIELDS} fields`, param);
  for (const [key, value] of entries) {
    if (typeof value === 'string' && value.length > MAX_STRING) throw ApiError.badRequest(`${param}.${key} may be at most ${MAX_STRING} characters`, param);
    // Block ids come flat or one list per KV cache group.
    if (Array.isArray(value) && (value as unknown[]).flat(2).length > MAX_BLOCK_IDS) throw ApiError.badRequest(`${param}.${key} is too long (at most ${MAX_BLOCK_IDS} block ids)`, param);
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && JSON.stringify(value).length > MAX_STRING * 16) {
      throw ApiError.badRequest(`${param}.${key} is too large`, param);
    }
  }
  const p = raw as { do_remote_decode?: unknown; do_remote_prefill?: unknown };
  for (const key of ['do_remote_decode', 'do_remote_prefill'] as const) {
    if (p[key] !== undefined && p[key] !== null && typeof p[key] !== 'boolean') throw ApiError.badRequest(`${param}.${key} must be a boolean`, param);
  }
  const ask = { remoteDecode: p.do_remote_decode === true, remotePrefill: p.do_remote_prefill === true };
  if (ask.remoteDecode && ask.remotePrefill) throw ApiError.badRequest(`${param}: do_remote_decode and do_remote_prefill cannot both be true`, param);
  return ask;
}

/** Where a decoder finds this instance's KV: vLLM's NIXL side channel (VLLM_NIXL_SIDE_CHANNEL_HOST / _PORT, the port offset by the rank). */
export interface PrefillSide {
  host: string;
  port: number;
  tpSize: number;
}

/**
 * The prefill side of P/D as vLLM's NIXL connector answers it: once the prefill is done, the
 * response's `kv_transfer_params` tell the decoder where the KV is (`request_finished`).
 */
export class PrefillHandoff {
  /** vLLM's engine_id: one per engine, random. */
  readonly engineId = randomUUID();

  constructor(private readonly side: PrefillSide) {}

  params(requestId: string, blockIds: readonly number[]): Record<string, unknown> {
    return {
      do_remote_prefill: true,
      do_remote_decode: false,
      remote_block_ids: [...blockIds],
      remote_engine_id: this.engineId,
      remote_request_id: requestId,
      remote_host: this.side.host,
      remote_port: this.side.port,
      tp_size: this.side.tpSize,
    };
  }
}
