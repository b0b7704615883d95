import { cleanEnv, exitWithin, freePort, grpcHealth, pollUntil, SimulatorProcess, spawnSimulator, statusOf, waitForHttp } from './support/child';

// Lifecycle as Kubernetes sees it, on a real process: simulated model loading, SIGTERM drain,
// second signal, start-up failures. Timings are polled, never slept.

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';
jest.setTimeout(120_000);

let running: SimulatorProcess[] = [];
afterEach(async () => {
  for (const sim of running) sim.kill('SIGKILL');
  await Promise.all(running.map((s) => s.exited));
  running = [];
});

async function start(extra: string[], grpcPort?: number): Promise<{ sim: SimulatorProcess; url: string }> {
  const port = await freePort();
  const grpc = grpcPort === undefined ? ['--no-grpc'] : ['--grpc-port', String(grpcPort)];
  const sim = spawnSimulator(['serve', MODEL, '--port', String(port), '--host', '127.0.0.1', ...grpc, '--seed', '7', ...extra]);
  running.push(sim);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(sim, `${url}/health/live`);
  return { sim, url };
}

function completion(url: string, body: Record<string, unknown> = {}) {
  return fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, prompt: 'Tell me a story about a lighthouse.', max_tokens: 5, ...body }),
  });
}

/** Reads an SSE body, calling `onEvent` for each `data:` payload as it arrives. */
async function readStream(res: Response, onEvent: (data: string) => void): Promise<string[]> {
  const events: string[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (event.startsWith('data: ')) {
        events.push(event.slice(6));
        onEvent(event.slice(6));
      }
    }
  }
  return events;
}

describe('--startup-duration (simulated model loading)', () => {
  it('is live at once, not ready (HTTP /health/ready, vLLM /health, gRPC health, new work) until it elapses', async () => {
    const spawnedAt = Date.now();
    const grpcPort = await freePort();
    // 3 s rather than 2: the loading timer starts before the HTTP server listens, and a slow CI
    // machine must still get its first answers inside the loading window.
    const { url } = await start(['--startup-duration', '3', '--latency-scale', '0'], grpcPort);
    // First answer of the process: live, but not ready yet.
    expect(await statusOf(`${url}/health/live`)).toBe(200);
    expect(await statusOf(`${url}/health/ready`)).toBe(503);
    expect(await pollUntil('gRPC health to answer', () => grpcHealth(grpcPort), 10_000)).toBe('NOT_SERVING');
    expect(await statusOf(`${url}/health`)).toBe(503);
    expect(await statusOf(`${url}/ping`)).toBe(503);
    const early = await completion(url);
    expect(early.status).toBe(503);
    expect(((await early.json()) as { error?: unknown }).error).toBeDefined();

    await pollUntil('/health/ready to be 200', async () => ((await statusOf(`${url}/health/ready`)) === 200 ? true : undefined), 20_000);
    expect(Date.now() - spawnedAt).toBeGreaterThanOrEqual(3000);
    expect(await statusOf(`${url}/health`)).toBe(200);
    expect(await statusOf(`${url}/health/live`)).toBe(200);
    expect((await completion(url)).status).toBe(200);
    expect(await pollUntil('gRPC SERVING', async () => ((await grpcHealth(grpcPort)) === 'SERVING' ? true : undefined), 5000)).toBe(true);
  });
});

describe('SIGTERM', () => {
  it('drains: readiness false at once, new requests 503, the running stream finishes, exit 0', async () => {
    const { sim, url } = await start(['--latency-scale', '1', '--itl-ms', '50', '--ttft-ms', '50', '--shutdown-grace-period', '30']);
    expect(await statusOf(`${url}/health/ready`)).toBe(200);

    const res = await completion(url, { max_tokens: 40, ignore_eos: true, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    let signalled = false;
    const afterSignal: Promise<void>[] = [];
    const events = await readStream(res, () => {
      if (signalled) return;
      signalled = true;
      sim.kill('SIGTERM');
      // While the stream still runs: not ready, vLLM /health 503, new inference 503, live stays 200.
      afterSignal.push(
        (async () => {
          // The signal and this request race to the child's event loop (on a busy machine both can
          // be pending in the same turn): wait for the signal to be handled, not for a wall-clock time.
          await pollUntil('readiness to drop after SIGTERM', async () => ((await statusOf(`${url}/health/ready`)) === 503 ? true : undefined), 5000, 10);
          expect(await statusOf(`${url}/health`)).toBe(503);
          expect(await statusOf(`${url}/health/live`)).toBe(200);
          const refused = await completion(url);
          expect(refused.status).toBe(503);
          expect(((await refused.json()) as { error: { code: number } }).error.code).toBe(503);
        })(),
      );
    });
    await Promise.all(afterSignal);
    expect(signalled).toBe(true);
    // The stream ran to its end: 40 tokens, finish_reason length, usage, [DONE].
    expect(events[events.length - 1]).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    const usage = chunks.find((c) => c.usage)?.usage;
    expect(usage.completion_tokens).toBe(40);
    expect(chunks.some((c) => c.choices?.[0]?.finish_reason === 'length')).toBe(true);

    const { code, signal } = await exitWithin(sim, 15_000);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(sim.output()).toContain('SIGTERM: draining');
  });

  it('a second signal exits at once, without waiting for the drain', async () => {
    const { sim, url } = await start(['--latency-scale', '1', '--itl-ms', '200', '--shutdown-grace-period', '60']);
    const res = await completion(url, { max_tokens: 200, ignore_eos: true, stream: true });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read(); // the stream has started: the drain has something to wait for (~40 s)
    sim.kill('SIGTERM');
    await pollUntil('readiness to drop', async () => ((await statusOf(`${url}/health/ready`)) === 503 ? true : undefined), 5000);
    const signalledAt = Date.now();
    sim.kill('SIGINT');
    const { code } = await exitWithin(sim, 5000);
    expect(Date.now() - signalledAt).toBeLessThan(3000);
    expect(code).not.toBe(0);
    await reader.cancel().catch(() => undefined);
  });
});

describe('start-up failures', () => {
  async function failedStart(args: string[], env: Record<string, string> = {}) {
    const sim = spawnSimulator(args, cleanEnv(env));
    running.push(sim);
    const { code } = await exitWithin(sim, 60_000);
    return { code, stderr: sim.stderr() };
  }

  it('an invalid flag value exits 2 naming the setting', async () => {
    const { code, stderr } = await failedStart(['--tensor-parallel-size', 'two']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/tensor[-_]parallel[-_]size/);
    expect(stderr).toContain("'two'");
  });

  it('an invalid environment variable exits 2 naming the setting', async () => {
    const { code, stderr } = await failedStart([], { PORT: '70000' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/port/);
    expect(stderr).toContain('70000');
  });

  it('an unknown model exits 2 listing the known ones', async () => {
    const { code, stderr } = await failedStart(['serve', 'acme/not-a-model', '--port', String(await freePort()), '--no-grpc']);
    expect(code).toBe(2);
    expect(stderr).toContain('acme/not-a-model');
    expect(stderr).toContain(MODEL);
    expect(stderr).toContain('meta-llama/Llama-3.1-8B-Instruct');
  });
});
