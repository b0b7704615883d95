import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { validateSettings } from '../src/config/load-settings';
import { resolveProfile } from '../src/modules/benchmarks/resolve-profile';
import { thousands } from '../src/modules/logging/start-summary';
import { cleanEnv, exitWithin, freePort, pollUntil, PROJECT_ROOT, SimulatorProcess, spawnSimulator, waitForHttp } from './support/child';

// The simulator as an operator meets it, on a real process: the start-up log in vLLM's words, one
// uvicorn access line per request, vLLM's periodic engine line, JSON logs, and a command line as
// strict as vLLM's argparse. Log lines are polled for, never slept for.

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';
jest.setTimeout(120_000);

let running: SimulatorProcess[] = [];
afterEach(async () => {
  for (const sim of running) sim.kill('SIGKILL');
  await Promise.all(running.map((s) => s.exited));
  running = [];
});

async function start(extra: string[]): Promise<{ sim: SimulatorProcess; url: string; port: number }> {
  const port = await freePort();
  const sim = spawnSimulator(['serve', MODEL, '--port', String(port), '--host', '127.0.0.1', '--no-grpc', '--seed', '7', ...extra], cleanEnv());
  running.push(sim);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(sim, `${url}/health`);
  return { sim, url, port };
}

async function failedStart(args: string[]): Promise<{ code: number | null; stderr: string; output: string }> {
  const sim = spawnSimulator(args, cleanEnv());
  running.push(sim);
  const { code } = await exitWithin(sim, 60_000);
  return { code, stderr: sim.stderr(), output: sim.output() };
}

/** The first line of the output matching `pattern`, once it has been written. */
function lineMatching(sim: SimulatorProcess, pattern: RegExp, what: string, timeoutMs = 20_000): Promise<string> {
  return pollUntil(what, async () => sim.output().split('\n').find((l) => pattern.test(l)), timeoutMs, 25);
}

const ENGINE_LINE =
  /Engine 000: Avg prompt throughput: (\d+\.\d) tokens\/s, Avg generation throughput: (\d+\.\d) tokens\/s, Running: (\d+) reqs, Waiting: (\d+) reqs, GPU KV cache usage: (\d+\.\d)%, Prefix cache hit rate: (\d+\.\d)%$/;

describe('the text log an operator of vLLM recognises', () => {
  it('start summary, access lines, periodic engine line; a flag prefix is taken; ignored flags logged once; no Nest narration', async () => {
    const { sim, url, port } = await start(['--log-stats-interval', '0.2', '--max-num-seq', '4', '--dtype', 'auto', '--enforce-eager', '--dtype=auto']);
    const kv = resolveProfile(validateSettings({ model: MODEL } as never));
    const out = sim.output();
    const pid = sim.proc.pid!;
    // vLLM's layout: process prefix, level, MM-DD HH:MM:SS, [source], message.
    expect(out).toMatch(new RegExp(`^\\(APIServer pid=${pid}\\) INFO \\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\[api_server\\] vLLM API server version \\d+\\.\\d+\\.\\d+`, 'm'));
    expect(out).toContain(`non-default args: {'port': ${port}, 'grpc_port': -1, 'host': '127.0.0.1', `);
    expect(out).toContain("'max_num_seqs': 4"); // --max-num-seq, taken as argparse takes an abbreviation
    expect(out.match(/--dtype auto is accepted and ignored: [^\n]+/g)).toHaveLength(1);
    expect(out).toMatch(/WARNING .* \[arg_utils\] --enforce-eager is accepted and ignored: /);
    expect(out).toContain(`model='${MODEL}'`);
    expect(out).toContain('dtype=torch.bfloat16');
    expect(out).toContain('tensor_parallel_size=1');
    expect(out).toContain(`GPU KV cache size: ${thousands(kv.kvCapacity.tokens)} tokens`);
    expect(out).toContain(`num_gpu_blocks is: ${kv.kvCacheBlocks}`);
    expect(out).toMatch(new RegExp(`Maximum concurrency for ${thousands(kv.contextWindow.maxModelLen)} tokens per request: \\d+\\.\\d\\dx`));
    expect(out).toMatch(/Simulating mistralai\/Mistral-7B-Instruct-v0\.3 on 1 x NVIDIA-L4: /);
    expect(out).toContain(`Starting vLLM API server 0 on http://127.0.0.1:${port}`);
    expect(out).toContain(`(APIServer pid=${pid}) INFO:     Application startup complete.`);
    // Nest's own narration is below info.
    expect(out).not.toMatch(/Mapped \{|RoutesResolver|InstanceLoader|Nest application successfully started/);
    expect((await (await fetch(`${url}/admin/config`)).json()) as Record<string, unknown>).toMatchObject({ max_num_seqs: 4 });

    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Tell me a long story about a lighthouse.' }], max_tokens: 60, stream: true });
    for await (const chunk of stream) void chunk;
    await fetch(`${url}/no/such/route?x=1`);

    const access = await lineMatching(sim, /"POST \/v1\/chat\/completions HTTP\/1\.1" 200 OK$/, 'the access line of the chat request');
    expect(access).toMatch(new RegExp(`^\\(APIServer pid=${pid}\\) INFO:     127\\.0\\.0\\.1:\\d+ - "POST /v1/chat/completions HTTP/1\\.1" 200 OK$`));
    await lineMatching(sim, /INFO: {5}127\.0\.0\.1:\d+ - "GET \/no\/such\/route\?x=1 HTTP\/1\.1" 404 Not Found$/, 'the access line of the 404');
    // The engine line of an interval with tokens in it (every 0.2 s here; vLLM: 10 s).
    const busy = await lineMatching(sim, /\[loggers\] Engine 000: .*Avg generation throughput: [1-9]/, 'a busy engine stats line');
    const m = ENGINE_LINE.exec(busy);
    expect(m).not.toBeNull();
    expect(busy).toMatch(/^\(APIServer pid=\d+\) INFO \d\d-\d\d \d\d:\d\d:\d\d \[loggers\] /);
  });

  it('--disable-uvicorn-access-log and --disable-log-stats turn the lines off', async () => {
    const { sim, url } = await start(['--disable-uvicorn-access-log', '--disable-log-stats', '--log-stats-interval', '0.1']);
    await (await fetch(`${url}/v1/models`)).arrayBuffer();
    const started = Date.now();
    const res = await fetch(`${url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, prompt: 'hi', max_tokens: 20, ignore_eos: true }) });
    await res.json();
    // The request spanned several stats intervals, so lines would have been due; the exit flushes the log.
    expect(Date.now() - started).toBeGreaterThan(300);
    sim.kill('SIGTERM');
    expect((await exitWithin(sim, 10_000)).code).toBe(0);
    expect(sim.output()).toContain('Drained; exiting');
    expect(sim.output()).not.toMatch(/INFO: {5}127\.0\.0\.1|Engine 000: Avg/);
  });
});

describe('--log-format json', () => {
  it('writes one JSON object per line, with structured fields', async () => {
    const { sim, url } = await start(['--log-format', 'json', '--log-stats-interval', '0.2', '--dtype', 'auto']);
    const res = await fetch(`${url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, prompt: 'Once upon a time', max_tokens: 30 }) });
    expect(res.status).toBe(200);
    await res.json();
    await lineMatching(sim, /"logger":"uvicorn.access"/, 'the access record');
    await lineMatching(sim, /"logger":"loggers".*"avg_generation_throughput":[1-9]/, 'a busy engine stats record');
    const records = sim
      .output()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) expect(r).toEqual(expect.objectContaining({ time: expect.any(String), level: expect.any(String), logger: expect.any(String), message: expect.any(String), pid: sim.proc.pid }));
    expect(records.find((r) => r.logger === 'uvicorn.access' && r.method === 'POST')).toMatchObject({ path: '/v1/completions', status: 200, http_version: '1.1' });
    expect(records.find((r) => typeof r.kv_cache_tokens === 'number')).toMatchObject({ message: expect.stringMatching(/^GPU KV cache size: /) });
    expect(records.find((r) => r.flag === '--dtype')).toMatchObject({ level: 'WARNING', value: 'auto' });
  });
});

describe('a command line as strict as vLLM argparse, and configuration errors in one message', () => {
  it('an unknown flag exits 2 with argparse words and the nearest known flag', async () => {
    const { code, stderr, output } = await failedStart(['serve', MODEL, '--gpu-memory-utilisation', '0.5', '--no-grpc']);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: vllm-simulator');
    expect(stderr).toContain('vllm-simulator: error: unrecognized arguments: --gpu-memory-utilisation 0.5');
    expect(stderr).toContain('did you mean --gpu-memory-utilization?');
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('an ambiguous prefix exits 2 naming the candidates', async () => {
    const { code, stderr } = await failedStart(['--max-num', '4']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/error: ambiguous option: --max-num could match .*--max-num-batched-tokens.*--max-num-seqs/);
  });

  it('an unknown model: one clear message on stderr, exit 2, no stack trace and no object dump', async () => {
    const { code, stderr, output } = await failedStart(['serve', 'acme/not-a-model', '--port', String(await freePort()), '--no-grpc']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^vllm-simulator: Unknown model "acme\/not-a-model"\. Known models: /);
    expect(output).not.toMatch(/^\s+at |ExceptionHandler|known: \[/m);
  });

  it('a port in use: one line, no stack trace', async () => {
    const { port } = await start([]);
    const { code, stderr, output } = await failedStart(['serve', MODEL, '--port', String(port), '--host', '127.0.0.1', '--no-grpc']);
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot listen on 127.0.0.1:${port}: the address is already in use`);
    expect(output).not.toMatch(/^\s+at /m);
  });
});

describe('npx vllm-simulator before a build', () => {
  it('says what to run instead of a module-not-found stack', () => {
    // The bin script in a checkout without dist/.
    const dir = mkdtempSync(join(tmpdir(), 'vllm-sim-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(join(PROJECT_ROOT, 'bin', 'vllm-simulator.js'), join(dir, 'bin', 'vllm-simulator.js'));
      const result = spawnSync(process.execPath, [join(dir, 'bin', 'vllm-simulator.js'), '--help'], { encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('vllm-simulator is not built yet');
      expect(result.stderr).toContain('npm run build');
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
