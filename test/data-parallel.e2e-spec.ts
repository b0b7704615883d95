import { createServer, Server } from 'node:net';
import { RunningServer, startServers } from '../src/bootstrap';
import { validateSettings } from '../src/config/load-settings';
import { exitWithin, freePort, pollUntil, spawnSimulator, statusOf, waitForHttp } from './support/child';
import { KvEventSubscriber } from './support/kv-events';
import { parseExposition, sample } from './support/prometheus';

/** A base port with `n` free ports from it on (checked by listening on each, then released). */
async function consecutiveFreePorts(n: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = await freePort();
    const held: Server[] = [];
    try {
      for (let k = 0; k < n; k++) {
        const server = createServer();
        await new Promise<void>((ok, fail) => server.once('error', fail).listen(base + k, '127.0.0.1', () => ok()));
        held.push(server);
      }
      return base;
    } catch {
      // taken: try another base
    } finally {
      await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    }
  }
  throw new Error(`No ${n} consecutive free ports`);
}

const metricsOf = async (url: string) => parseExposition(await (await fetch(`${url}/metrics`)).text());

describe('Data parallel: --data-parallel-size N serves N engines in one process', () => {
  let servers: RunningServer[];
  let base: number;
  let kvBase: number;

  beforeAll(async () => {
    base = await consecutiveFreePorts(2);
    kvBase = await consecutiveFreePorts(2);
    const settings = validateSettings({
      port: base,
      host: '127.0.0.1',
      grpc_port: -1,
      data_parallel_size: 2,
      seed: 1,
      log_level: 'error',
      max_num_seqs: 1,
      itl_ms: 25,
      ttft_ms: 5,
      kv_events_config: JSON.stringify({ enable_kv_cache_events: true, publisher: 'zmq', endpoint: `tcp://*:${kvBase}` }),
    } as never);
    servers = await startServers(settings);
  });

  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.shutdown(0)));
  });

  it('answers each rank on port + rank, each labelling its metrics engine="<rank>"', async () => {
    expect(servers.map((s) => s.port)).toEqual([base, base + 1]);
    for (const [rank, s] of servers.entries()) {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      expect(text).toMatch(new RegExp(`^vllm:num_requests_running\\{model_name="[^"]+",engine="${rank}"\\} 0$`, 'm'));
      expect(text).toMatch(new RegExp(`^vllm:cache_config_info\\{.*engine="${rank}".*\\} 1$`, 'm'));
    }
  });

  it('gives each rank its own queue: a busy rank 0 does not hold up rank 1', async () => {
    const [r0, r1] = servers;
    const body = (maxTokens: number) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'hello there', max_tokens: maxTokens, ignore_eos: true }) });
    // Two requests of 20 tokens (half a second each) on rank 0, whose batch holds one.
    const busy = [fetch(`${r0.url}/v1/completions`, body(20)), fetch(`${r0.url}/v1/completions`, body(20))];
    const m0 = await pollUntil('rank 0 to queue its second request', async () => {
      const m = await metricsOf(r0.url);
      return sample(m, 'vllm:num_requests_waiting') === 1 && sample(m, 'vllm:num_requests_running') === 1 ? m : undefined;
    }, 5_000);
    expect(sample(m0, 'vllm:num_requests_running')).toBe(1);
    expect(sample(m0, 'vllm:num_requests_waiting')).toBe(1);
    const started = Date.now();
    const res = await fetch(`${r1.url}/v1/completions`, body(2));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(500);
    const m1 = await metricsOf(r1.url);
    expect(sample(m1, 'vllm:request_success_total', 'finished_reason="length"')).toBe(1);
    expect(sample(m1, 'vllm:num_requests_waiting')).toBe(0);
    await Promise.all(busy.map(async (p) => (await p).text()));
  });

  it("publishes each rank's KV events on the endpoint port + rank, stamped with its rank", async () => {
    const sub = new KvEventSubscriber(`tcp://127.0.0.1:${kvBase + 1}`);
    try {
      let sent = 0;
      const batch = await sub.until(
        "rank 1's batch",
        () => {
          if (sub.batches.length > 0) return sub.batches[0];
          void fetch(`${servers[1].url}/v1/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ prompt: Array.from({ length: 20 }, (_, i) => 100 + i + 20 * sent++), max_tokens: 1 }),
          });
          return undefined;
        },
        15_000,
      );
      expect(batch.dataParallelRank).toBe(1);
    } finally {
      sub.close();
    }
  });
});

describe('Data parallel: the process', () => {
  it('drains every rank on SIGTERM and exits 0 once all of them are done', async () => {
    const base = await consecutiveFreePorts(2);
    const sim = spawnSimulator(['--port', String(base), '--host', '127.0.0.1', '--no-grpc', '--data-parallel-size', '2', '--latency-scale', '0']);
    try {
      await waitForHttp(sim, `http://127.0.0.1:${base}/health`);
      await waitForHttp(sim, `http://127.0.0.1:${base + 1}/health`);
      expect(await statusOf(`http://127.0.0.1:${base + 1}/v1/models`)).toBe(200);
      sim.kill('SIGTERM');
      expect(await exitWithin(sim, 15_000)).toEqual({ code: 0, signal: null });
      expect(sim.output()).toContain('data-parallel rank 1');
    } finally {
      sim.kill('SIGKILL');
    }
  });
});
