import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { chromium, Browser } from 'playwright-core';
import { ArrivalSpec, ClientClassSpec, DisaggregationSpec, DistributionSpec, PoolSpec, SessionSpec, SharedPrefixSpec, StageSpec, WorkloadSpec } from '../src/modules/simulate/workload-spec';
import { cleanEnv, PROJECT_ROOT } from './support/child';

// `vllm-simulator simulate` as a user runs it: the real command in a child process (no TTY).
jest.setTimeout(120_000);

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function simulate(args: readonly string[]): Promise<Result> {
  return new Promise((ok, fail) => {
    const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts', 'simulate', ...args], {
      cwd: PROJECT_ROOT,
      env: cleanEnv({ TS_NODE_TRANSPILE_ONLY: 'true' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      fail(new Error(`simulate ${args.join(' ')} still running after 100 s\n${stderr}`));
    }, 100_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'simulate-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SUMMARY_KEYS = ['mean', 'p50', 'p90', 'p99'];
const RATE_KEYS = ['requests_per_s', 'output_tokens_per_s'];

function expectInterfaceKeys(s: Record<string, any>): void {
  for (const key of ['achieved', 'offered']) expect(Object.keys(s[key])).toEqual(expect.arrayContaining(RATE_KEYS));
  expect(typeof s.saturated).toBe('boolean');
  for (const key of ['ttft_ms', 'itl_ms', 'e2e_ms']) expect(Object.keys(s[key])).toEqual(expect.arrayContaining(SUMMARY_KEYS));
}

describe('simulate --help', () => {
  it('documents every flag and every workload field', async () => {
    const { code, stdout } = await simulate(['--help']);
    expect(code).toBe(0);
    const fields = new Set<string>();
    for (const target of [WorkloadSpec, ClientClassSpec, DistributionSpec, SessionSpec, SharedPrefixSpec, StageSpec, ArrivalSpec, DisaggregationSpec, PoolSpec]) {
      for (const m of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) fields.add(m.propertyName);
    }
    expect(fields.size).toBeGreaterThan(30);
    for (const field of fields) expect(stdout).toMatch(new RegExp(`\\b${field}\\b`));
    for (const flag of ['--workload', '--trace', '--format', '--report', '--sweep', '--slo', '--replicas', '--routing', '--target-rate', '--grid', '--requests-out', '--prefill-replicas', '--decode-replicas', '--prefill-routing', '--decode-gpu', '--kv-transfer-gb-per-s', '--kv-transfer-latency-ms']) expect(stdout).toContain(flag);
    expect(stdout).toContain('Example workload:');
  });
});

describe('a saturating workload (examples/workload.yaml: 1, 4 and 10 requests/s on one L4)', () => {
  let run: Record<string, any>;
  let sweep: Record<string, any>;

  beforeAll(async () => {
    const [r, s] = await Promise.all([simulate(['--workload', 'examples/workload.yaml']), simulate(['--workload', 'examples/workload.yaml', '--sweep', '--format', 'json'])]);
    expect(r.code).toBe(0);
    expect(s.code).toBe(0);
    // Not a terminal: JSON by default, and nothing on stderr (no progress bar).
    expect(r.stderr).toBe('');
    run = JSON.parse(r.stdout);
    sweep = JSON.parse(s.stdout);
  });

  it('reports the interface keys per stage and overall', () => {
    expect(run.stages).toHaveLength(3);
    for (const s of [...run.stages, run.overall]) expectInterfaceKeys(s);
    expect(run).toMatchObject({ model: 'mistralai/Mistral-7B-Instruct-v0.3', gpu: 'NVIDIA-L4', tensor_parallel_size: 1, replicas: 1 });
  });

  it('says the overloaded stages are saturated, and achieved throughput stays within what the batch can produce', () => {
    const [quiet, busy, overloaded] = run.stages;
    expect(quiet.saturated).toBe(false);
    expect(busy.saturated).toBe(true);
    expect(overloaded.saturated).toBe(true);
    expect(run.overall.saturated).toBe(true);
    for (const s of run.stages) {
      // Every running sequence gets at most one token per step: tokens/s <= running / mean step.
      expect(s.achieved.output_tokens_per_s).toBeLessThanOrEqual((s.mean_running * 1000) / s.itl_ms.mean * 1.05);
    }
    // Achieved counts what the engine completed, far below what was offered.
    expect(overloaded.offered.requests_per_s).toBeGreaterThan(9);
    expect(overloaded.achieved.requests_per_s).toBeLessThan(0.5 * overloaded.offered.requests_per_s);
    expect(run.overall.achieved.requests_per_s).toBeCloseTo(run.overall.completed / run.simulated_seconds, 2);
  });

  it('reports the drain after the last arrival apart', () => {
    expect(run.drain.start_s).toBe(1200);
    expect(run.drain.seconds).toBeGreaterThan(100);
    expect(run.drain.in_flight_at_start).toBe(run.drain.completed);
    expect(run.simulated_seconds).toBeCloseTo(run.drain.start_s + run.drain.seconds, 3);
  });

  it('estimates a sustainable rate within 10 % of the max rate the sweep finds', () => {
    expect(sweep.max_rate).toBeGreaterThan(0);
    expect(sweep.points.length).toBeGreaterThan(3);
    for (const p of sweep.points) expect(Object.keys(p)).toEqual(expect.arrayContaining(['rate', 'achieved', 'saturated', 'ttft_ms', 'itl_ms', 'e2e_ms']));
    expect(sweep.points.find((p: any) => p.rate === sweep.max_rate).saturated).toBe(false);
    expect(sweep.points.some((p: any) => p.rate > sweep.max_rate && p.saturated)).toBe(true);
    const estimate = run.sustainable_rate;
    expect(Math.abs(estimate - sweep.max_rate) / sweep.max_rate).toBeLessThan(0.1);
    for (const s of run.stages.filter((st: any) => st.saturated)) expect(Math.abs(s.sustainable_rate - sweep.max_rate) / sweep.max_rate).toBeLessThan(0.1);
  });
});

describe('output formats', () => {
  it('prints a table with --format table', async () => {
    const { code, stdout } = await simulate(['--workload', 'examples/workload.yaml', '--format', 'table']);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toContain('mistralai/Mistral-7B-Instruct-v0.3 on 1 x NVIDIA-L4');
    const header = lines.find((l) => l.startsWith('stage') && l.includes('achieved req/s'))!;
    expect(header).toMatch(/offered req\/s\s+achieved req\/s\s+offered tok\/s\s+achieved tok\/s/);
    expect(lines.find((l) => l.startsWith('2 '))).toMatch(/YES$/);
    expect(lines.find((l) => l.startsWith('0 '))).toMatch(/no$/);
    expect(stdout).toMatch(/Drain after the last arrival \(1,200 s\)/);
    expect(stdout).toMatch(/Stage 2 is saturated .*sustains about [\d.]+ req\/s/);
  });

  it('prints CSV with --format csv: one row per stage, overall and the drain', async () => {
    const { code, stdout } = await simulate(['--workload', 'examples/workload.yaml', '--format', 'csv']);
    expect(code).toBe(0);
    const [header, ...rows] = stdout.trim().split('\n').map((l) => l.split(','));
    expect(header.slice(0, 3)).toEqual(['scope', 'id', 'name']);
    for (const key of ['offered_requests_per_s', 'achieved_requests_per_s', 'achieved_output_tokens_per_s', 'saturated', 'ttft_p99_ms', 'itl_p99_ms', 'e2e_p99_ms']) expect(header).toContain(key);
    expect(rows.map((r) => r[0])).toEqual(['stage', 'stage', 'stage', 'overall', 'drain']);
    const saturated = header.indexOf('saturated');
    expect(rows.slice(0, 3).map((r) => r[saturated])).toEqual(['false', 'true', 'true']);
    expect(rows.every((r) => r.length <= header.length)).toBe(true);
  });

  it('prints the sweep as a table and a grid as one table', async () => {
    const [sweep, grid] = await Promise.all([
      simulate(['--trace', 'examples/trace-mooncake.jsonl', '--sweep', '--slo', 'ttft_p99<=3000', '--format', 'table', '--sweep-requests', '300']),
      simulate(['--trace', 'examples/trace-mooncake.jsonl', '--grid', 'max_num_seqs=16,256;replicas=1,2', '--format', 'table']),
    ]);
    expect(sweep.code).toBe(0);
    expect(sweep.stdout).toMatch(/<- max rate/);
    expect(sweep.stdout).toMatch(/Max rate: [\d.]+ req\/s meeting the SLO/);
    expect(grid.code).toBe(0);
    const rows = grid.stdout.split('\n').filter((l) => l.startsWith('mistralai/'));
    expect(rows).toHaveLength(4);
    expect(grid.stdout).toMatch(/model\s+gpu\s+tp\s+max_num_seqs\s+replicas\s+routing\s+achieved req\/s/);
  });
});

describe('workloads people have', () => {
  it('replays a trace with exactly its arrivals, and its shared hash_ids hit the prefix cache', async () => {
    const out = join(dir, 'requests.csv');
    const { code, stdout } = await simulate(['--trace', 'examples/trace-mooncake.jsonl', '--requests-out', out, '--format', 'json']);
    expect(code).toBe(0);
    const trace = readFileSync(join(PROJECT_ROOT, 'examples/trace-mooncake.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(','));
    const col = (name: string) => header.indexOf(name);
    expect(rows).toHaveLength(trace.length);
    expect(rows.map((r) => Number(r[col('due_ms')]))).toEqual(trace.map((t) => t.timestamp).sort((a, b) => a - b));
    expect(rows.map((r) => Number(r[col('sent_ms')]))).toEqual(rows.map((r) => Number(r[col('due_ms')])));
    const byTime = [...trace].sort((a, b) => a.timestamp - b.timestamp);
    expect(rows.map((r) => [Number(r[col('prompt_tokens')]), Number(r[col('output_tokens')])])).toEqual(byTime.map((t) => [t.input_length, t.output_length]));
    const report = JSON.parse(stdout);
    expect(report.overall.prefix_cache.hit_rate).toBeGreaterThan(0.3);
    expect(report.overall.completed).toBe(trace.length);
  });

  it('shows prefix-cache hits for multi-turn conversations, per client class, on a routed cluster', async () => {
    const { code, stdout } = await simulate(['--workload', 'examples/chat-sessions.yaml', '--replicas', '2', '--routing', 'prefix_aware']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const chat = report.classes.find((c: any) => c.name === 'chat');
    const summaries = report.classes.find((c: any) => c.name === 'summaries');
    expect(chat.prefix_cache.hit_rate).toBeGreaterThan(0.25);
    expect(summaries.prefix_cache.hit_rate).toBe(0);
    expect(report.overall.prefix_cache.hit_rate).toBeGreaterThan(0);
    expect(report.per_replica).toHaveLength(2);
    expect(report.per_replica.reduce((s: number, r: any) => s + r.requests, 0)).toBe(report.overall.requests);
    expect(report.stages[0].goodput).not.toBeNull();
  });
});

describe('prefill/decode pools (examples/pd.yaml: 2 prefill L4s, 1 decode L4)', () => {
  it('reports both pools and the link in JSON, and the flags override the workload\'s pools', async () => {
    const out = join(dir, 'pd-requests.csv');
    const { code, stdout, stderr } = await simulate(['--workload', 'examples/pd.yaml', '--format', 'json', '--kv-transfer-gb-per-s', '5', '--requests-out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expectInterfaceKeys(report.overall);
    expect(report.replicas).toBe(3);
    expect(report.disaggregation).toMatchObject({ prefill: { replicas: 2, routing: 'prefix_aware', gpu: 'NVIDIA-L4' }, decode: { replicas: 1, gpu: 'NVIDIA-L4' }, kv_transfer_gb_per_s: 5, kv_transfer_latency_ms: 1 });
    expect(report.per_replica).toBeUndefined();
    const [prefill, decode] = report.pools;
    expect([prefill.pool, decode.pool]).toEqual(['prefill', 'decode']);
    expect(prefill.requests).toBe(report.overall.requests);
    expect(decode.completed).toBe(report.overall.completed);
    expect(prefill.achieved.output_tokens_per_s).toBe(0);
    expect(decode.achieved.output_tokens_per_s).toBe(report.overall.achieved.output_tokens_per_s);
    for (const pool of [prefill, decode]) expect(typeof pool.saturated).toBe('boolean');
    // Every transfer costs the link's latency plus its bytes over 5 GB/s.
    const bytesPerToken = report.disaggregation.kv_bytes_per_token_per_gpu;
    expect(decode.transfer_ms.mean).toBeCloseTo(1 + decode.transferred_bytes / report.overall.completed / 5e6, 1);
    expect(decode.transferred_bytes).toBe(decode.transferred_tokens * bytesPerToken);
    // Overall TTFT is the prefill pool's, the transfer and the decode pool's first step: longer than each.
    expect(report.overall.ttft_ms.mean).toBeGreaterThan(prefill.ttft_ms.mean + decode.transfer_ms.mean);
    expect(report.overall.itl_ms).toEqual(decode.itl_ms);
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(','));
    expect(header).toEqual(expect.arrayContaining(['prefill_replica', 'prefill_end_ms', 'transfer_ms', 'transferred_tokens']));
    expect(new Set(rows.map((r) => r[header.indexOf('prefill_replica')]))).toEqual(new Set(['0', '1']));

    const flipped = await simulate(['--workload', 'examples/pd.yaml', '--format', 'json', '--prefill-replicas', '1', '--decode-replicas', '2', '--decode-routing', 'least_kv']);
    expect(flipped.code).toBe(0);
    const f = JSON.parse(flipped.stdout);
    expect(f.disaggregation).toMatchObject({ prefill: { replicas: 1 }, decode: { replicas: 2, routing: 'least_kv' }, kv_transfer_gb_per_s: 25 });
    expect(f.pools.map((p: any) => p.replicas)).toEqual([1, 2]);
  });

  it('prints the pools in the table and as CSV rows', async () => {
    const table = await simulate(['--workload', 'examples/pd.yaml', '--format', 'table']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/prefill 2 x NVIDIA-L4 .*-> decode 1 x NVIDIA-L4/);
    expect(table.stdout).toMatch(/^prefill\s+2\s/m);
    expect(table.stdout).toMatch(/^decode\s+1\s/m);
    const csv = await simulate(['--workload', 'examples/pd.yaml', '--format', 'csv']);
    const lines = csv.stdout.trim().split('\n').map((l) => l.split(','));
    expect(lines[0]).toEqual(expect.arrayContaining(['transfer_p99_ms', 'achieved_prompt_tokens_per_s']));
    expect(lines.filter((l) => l[0] === 'pool').map((l) => l[2])).toEqual(['prefill', 'decode']);
  });

  it.each([
    [['--replicas', '2'], /--replicas counts replicas that serve whole requests/],
    [['--target-rate', '3'], /--target-rate .* does not plan prefill\/decode pools/],
    [['--decode-routing', 'fastest'], /--decode-routing must be one of/],
  ])('refuses %j with P/D pools', async (extra, message) => {
    const { code, stderr } = await simulate(['--workload', 'examples/pd.yaml', ...extra]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('bad input', () => {
  it.each([
    [['--workload', 'nope.yaml'], /Cannot read workload nope\.yaml: no such file/],
    [['--trace', 'examples/workload.yaml'], /Invalid trace examples\/workload\.yaml:/],
    [['--workload', 'examples/workload.yaml', '--gpu', 'NVIDIA-Z1'], /Unknown GPU type "NVIDIA-Z1"/],
    [['--workload', 'examples/workload.yaml', '--decode-gpu', 'NVIDIA-L4'], /need prefill\/decode pools/],
    [['--workload', 'examples/workload.yaml', '--decode-replicas', '1', '--decode-gpu', 'NVIDIA-Z1'], /The decode pool: Unknown GPU type "NVIDIA-Z1"/],
  ])('%j exits 2 with a message', async (args, message) => {
    const { code, stderr, stdout } = await simulate(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
  });

  it('refuses a workload with every problem named', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'prompt_tokens: {mean: 100}\noutput_tokens: {distribution: uniform, min: 5}\nstages: [{rate: -1, duration: 10, extra: 1}]\n');
    const { code, stderr } = await simulate(['--workload', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('stages.0.rate: must not be less than 0');
    expect(stderr).toContain('stages.0.extra: unknown field');
  });
});

describe('--report FILE.html in a real browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the page, failing on any request other than the page itself. */
  async function open(file: string) {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`file://${file}`);
    expect(requests).toEqual([`file://${file}`]);
    expect(errors).toEqual([]);
    return page;
  }

  async function chart(page: Awaited<ReturnType<typeof open>>, id: string) {
    const svg = page.locator(`svg[data-chart="${id}"]`);
    await expect(svg.count()).resolves.toBe(1);
    const box = await svg.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(150);
    return svg;
  }

  it('draws percentiles per stage, running/waiting and KV usage over time for a run', async () => {
    const file = join(dir, 'run.html');
    const { code, stderr } = await simulate(['--workload', 'examples/workload.yaml', '--report', file, '--format', 'json']);
    expect(code).toBe(0);
    expect(stderr).toContain(`Report written to ${file}`);
    const page = await open(file);
    for (const metric of ['ttft', 'itl', 'e2e']) {
      const bars = await chart(page, `percentiles-${metric}`);
      // p50, p90, p99 for 3 stages and overall.
      await expect(bars.locator('rect').count()).resolves.toBe(12);
    }
    const queue = await chart(page, 'timeline-queue');
    await expect(queue.locator('path[data-series="running"]').count()).resolves.toBe(1);
    await expect(queue.locator('path[data-series="waiting"]').count()).resolves.toBe(1);
    await expect(queue.locator('[data-role="last-arrival"]').count()).resolves.toBe(1);
    const d = await queue.locator('path[data-series="waiting"]').getAttribute('d');
    expect(d!.split('L').length).toBeGreaterThan(100);
    await chart(page, 'timeline-kv');
    await chart(page, 'timeline-throughput');
    await expect(page.locator('pre').first().textContent()).resolves.toContain('saturated');
    await page.close();
  });

  it('draws the sweep curve with the SLO line and the chosen rate', async () => {
    const file = join(dir, 'sweep.html');
    const { code, stdout } = await simulate(['--trace', 'examples/trace-mooncake.jsonl', '--sweep', '--slo', 'ttft_p99<=3000,itl_p99<=250', '--sweep-requests', '300', '--report', file, '--format', 'json']);
    expect(code).toBe(0);
    const sweep = JSON.parse(stdout);
    expect(sweep.max_rate).toBeGreaterThan(0);
    const page = await open(file);
    for (const id of ['sweep-ttft-p99', 'sweep-itl-p99']) {
      const curve = await chart(page, id);
      await expect(curve.locator('[data-role="slo"]').count()).resolves.toBe(1);
      await expect(curve.locator('[data-role="chosen"]').count()).resolves.toBe(1);
      await expect(curve.locator('circle').count()).resolves.toBe(sweep.points.length);
    }
    await chart(page, 'sweep-throughput');
    // The run at the chosen rate, figure for figure.
    await chart(page, 'max-rate-percentiles-ttft');
    await chart(page, 'max-rate-timeline-kv');
    await page.close();
  });
});
