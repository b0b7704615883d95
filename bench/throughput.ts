/**
 * Requests per second at latency_scale 0: the server's own cost per request (HTTP, validation,
 * tokenizing, reply planning, engine bookkeeping, rendering, metrics), against bare Fastify.
 *
 *   npm run build && npm run bench:throughput [-- --baseline] [--compare DIR] [--connections 32
 *     --seconds 10 --rounds 3 --max-tokens 16 --model M --cpu-prof DIR --server-args "--flag value ..." --node-args "--v8-flag ..."]
 *   npm run bench:throughput -- --startup     (start-up of the default model; bench:startup does more)
 *
 * The server is `node dist/main.js` in its own process (gRPC off, warnings and errors only, so no
 * access line per request); the load generator (autocannon, keep-alive connections, each sending
 * its next non-streaming chat completion when the previous answers) runs in this process, so the
 * client's own cost is not the server's. With --baseline, bare Fastify answering the simulator's own
 * response body as a canned body (bench/support/bare-fastify.ts) runs the same way, on a port of
 * the same kind, and the rounds alternate (simulator, Fastify, simulator, ...) so both see the same
 * machine load; the ratio of the medians is printed. --compare DIR adds DIR/dist/main.js (another
 * checkout, built) to the alternation: a before/after figure. --cpu-prof DIR writes the simulator's CPU
 * profile of each round to DIR (`node --cpu-prof`), to see where its time goes under this load.
 */
import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL } from '../src/config/settings';
import { freePort } from '../test/support/child';
import { numberArg, quantile } from './support/server';

const CONNECTIONS = numberArg('connections', 32);
const SECONDS = numberArg('seconds', 10);
const ROUNDS = numberArg('rounds', 3);
const WARMUP_SECONDS = numberArg('warmup', 3);
const MAX_TOKENS = numberArg('max-tokens', 16);
const stringArg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const MODEL = stringArg('model') ?? DEFAULT_MODEL;
const CPU_PROF = stringArg('cpu-prof');
const SERVER_ARGS = (stringArg('server-args') ?? '').split(/\s+/).filter(Boolean);
/** Options for the simulator's node (e.g. V8 heap flags), this checkout's only. */
const NODE_ARGS = (stringArg('node-args') ?? '').split(/\s+/).filter(Boolean);
const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'main.js');
const COMPARE = stringArg('compare');

const REQUEST = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: MAX_TOKENS });

interface Server {
  name: string;
  url: string;
  proc: ChildProcess;
  output(): string;
}

async function spawnServer(name: string, command: string[], port: number): Promise<Server> {
  const proc = spawn(process.execPath, command, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; ) {
    if (proc.exitCode !== null) throw new Error(`${name} exited ${proc.exitCode}:\n${out}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${name} did not answer /health:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { name, url, proc, output: () => out };
}

async function stop(server: Server): Promise<void> {
  if (server.proc.exitCode !== null) return;
  const exited = new Promise((r) => server.proc.once('exit', r));
  // SIGTERM: the simulator drains and exits 0, which is when `node --cpu-prof` writes its profile.
  server.proc.kill('SIGTERM');
  const timer = setTimeout(() => server.proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function simulator(port: number, round: number, main = MAIN): Promise<Server> {
  const prof = CPU_PROF && main === MAIN ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF, '--cpu-prof-name', `simulator-round${round}.cpuprofile`] : [];
  const args = ['serve', MODEL, '--port', String(port), '--grpc-port', '-1', '--host', '127.0.0.1', '--latency-scale', '0', '--log-level', 'warning', ...SERVER_ARGS];
  return spawnServer('simulator', [...(main === MAIN ? NODE_ARGS : []), ...prof, main, ...args], port);
}

function bareFastify(port: number, bodyFile: string): Promise<Server> {
  return spawnServer('bare Fastify', ['-r', 'ts-node/register/transpile-only', join(__dirname, 'support', 'bare-fastify.ts'), String(port), bodyFile], port);
}

interface Round {
  requestsPerSecond: number;
  /** Server CPU (user + system, all its threads) per request answered, µs: steadier than rates on a shared machine. */
  cpuPerRequestUs: number;
  p50: number;
  p99: number;
  errors: number;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime: fields 14 and 15 of stat, 12 and 13 after the command name, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

async function load(url: string, seconds: number, pid?: number): Promise<Round> {
  const cpuBefore = cpuMs(pid);
  const result = await autocannon({
    url: `${url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: REQUEST,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const cpu = cpuMs(pid) - cpuBefore;
  return {
    requestsPerSecond: result.requests.total / seconds,
    cpuPerRequestUs: (cpu * 1000) / Math.max(1, result.requests.total),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** One round against a fresh server: start it, warm it up (JIT, tokenizer), measure, stop it. */
async function round(start: () => Promise<Server>): Promise<Round> {
  const server = await start();
  try {
    await load(server.url, WARMUP_SECONDS);
    return await load(server.url, SECONDS, server.proc.pid);
  } finally {
    await stop(server);
  }
}

function line(name: string, r: Round): string {
  return `  ${name.padEnd(14)} ${r.requestsPerSecond.toFixed(0).padStart(7)} requests/s   server CPU ${r.cpuPerRequestUs.toFixed(0).padStart(4)} µs/request   latency p50 ${String(r.p50).padStart(4)} ms, p99 ${String(r.p99).padStart(4)} ms${r.errors ? `   ERRORS ${r.errors}` : ''}`;
}

async function throughput(): Promise<void> {
  const baseline = process.argv.includes('--baseline');
  const dir = mkdtempSync(join(tmpdir(), 'bench-throughput-'));
  const bodyFile = join(dir, 'body.json');
  // A real answer of the simulator is the baseline's canned body: the same bytes on the wire.
  const probe = await simulator(await freePort(), 0);
  try {
    const res = await fetch(`${probe.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: REQUEST });
    if (res.status !== 200) throw new Error(`the simulator answered ${res.status}: ${await res.text()}`);
    writeFileSync(bodyFile, await res.text());
  } finally {
    await stop(probe);
  }
  console.log(
    `${MODEL}, latency_scale 0, non-streaming chat (max_tokens ${MAX_TOKENS}, ${readFileSync(bodyFile).length}-byte answer), ` +
      `${CONNECTIONS} keep-alive connections from autocannon in the bench's process, ${ROUNDS} round(s) of ${SECONDS} s after ${WARMUP_SECONDS} s of warm-up`,
  );
  console.log(`  load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs${SERVER_ARGS.length ? `; server flags ${SERVER_ARGS.join(' ')}` : ''}${NODE_ARGS.length ? `; node ${NODE_ARGS.join(' ')}` : ''}`);
  const sim: Round[] = [];
  const bare: Round[] = [];
  const compared: Round[] = [];
  const other = COMPARE ? join(COMPARE, 'dist', 'main.js') : undefined;
  if (other) console.log(`  compared with ${other}`);
  for (let r = 1; r <= ROUNDS; r++) {
    sim.push(await round(async () => simulator(await freePort(), r)));
    console.log(line(`simulator #${r}`, sim[sim.length - 1]));
    if (other) {
      compared.push(await round(async () => simulator(await freePort(), r, other)));
      console.log(line(`compared #${r}`, compared[compared.length - 1]));
    }
    if (baseline) {
      bare.push(await round(async () => bareFastify(await freePort(), bodyFile)));
      console.log(line(`Fastify #${r}`, bare[bare.length - 1]));
    }
  }
  const median = (rounds: Round[]): number => quantile(rounds.map((x) => x.requestsPerSecond), 0.5);
  const cpu = (rounds: Round[]): number => quantile(rounds.map((x) => x.cpuPerRequestUs), 0.5);
  console.log(`  simulator median ${median(sim).toFixed(0)} requests/s, ${cpu(sim).toFixed(0)} µs server CPU per request`);
  if (other) {
    console.log(`  compared median ${median(compared).toFixed(0)} requests/s, ${cpu(compared).toFixed(0)} µs server CPU per request (simulator / compared: rate ${(median(sim) / median(compared)).toFixed(2)}, CPU ${(cpu(sim) / cpu(compared)).toFixed(2)})`);
  }
  if (baseline) {
    const ratios = sim.map((s, i) => s.requestsPerSecond / bare[i].requestsPerSecond);
    console.log(`  bare Fastify median ${median(bare).toFixed(0)} requests/s, ${cpu(bare).toFixed(0)} µs server CPU per request`);
    console.log(`  ratio simulator / bare Fastify: ${(median(sim) / median(bare)).toFixed(2)} (medians); per round ${ratios.map((x) => x.toFixed(2)).join(', ')}`);
  }
  console.log(`  load average after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (CPU_PROF) console.log(`  CPU profiles of the simulator in ${CPU_PROF}`);
}

async function startup(runs = 3): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const t0 = performance.now();
    const server = await spawnServer('simulator', [MAIN, '--port', String(port), '--grpc-port', '-1', '--host', '127.0.0.1'], port);
    times.push(performance.now() - t0);
    server.proc.kill('SIGKILL');
  }
  console.log(`start-up (spawn to /health 200, polled every 20 ms), ${runs} runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
}

(process.argv.includes('--startup') ? startup() : throughput()).catch((err) => {
  console.error(err);
  process.exit(1);
});
