/** Every fault the simulator can inject, in the order docs/admin.md lists them. */
export const FAULT_TYPES = [
  'rate_limit',
  'server_error',
  'unavailable',
  'invalid_api_key',
  'model_not_found',
  'context_length',
  'invalid_request',
  'timeout',
  'disconnect',
  'stream_abort',
  'slow',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/** Defaults of the type-specific fields, used by rules that omit them and by `x-simulate-fault`. */
export const FAULT_DEFAULTS = {
  /** Seconds a 429 tells the client to wait (`Retry-After`): short, so clients that honour it retry soon. */
  retry_after: 1,
  delay_ms: 30_000,
  then: 'error' as const,
  after_tokens: 5,
  factor: 4,
};

/** A rule as clients write it (POST /admin/faults). */
export interface FaultRuleSpec {
  type: FaultType;
  /** Chance (0..1) that a matching request fails; default 1. */
  probability?: number;
  /** Only the next N matching requests (that actually fail); unset = no limit. */
  count?: number;
  /** Only requests of this route, e.g. "/v1/chat/completions" or "grpc". */
  route?: string;
  /** Only requests for this model name. */
  model?: string;
  /** rate_limit: seconds sent in the 429's `Retry-After` header. */
  retry_after?: number;
  /** timeout: how long to hold the request (ms). */
  delay_ms?: number;
  /** timeout: after the delay, fail with 504 ("error") or answer normally ("answer"). */
  then?: 'error' | 'answer';
  /** stream_abort: tokens sent before the stream is cut. */
  after_tokens?: number;
  /** slow: latency multiplier (the request advances one token every `factor` engine steps). */
  factor?: number;
}

/** A stored rule: the spec with its id and, for counted rules, how many firings are left. */
export interface FaultRule extends FaultRuleSpec {
  id: string;
  probability: number;
  created_at: string;
  /** For rules with `count`: firings left. */
  remaining?: number;
}

/** What one request is about (the door fills it in; HTTP and gRPC alike). */
export interface FaultContext {
  requestId: string;
  /** "/v1/completions", "/v1/chat/completions" or "grpc". */
  route: string;
  /** The served model name the request asked for. */
  model?: string;
  /** A fault asked for by the request itself (`x-simulate-fault` header / gRPC metadata). */
  explicitType?: string;
}

/** The fault chosen for one request, with its type-specific fields resolved. */
export type Fault =
  | { type: Exclude<FaultType, 'rate_limit' | 'timeout' | 'stream_abort' | 'slow'>; ruleId: string | null }
  | { type: 'rate_limit'; ruleId: string | null; retryAfter: number }
  | { type: 'timeout'; ruleId: string | null; delayMs: number; then: 'error' | 'answer' }
  | { type: 'stream_abort'; ruleId: string | null; afterTokens: number }
  | { type: 'slow'; ruleId: string | null; factor: number };

export function isFaultType(value: unknown): value is FaultType {
  return typeof value === 'string' && (FAULT_TYPES as readonly string[]).includes(value);
}
