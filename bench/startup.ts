/**
 * Start-up time of the built server: spawn `node dist/main.js` to the first 200 on `/health`, per
 * catalogued model (each on the smallest H100 tensor-parallel group it fits on; the default model
 * on its default GPU).
 *
 *   npm run bench:startup [-- --runs 3 --model SUBSTRING --default-only] [--compare DIR]
 *
 * --compare DIR: also starts DIR/dist/main.js (another checkout, built), alternating run by run with
 * this one, so that both see the same machine load: a before/after figure.
 * Needs a build (`npm run build`). The port is chosen here (a free one) and `/health` is polled
 * every 5 ms from the moment of the spawn, so the figure is what a Kubernetes probe would see, not
 * what the process says about itself. The CPU time the process used until then (from /proc) is
 * printed beside it: on a shared machine wall times grow with the load, CPU times barely do.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { validateSettings } from '../src/config/load-settings';
import { DEFAULT_GPU, DEFAULT_MODEL } from '../src/config/settings';
import { listKnownModels, resolveProfile } from '../src/modules/benchmarks';
import { numberArg, quantile } from './support/server';

const RUNS = numberArg('runs', 3);
const MAIN = join(__dirname, '..', 'dist', 'main.js');
const compareAt = process.argv.indexOf('--compare');
const OTHER = compareAt >= 0 ? join(process.argv[compareAt + 1], 'dist', 'main.js') : undefined;

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/** The smallest H100 group the model fits on (weights and one KV block), as an operator would pick. */
function placement(model: string): { gpu: string; tp: number } | string {
  if (model === DEFAULT_MODEL) return { gpu: DEFAULT_GPU, tp: 1 };
  let why = '';
  for (const tp of [1, 2, 4, 8]) {
    try {
      resolveProfile(validateSettings({ model, gpu_type: 'H100', tensor_parallel_size: tp } as never));
      return { gpu: 'H100', tp };
    } catch (err) {
      // does not fit (or tp does not divide the heads): try the next group size
      why = err instanceof Error ? err.message : String(err);
    }
  }
  return why;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

interface Start {
  /** Spawn to the first 200 on /health. */
  wallMs: number;
  /** CPU the process used by then: what start-up costs whatever else the machine runs. */
  cpuMs: number;
}

/** One start: milliseconds from spawn to the first 200 on /health, and the CPU it took. */
async function startOnce(model: string, gpu: string, tp: number, main = MAIN): Promise<Start> {
  const port = await freePort();
  const args = [main, 'serve', model, '--gpu-type', gpu, '--tensor-parallel-size', String(tp), '--port', String(port), '--grpc-port', String(await freePort()), '--host', '127.0.0.1'];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr.on('data', (b: Buffer) => (log += b.toString()));
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  try {
    for (;;) {
      if (exited !== undefined) throw new Error(`${model}: exited ${exited}:\n${log}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return { wallMs: performance.now() - t0, cpuMs: cpuMs(child.pid) };
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGKILL');
    if (exited === undefined) await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  for (const main of [MAIN, OTHER].filter((m): m is string => m !== undefined)) {
    if (!existsSync(main)) {
      console.error(`${main} is missing: run \`npm run build\` first`);
      process.exit(2);
    }
  }
  if (OTHER) console.log(`comparing with ${OTHER}, alternating run by run`);
  const filterAt = process.argv.indexOf('--model');
  const filter = filterAt >= 0 ? process.argv[filterAt + 1] : undefined;
  let models = process.argv.includes('--default-only') ? [DEFAULT_MODEL] : listKnownModels();
  if (filter) models = models.filter((m) => m.toLowerCase().includes(filter.toLowerCase()));
  console.log(`start-up: spawn of node dist/main.js (HTTP and gRPC) to the first 200 on /health, ${RUNS} run(s) per model, ms: wall time, and the CPU time the process used by then`);
  console.log(`  load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs (wall times grow with the load; CPU times do not)`);
  const medians: number[] = [];
  for (const model of models) {
    const place = placement(model);
    if (typeof place === 'string') {
      console.log(`  ${model.padEnd(44)} not servable: ${place}`);
      continue;
    }
    const { gpu, tp } = place;
    const starts: Start[] = [];
    const others: Start[] = [];
    for (let i = 0; i < RUNS; i++) {
      starts.push(await startOnce(model, gpu, tp));
      if (OTHER) others.push(await startOnce(model, gpu, tp, OTHER));
    }
    const median = quantile(starts.map((s) => s.wallMs), 0.5);
    medians.push(median);
    const where = `${tp} x ${gpu}`;
    const figures = (runs: Start[]): string => {
      const wall = runs.map((s) => s.wallMs);
      return (
        `wall median ${quantile(wall, 0.5).toFixed(0).padStart(5)} max ${Math.max(...wall).toFixed(0).padStart(5)}` +
        `  cpu median ${quantile(runs.map((s) => s.cpuMs), 0.5).toFixed(0).padStart(5)}`
      );
    };
    console.log(`  ${model.padEnd(44)} ${where.padEnd(14)} ${figures(starts)}${OTHER ? `   | compared: ${figures(others)}` : ''}`);
  }
  if (models.length > 1) console.log(`  slowest wall median ${Math.max(...medians).toFixed(0)} ms over ${medians.length} models`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
