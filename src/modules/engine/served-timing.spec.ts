import { Random } from '../../common/random';
import { validateSettings } from '../../config/load-settings';
import { Catalog } from '../benchmarks/catalog';
import { resolveProfile } from '../benchmarks/resolve-profile';
import { createEngine, EngineValues } from './create-engine';
import { Engine } from './engine';
import { VirtualClock } from './virtual-clock';

/**
 * What the served engine does on real profiles (the fitted step model of the newest vLLM family),
 * on the virtual clock, against bounds that need no new measurement: a decode step can never beat
 * the weights streamed at the GPU's peak memory bandwidth, vLLM's measured figures on the same
 * hardware (data/benchmarks.json) bound it from above, and a server that holds a load must not
 * queue more the longer it runs. The model before issue 15 failed the TP and load checks
 * (70B at TP 4: 18.8 ms per token; saturated at 10 requests/s).
 */

interface Rig {
  clock: VirtualClock;
  engine: Engine;
}

function rig(model: string, tp: number): Rig {
  const settings = validateSettings({ model, gpu_type: 'NVIDIA-H100-SXM', tensor_parallel_size: tp } as never);
  const profile = resolveProfile(settings);
  const clock = new VirtualClock();
  const values: EngineValues = {
    latency_scale: 1, ttft_ms: null, itl_ms: null, prefill_ms_per_token: null, latency_jitter: 0, max_num_seqs: profile.limits.maxNumSeqs,
  };
  return { clock, engine: createEngine(clock, profile, { enable_prefix_caching: true }, () => values, new Random(1)) };
}

interface Timed {
  sent: number;
  firstToken?: number;
  end?: number;
  gaps: number[];
}

function send(r: Rig, id: string, prompt: number[], output: number): Timed {
  const t: Timed = { sent: r.clock.now(), gaps: [] };
  r.engine.submit(
    { id, promptTokenIds: prompt, outputTokenIds: new Array<number>(output).fill(7), finishReason: 'length', maxTokens: output, n: 1 },
    {
      onTokens: (e) => {
        t.firstToken ??= e.time;
        if (e.interTokenMs !== undefined) t.gaps.push(e.interTokenMs);
      },
      onFinished: (o) => (t.end = o.finishedTime),
    },
  );
  return t;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const distinct = (n: number, base: number): number[] => Array.from({ length: n }, (_, i) => base + i);

/** ITL of one request alone (1500-token prompt, 200 tokens out). */
function lowLoadItl(model: string, tp: number): number {
  const r = rig(model, tp);
  const t = send(r, 'a', distinct(1500, 1_000_000), 200);
  r.clock.runUntilIdle();
  return median(t.gaps);
}

const H100 = Catalog.load().resolveGpu('NVIDIA-H100-SXM');

/** The time to stream one GPU's share of 16-bit weights once at the peak memory bandwidth (ms): no decode step is faster. */
function weightFloorMs(model: string, tp: number): number {
  const params = resolveProfile(validateSettings({ model, gpu_type: 'NVIDIA-H100-SXM', tensor_parallel_size: tp } as never)).model.numParameters;
  return ((params * 2) / tp / H100.bandwidthBytesPerS) * 1000;
}

/** Poisson arrivals at `rate` per second for `durationMs` of 1-2k-token prompts behind one of 4 shared 600-token system prompts. */
function poisson(r: Rig, rate: number, durationMs: number, seed: number): Timed[] {
  const random = new Random(seed);
  const systemPrompts = [0, 1, 2, 3].map((k) => distinct(600, 10_000_000 * (k + 1)));
  const timed: Timed[] = [];
  for (let at = 0, i = 0; at < durationMs; at += random.exponential(1000 / rate), i++) {
    const length = 1000 + Math.floor(random.next() * 1000);
    const prompt = [...systemPrompts[i % 4], ...distinct(length - 600, 100_000_000 + i * 10_000)];
    r.clock.at(at, () => timed.push(send(r, `r${i}`, prompt, 200)));
  }
  return timed;
}

const ttftOf = (xs: Timed[]): number => median(xs.map((t) => t.firstToken! - t.sent));

describe('the served engine on H100 (newest vLLM family)', () => {
  it('decodes Llama-3.1-8B bf16 at TP 1 in 6-8 ms per token at low load, above the weights\' floor', () => {
    const itl = lowLoadItl('meta-llama/Llama-3.1-8B-Instruct', 1);
    expect(itl).toBeGreaterThan(1.2 * weightFloorMs('meta-llama/Llama-3.1-8B-Instruct', 1));
    // vLLM on H100 (InferenceBench's concurrency sweep in data/benchmarks.json): TPOT 6.48 ms alone, 6.59 ms at 4 at once.
    expect(itl).toBeGreaterThan(6);
    expect(itl).toBeLessThan(8);
  });

  it('decodes Llama-3.1-70B bf16 at TP 4 between the weights\' floor and what vLLM measured for the same bytes per GPU at TP 2', () => {
    const itl = lowLoadItl('meta-llama/Llama-3.1-70B-Instruct', 4);
    expect(itl).toBeGreaterThan(1.1 * weightFloorMs('meta-llama/Llama-3.1-70B-Instruct', 4));
    // The same 35 GB of weights per GPU (FP8 at TP 2), 4 requests at once: TPOT 17.4 ms (aiconfigurator, vLLM 0.11).
    expect(itl).toBeLessThan(17.4);
  });

  it('halves most of a 70B decode step from TP 2 to TP 4: the all-reduces and small kernels do not eat the split', () => {
    const tp2 = lowLoadItl('meta-llama/Llama-3.1-70B-Instruct', 2);
    const tp4 = lowLoadItl('meta-llama/Llama-3.1-70B-Instruct', 4);
    expect(tp4 / tp2).toBeLessThan(0.7);
    expect(tp4 / tp2).toBeGreaterThan(0.5);
  });

  it('holds Llama-3.1-70B bf16 at TP 4 at 10 requests/s of 1-2k-token prompts: latency grows with load, nothing piles up', () => {
    const low = rig('meta-llama/Llama-3.1-70B-Instruct', 4);
    const lowTimed = poisson(low, 1, 60_000, 3);
    low.clock.runUntilIdle();

    const r = rig('meta-llama/Llama-3.1-70B-Instruct', 4);
    const duration = 120_000;
    const timed = poisson(r, 10, duration, 3);
    const inFlight: number[] = [];
    for (let t = 20_000; t <= duration; t += 20_000) {
      r.clock.advanceTo(t);
      inFlight.push(r.engine.inFlight);
    }
    r.clock.runUntilIdle();
    // A saturated server's queue grows by the excess rate every second (the pre-issue-15 model: TTFT 5.8 s here).
    expect(Math.max(...inFlight.slice(3))).toBeLessThan(1.5 * Math.max(...inFlight.slice(0, 3)));
    const firstHalf = ttftOf(timed.filter((t) => t.sent < duration / 2));
    const secondHalf = ttftOf(timed.filter((t) => t.sent >= duration / 2));
    expect(secondHalf).toBeLessThan(1.5 * firstHalf);
    // Load costs something (prefills share steps with decodes), but a few hundred ms, not seconds.
    const lowTtft = ttftOf(lowTimed);
    expect(ttftOf(timed)).toBeGreaterThan(lowTtft);
    expect(ttftOf(timed)).toBeLessThan(Math.max(500, 4 * lowTtft));
    const itl = (xs: Timed[]) => median(xs.flatMap((t) => t.gaps));
    expect(itl(timed)).toBeGreaterThan(itl(lowTimed));
    expect(itl(timed)).toBeLessThan(2.5 * itl(lowTimed));
  });

  it('times Llama 4 Scout FP8 as a MoE of ~17B active parameters: far faster than its 109B total, slower as a batch reads more experts', () => {
    const scout = resolveProfile(validateSettings({ model: 'RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic', gpu_type: 'NVIDIA-H100-SXM', tensor_parallel_size: 2 } as never));
    expect(scout.model.numActiveParameters / 1e9).toBeGreaterThan(16);
    expect(scout.model.numActiveParameters / 1e9).toBeLessThan(18.5);
    expect(scout.model.numParameters / 1e9).toBeGreaterThan(100);
    const dense70 = resolveProfile(validateSettings({ model: 'RedHatAI/Llama-3.1-70B-Instruct-FP8-dynamic', gpu_type: 'NVIDIA-H100-SXM', tensor_parallel_size: 2 } as never));
    const decode = (seqs: number) => ({ prefillTokens: 0, prefillContextTokens: 0, decodeSeqs: seqs, decodeContextTokens: seqs * 1500 });
    // One sequence reads 1 of 16 experts per layer: well under a dense 70B of the same format.
    expect(scout.stepTime.stepTimeMs(decode(1))).toBeLessThan(0.6 * dense70.stepTime.stepTimeMs(decode(1)));
    // A batch of 32 reads nearly all of them: the step grows far more than a dense model's does.
    const growth = (p: typeof scout) => p.stepTime.stepTimeMs(decode(32)) / p.stepTime.stepTimeMs(decode(1));
    expect(growth(scout)).toBeGreaterThan(1.5 * growth(dense70));
  });
});
