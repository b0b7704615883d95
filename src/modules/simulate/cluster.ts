import { Engine, EngineRefusal } from '../engine/engine';
import { GenerationObserver, GenerationRequest, KvTransferEvent, RequestOutcome } from '../engine/engine.types';
import { VirtualClock } from '../engine/virtual-clock';
import { REPLY_TOKEN } from './prompt-shape';
import { Router } from './routing';

/**
 * What an engine does in a cluster: whole requests (`serve`), or one side of a prefill/decode
 * pair. The client's tokens and ends come from `serve` and `decode` engines; a `prefill` engine's
 * one token is the handoff, not output.
 */
export type EngineRole = 'serve' | 'prefill' | 'decode';

/** The two legs of a disaggregated request, handed to the client's observer before its end. */
export interface DisaggregatedLegs {
  /** Engine indices (into `engines`) of the prefill and the decode side. */
  prefillEngine: number;
  decodeEngine: number;
  /** The prefill side's outcome (do_remote_decode: one token, then the KV is handed over). */
  prefill: RequestOutcome;
  /** The decode side's pull of the KV, set when the request ends. */
  transfer?: KvTransferEvent;
}

/** A client observer that may also hear how a disaggregated cluster split its request (when its prefill ends). */
export interface ClusterObserver extends GenerationObserver {
  onLegs?(legs: DisaggregatedLegs): void;
}

/**
 * Where a replay sends its requests: one or more engines on one virtual clock. `submit` answers
 * the index of the engine that serves the client's tokens; figures are kept per engine.
 */
export interface ServingCluster {
  readonly clock: VirtualClock;
  readonly engines: readonly Engine[];
  /** Per engine, parallel to `engines`. */
  readonly roles: readonly EngineRole[];
  submit(request: GenerationRequest, observer: ClusterObserver): number;
}

/** N identical replicas behind a routing policy (vLLM data-parallel ranks, or N servers behind a gateway). */
export class DataParallelCluster implements ServingCluster {
  readonly roles: readonly EngineRole[];

  constructor(
    readonly clock: VirtualClock,
    readonly engines: readonly Engine[],
    private readonly router: Router,
  ) {
    this.roles = engines.map(() => 'serve');
  }

  submit(request: GenerationRequest, observer: ClusterObserver): number {
    const replica = this.engines.length === 1 ? 0 : this.router.route(request.promptTokenIds, this.engines.map((e) => e.state));
    this.engines[replica].submit(request, observer);
    return replica;
  }
}

/** One pool of a disaggregated cluster: its engines, its router, and its KV block size. */
export interface EnginePool {
  engines: readonly Engine[];
  router: Router;
  blockSize: number;
}

/**
 * A prefill pool and a decode pool, as llm-d's router and vLLM's NIXL connector run them. The
 * router picks both sides when the request arrives (llm-d's scheduler picks the prefill and the
 * decode pod at once); the prefill side runs it as `do_remote_decode` (the prompt, one token, an
 * answer with `finish_reason: "length"`); at that instant the decode side takes it as
 * `do_remote_prefill`: the engine itself pulls the KV its prefix cache lacks over the link (the
 * time from the model's KV bytes per token and the link, as the live server's decode side), then
 * computes the last prompt token and decodes. `engines` lists the prefill pool, then the decode pool.
 */
export class DisaggregatedCluster implements ServingCluster {
  readonly engines: readonly Engine[];
  readonly roles: readonly EngineRole[];
  /** Decode-side transfers by request id, until the request ends. */
  private readonly transfers = new Map<string, KvTransferEvent>();

  constructor(
    readonly clock: VirtualClock,
    private readonly prefill: EnginePool,
    private readonly decode: EnginePool,
  ) {
    this.engines = [...prefill.engines, ...decode.engines];
    this.roles = [...prefill.engines.map((): EngineRole => 'prefill'), ...decode.engines.map((): EngineRole => 'decode')];
    for (const engine of decode.engines) engine.events.on('kvTransfer', (e) => this.transfers.set(e.requestId, e));
  }

  submit(request: GenerationRequest, observer: ClusterObserver): number {
    const pick = (pool: EnginePool): number =>
      pool.engines.length === 1 ? 0 : pool.router.route(request.promptTokenIds, pool.engines.map((e) => e.state));
    const p = pick(this.prefill);
    const d = pick(this.decode);
    const decoder = this.decode.engines[d];
    // Refused now, as the decode server would answer 400, rather than after the prefill was paid for.
    const total = request.promptTokenIds.length + request.outputTokenIds.length;
    const capacity = decoder.state.kvCacheBlocks * this.decode.blockSize;
    if (Math.ceil(total / this.decode.blockSize) > decoder.state.kvCacheBlocks) {
      throw new EngineRefusal(`The request needs ${total} tokens of KV cache but the decode side's whole cache holds ${capacity}.`);
    }
    const decodeIndex = this.prefill.engines.length + d;
    this.prefill.engines[p].submit(
      { ...request, outputTokenIds: PREFILL_ONLY, maxTokens: 1, finishReason: 'length' },
      {
        onTokens: () => undefined,
        onFinished: (prefilled) => {
          const legs: DisaggregatedLegs = { prefillEngine: p, decodeEngine: decodeIndex, prefill: prefilled };
          observer.onLegs?.(legs);
          decoder.submit(
            { ...request, remotePrefill: true },
            {
              onTokens: (e) => observer.onTokens(e),
              onFinished: (o) => {
                legs.transfer = this.transfers.get(o.requestId);
                this.transfers.delete(o.requestId);
                observer.onFinished(o);
              },
            },
          );
        },
      },
    );
    return decodeIndex;
  }
}

/** The prefill side's one token (vLLM's proxy sends `max_tokens: 1`; the token is discarded). */
const PREFILL_ONLY: readonly number[] = [REPLY_TOKEN];
