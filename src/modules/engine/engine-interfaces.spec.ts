import { Random } from '../../common/random';
import { RuntimeValues } from '../../config/runtime-config';
import { StepBatch, StepTimeModel } from '../benchmarks/profile.types';
import { BlockPool } from './block-pool';
import { Engine, EngineLimits } from './engine';
import { EngineEvents, GenerationRequest, LoraRef, RequestOutcome, TokenEvent } from './engine.types';
import { KvTransferLink, StepTiming } from './step-timing';
import { VirtualClock } from './virtual-clock';
import { VllmBlockHasher } from './vllm-block-hash';

/*
 * What the engine does for the interfaces around vLLM, on the virtual clock: P/D remote prefill
 * (KV transfer costed on the clock, then the last prompt token), the LoRA batch limit and the cost
 * of swapping an adapter in, the prefix-cache reset, and where each prompt token's KV came from.
 */

/** 10 ms per step, plus 0.1 ms per prefill token and 1 ms per decode. */
const linearModel: StepTimeModel = { stepTimeMs: (b: StepBatch) => 10 + 0.1 * b.prefillTokens + 1 * b.decodeSeqs };

/** 1 MB of KV per token over a 1 GB/s link with 2 ms latency: 1 ms per token + 2 ms. */
const LINK: KvTransferLink = { bytesPerTokenPerGpu: 1e6, bandwidthBytesPerS: 1e9, latencyMs: 2 };

function rig(opts: { lora?: EngineLimits['lora']; blocks?: number; hasher?: VllmBlockHasher } = {}) {
  const clock = new VirtualClock();
  const values: RuntimeValues = { latency_scale: 1, ttft_ms: null, itl_ms: null, prefill_ms_per_token: null, latency_jitter: 0, max_num_seqs: 256, response_mode: 'patterns' };
  const pool = new BlockPool(opts.blocks ?? 1000, 16, true);
  const timing = new StepTiming(linearModel, () => values, new Random(1), LINK);
  const engine = new Engine(clock, pool, timing, { maxNumSeqs: () => values.max_num_seqs, maxNumBatchedTokens: 8192, lora: opts.lora }, undefined, opts.hasher);
  const seen: { [K in keyof EngineEvents]?: EngineEvents[K][] } = {};
  for (const name of ['kvTransfer', 'promptSources', 'blockStored', 'cacheCleared', 'step'] as const) {
    engine.events.on(name, (e) => ((seen[name] ??= [] as never) as unknown[]).push(e));
  }
  return { clock, engine, seen };
}

function request(id: string, promptLen: number, outputLen: number, extra: Partial<GenerationRequest> = {}, base = 1000): GenerationRequest {
  return {
    id,
    promptTokenIds: Array.from({ length: promptLen }, (_, i) => base + i),
    outputTokenIds: Array.from({ length: outputLen }, (_, i) => 5 + i),
    finishReason: 'length',
    maxTokens: outputLen,
    n: 1,
    ...extra,
  };
}

function submit(engine: Engine, req: GenerationRequest) {
  const trace: { tokens: TokenEvent[]; outcome?: RequestOutcome } = { tokens: [] };
  engine.submit(req, { onTokens: (e) => trace.tokens.push(e), onFinished: (o) => (trace.outcome = o) });
  return trace;
}

const lora = (id: number, gpuLoadMs = 5, diskLoadMs = 50): LoraRef => ({ id, name: `adapter-${id}`, gpuLoadMs, diskLoadMs });

describe('Engine: remote prefill (P/D decode side)', () => {
  it('pulls the prompt over the link instead of computing it, then computes only the last prompt token', () => {
    const { clock, engine, seen } = rig();
    const t = submit(engine, request('d', 100, 3, { remotePrefill: true }));
    clock.runUntilIdle();
    // 100 tokens pulled: 2 + 100 ms; then a one-token prefill step (10.1 ms) gives the first token.
    expect(t.tokens[0].time).toBeCloseTo(112.1, 9);
    expect(t.tokens.map((e) => e.interTokenMs).slice(1)).toEqual([11, 11]);
    expect(seen.kvTransfer).toEqual([{ requestId: 'd', tokens: 100, bytes: 100e6, startTime: 0, endTime: 102 }]);
    expect(t.outcome).toMatchObject({ transferredTokens: 100, cachedTokens: 99, scheduledTime: 102 });
    expect(seen.promptSources).toEqual([{ requestId: 'd', promptTokens: 100, computed: 1, localCacheHit: 0, externalTransfer: 100, recomputed: 1 }]);
  });

  it('pulls only what its own prefix cache lacks, and counts the wait as deferred', () => {
    const { clock, engine, seen } = rig();
    submit(engine, request('local', 40, 1));
    clock.runUntilIdle();
    submit(engine, request('d', 100, 1, { remotePrefill: true }));
    clock.advance(1);
    expect(engine.state).toMatchObject({ running: 0, waiting: 1, waitingDeferred: 1 });
    clock.runUntilIdle();
    // 32 tokens (two full blocks) came from the local cache.
    expect(seen.kvTransfer!.at(-1)).toMatchObject({ tokens: 68 });
    expect(seen.promptSources!.at(-1)).toMatchObject({ computed: 1, localCacheHit: 32, externalTransfer: 68 });
  });
});

describe('Engine: LoRA adapters', () => {
  it('admits at most max_loras distinct adapters per batch; the others wait, counted as deferred', () => {
    const { clock, engine } = rig({ lora: { maxLoras: 1, maxCpuLoras: 2 } });
    const a = submit(engine, request('a', 10, 3, { lora: lora(1) }));
    const b = submit(engine, request('b', 10, 3, { lora: lora(2) }, 5000));
    const base = submit(engine, request('base', 10, 3, {}, 9000));
    clock.advance(1);
    expect(engine.state).toMatchObject({ running: 2, waiting: 1, waitingDeferred: 1 });
    expect(engine.loraState).toEqual({ running: ['adapter-1'], waiting: ['adapter-2'] });
    clock.runUntilIdle();
    expect(b.outcome!.scheduledTime).toBe(a.outcome!.finishedTime);
    expect(base.outcome!.scheduledTime).toBe(0);
  });

  it('makes the step that first uses an adapter wait for it: from host memory, or from storage when it left it', () => {
    const { clock, engine } = rig({ lora: { maxLoras: 1, maxCpuLoras: 1 } });
    engine.addLora(1);
    const warm = submit(engine, request('a', 10, 1, { lora: lora(1) }));
    clock.runUntilIdle();
    // 10 + 1 (prefill) + 5 ms to copy the adapter in.
    expect(warm.tokens[0].time).toBeCloseTo(16, 9);
    const again = submit(engine, request('b', 10, 1, { lora: lora(1) }, 5000));
    clock.runUntilIdle();
    expect(again.tokens[0].time - again.outcome!.arrivalTime).toBeCloseTo(11, 9);
    const cold = submit(engine, request('c', 10, 1, { lora: lora(2) }, 7000));
    clock.runUntilIdle();
    // Adapter 2 was never loaded into host memory: read from storage (50 ms) and copied (5 ms).
    expect(cold.tokens[0].time - cold.outcome!.arrivalTime).toBeCloseTo(66, 9);
  });

  it('never lets two adapters share cached blocks', () => {
    const { clock, engine } = rig({ lora: { maxLoras: 2, maxCpuLoras: 2 } });
    submit(engine, request('a', 40, 1, { lora: lora(1) }));
    clock.runUntilIdle();
    const b = submit(engine, request('b', 40, 1, { lora: lora(2) }));
    const c = submit(engine, request('c', 40, 1, { lora: lora(1) }));
    clock.runUntilIdle();
    expect(b.outcome!.cachedTokens).toBe(0);
    expect(c.outcome!.cachedTokens).toBe(32);
  });
});

describe('Engine: prefix cache reset and vLLM block hashes', () => {
  it('resets only when no request holds blocks, then finds nothing cached', () => {
    const { clock, engine, seen } = rig();
    submit(engine, request('a', 40, 5));
    clock.advance(1);
    expect(engine.resetPrefixCache()).toBe(false);
    clock.runUntilIdle();
    expect(engine.resetPrefixCache()).toBe(true);
    expect(seen.cacheCleared).toHaveLength(1);
    const again = submit(engine, request('b', 40, 1));
    clock.runUntilIdle();
    expect(again.outcome!.cachedTokens).toBe(0);
  });

  it('carries vLLM digests chained across blocks, and the adapter, in blockStored', () => {
    const hasher = new VllmBlockHasher({ algo: 'sha256_cbor', seed: '0' });
    const { clock, engine, seen } = rig({ hasher, lora: { maxLoras: 1, maxCpuLoras: 1 } });
    submit(engine, request('a', 33, 1, { lora: lora(3) }));
    clock.runUntilIdle();
    const [first, second] = seen.blockStored!;
    const tokens = Array.from({ length: 33 }, (_, i) => 1000 + i);
    expect(first.digest!.equals(hasher.hash(null, tokens.slice(0, 16), ['adapter-3']))).toBe(true);
    expect(second.parentDigest!.equals(first.digest!)).toBe(true);
    expect(second.digest!.equals(hasher.hash(first.digest!, tokens.slice(16, 32), ['adapter-3']))).toBe(true);
    expect(first.lora).toEqual({ id: 3, name: 'adapter-3' });
  });

  it('reports the full blocks of a request that asked for them (the prefill side of P/D)', () => {
    const { clock, engine } = rig();
    const t = submit(engine, request('p', 40, 1, { reportBlocks: true }));
    clock.runUntilIdle();
    expect(t.outcome!.blockIds).toHaveLength(2);
  });
});
