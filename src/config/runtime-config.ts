import { ResponseMode, Settings } from './settings';

/** vLLM's max_num_seqs on GPUs under 70 GiB and A100s (the default GPU is an L4). */
export const DEFAULT_MAX_NUM_SEQS = 256;

/** The settings that may change while the server runs (PATCH /admin/config). */
export interface RuntimeValues {
  latency_scale: number;
  ttft_ms: number | null;
  itl_ms: number | null;
  prefill_ms_per_token: number | null;
  latency_jitter: number;
  max_num_seqs: number;
  response_mode: ResponseMode;
}

type Listener = (values: Readonly<RuntimeValues>, changed: ReadonlyArray<keyof RuntimeValues>) => void;

/**
 * Live values of the run-time settings. Readers take the current value when they need it (the
 * engine at each step), so a change applies from the next step and requests in flight go on.
 */
export class RuntimeConfig {
  private current: RuntimeValues;
  private readonly listeners = new Set<Listener>();

  constructor(settings: Settings) {
    this.current = {
      latency_scale: settings.latency_scale,
      ttft_ms: settings.ttft_ms ?? null,
      itl_ms: settings.itl_ms ?? null,
      prefill_ms_per_token: settings.prefill_ms_per_token ?? null,
      latency_jitter: settings.latency_jitter,
      // Resolved per GPU at start-up (withBatchDefaults); unresolved settings get vLLM's default for small GPUs.
      max_num_seqs: settings.max_num_seqs ?? DEFAULT_MAX_NUM_SEQS,
      response_mode: settings.response_mode,
    };
  }

  get values(): Readonly<RuntimeValues> {
    return this.current;
  }

  /** Applies an already-validated partial update and tells the listeners what changed. */
  update(patch: Partial<RuntimeValues>): Readonly<RuntimeValues> {
    const changed = (Object.keys(patch) as (keyof RuntimeValues)[]).filter(
      (k) => patch[k] !== undefined && patch[k] !== this.current[k],
    );
    this.current = { ...this.current, ...patch };
    if (changed.length > 0) for (const listener of this.listeners) listener(this.current, changed);
    return this.current;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
