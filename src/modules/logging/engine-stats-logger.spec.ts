import { Random } from '../../common/random';
import { RuntimeValues } from '../../config/runtime-config';
import { Engine } from '../engine/engine';
import { GenerationRequest } from '../engine/engine.types';
import { BlockPool } from '../engine/block-pool';
import { StepTiming } from '../engine/step-timing';
import { VirtualClock } from '../engine/virtual-clock';
import { EngineStatsLine, EngineStatsLogger } from './engine-stats-logger';

const values: RuntimeValues = {
  latency_scale: 1,
  ttft_ms: null,
  itl_ms: null,
  prefill_ms_per_token: null,
  latency_jitter: 0,
  max_num_seqs: 256,
  response_mode: 'patterns',
};

function rig() {
  const clock = new VirtualClock();
  const kv = new BlockPool(1000, 16, true);
  // 10 ms per step plus 0.1 ms per prefill token: a 100-token prompt's first token at 20 ms.
  const timing = new StepTiming({ stepTimeMs: (b) => 10 + 0.1 * b.prefillTokens + b.decodeSeqs }, () => values, new Random(1));
  const engine = new Engine(clock, kv, timing, { maxNumSeqs: () => 256, maxNumBatchedTokens: 8192 });
  const lines: EngineStatsLine[] = [];
  const stats = new EngineStatsLogger(engine.events, () => engine.state, clock, (line) => lines.push(line));
  return { clock, engine, lines, stats };
}

function request(id: string, promptLen: number, outputLen: number): GenerationRequest {
  return {
    id,
    promptTokenIds: Array.from({ length: promptLen }, (_, i) => 1000 + i),
    outputTokenIds: Array.from({ length: outputLen }, (_, i) => 5 + i),
    finishReason: 'stop',
    maxTokens: outputLen,
    n: 1,
  };
}

const ignore = { onTokens: () => undefined, onFinished: () => undefined };

describe('EngineStatsLogger (vLLM LoggingStatLogger)', () => {
  it('prints vLLM words with the throughput of the interval, at info while busy and one interval after, then debug', () => {
    const { clock, engine, lines, stats } = rig();
    stats.start(1000);
    engine.submit(request('a', 100, 40), ignore);
    clock.advanceTo(300);
    // Under way (first token at 20 ms, then one every 11 ms): one request running.
    expect(engine.state.running).toBe(1);
    clock.advanceTo(1000);
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe('INFO');
    expect(lines[0].message).toBe(
      'Engine 000: Avg prompt throughput: 100.0 tokens/s, Avg generation throughput: 40.0 tokens/s, Running: 0 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.0%, Prefix cache hit rate: 0.0%',
    );
    clock.advanceTo(2000);
    expect(lines[1].level).toBe('INFO'); // the interval before was busy
    expect(lines[1].fields).toMatchObject({ avg_prompt_throughput: 0, avg_generation_throughput: 0 });
    clock.advanceTo(3000);
    expect(lines[2].level).toBe('DEBUG');
    stats.stop();
    clock.advanceTo(10_000);
    expect(lines).toHaveLength(3);
  });

  it('reports running and waiting requests and KV cache usage as the engine has them', () => {
    const { clock, engine, lines, stats } = rig();
    stats.start(100);
    for (let i = 0; i < 3; i++) engine.submit(request(`r${i}`, 16 * 10, 1000), ignore);
    clock.advanceTo(100);
    const kvPercent = engine.state.kvCacheUsage * 100;
    expect(lines[0].message).toContain('Running: 3 reqs, Waiting: 0 reqs');
    expect(lines[0].message).toContain(`GPU KV cache usage: ${kvPercent.toFixed(1)}%`);
    expect(kvPercent).toBeGreaterThan(0);
    stats.stop();
  });

  it('prefix cache hit rate over the requests looked up', () => {
    const { clock, engine, lines, stats } = rig();
    stats.start(1000);
    engine.submit(request('a', 64, 1), ignore);
    clock.advanceTo(200);
    engine.submit(request('b', 64, 1), ignore); // same prompt: its full blocks are cached
    clock.advanceTo(1000);
    const [{ fields }] = lines;
    expect(fields.prefix_cache_hit_rate).toBeGreaterThan(0);
    expect(fields.prefix_cache_hit_rate).toBeLessThanOrEqual(50);
    stats.stop();
  });

  it("an additional served model's lines name it (the first model's stay vLLM's words)", () => {
    const { clock, engine } = rig();
    const lines: EngineStatsLine[] = [];
    const stats = new EngineStatsLogger(engine.events, () => engine.state, clock, (line) => lines.push(line), 0, 'small');
    stats.start(1000);
    engine.submit(request('a', 100, 40), ignore);
    clock.advanceTo(1000);
    expect(lines[0].message).toMatch(/^Engine 000 \(small\): Avg prompt throughput: 100\.0 tokens\/s, /);
    expect(lines[0].fields.model_name).toBe('small');
    stats.stop();
  });
});
