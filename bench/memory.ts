/**
 * Server memory per open stream: what a queued stream (accepted, waiting in the engine's queue) and
 * an active stream (scheduled, its tokens flowing to a reading client) cost the server.
 *
 *   npm run build && npm run bench:memory [-- --queued 1000 --active 512 --max-tokens 256,4000 --active-latency-scale 10 --model M --gpu-type G
 *     --snapshot DIR]
 *
 * The server is `node dist/main.js` in its own process, started with --expose-gc and a preload
 * (bench/support/memory-probe.js) that collects garbage and reports process.memoryUsage() on
 * request; the clients are raw sockets in this process. For each kind, on a fresh server:
 *   1. warm-up: the same number of streams once (JIT, lazy caches, pools reach their working size);
 *   2. baseline after a full GC;
 *   3. N streams opened and held (queued: the engine runs one blocker at --max-num-seqs 1 and the N
 *      wait behind it; active: --max-num-seqs N, every stream running and read by its client);
 *   4. once /metrics shows all N waiting (or running, with tokens flowing), a full GC and the figures:
 *      heap used, external + array buffers, RSS, each as the delta over the baseline / N;
 *   5. the streams closed, a full GC: what is left over the baseline (a leak would show here).
 * A reply is planned whole (token ids and their text) when its request is accepted, so memory per
 * stream grows with max_tokens: each kind is measured at every --max-tokens length and the summary
 * splits the heap into a part per planned token and the rest. The active figures are taken twice,
 * --settle seconds apart, with the events per stream at each. With --snapshot, heap snapshots of the
 * baseline and of the held streams are written (and the RSS figures after them are meaningless).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { connect, Socket } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL } from '../src/config/settings';
import { freePort, pollUntil } from '../test/support/child';
import { numberArg, stringArg } from './support/server';

const QUEUED = numberArg('queued', 1000);
const ACTIVE = numberArg('active', 512);
const SETTLE_SECONDS = numberArg('settle', 5);
/** Reply lengths (max_tokens with ignore_eos): a reply is planned whole when it is accepted, so memory grows with it. */
const MAX_TOKENS = (stringArg('max-tokens') ?? '256,4000').split(',').map(Number);
/** Active streams run at this latency scale, so that short replies are still running when measured. */
const ACTIVE_LATENCY_SCALE = numberArg('active-latency-scale', 10);
const MODEL = stringArg('model') ?? DEFAULT_MODEL;
// An H100's KV cache holds hundreds of long streams: the active figure is the streams, not preemption.
const GPU = stringArg('gpu-type') ?? 'NVIDIA-H100';
const ROOT = join(__dirname, '..');
/** Heap snapshots of the baseline and of the streams held open go there (a directory). */
const SNAPSHOT_DIR = stringArg('snapshot');
const TARGET_QUEUED_KB = 30;
const TARGET_ACTIVE_KB = 60;

type Memory = NodeJS.MemoryUsage;

interface Server {
  proc: ChildProcess;
  port: number;
  measure(): Promise<Memory>;
  /** Writes a heap snapshot to --snapshot DIR (if given) named after `label`. */
  snapshot(label: string): Promise<void>;
}

async function startServer(maxNumSeqs: number, latencyScale = 1): Promise<Server> {
  const port = await freePort();
  const args = ['--expose-gc', '-r', join(__dirname, 'support', 'memory-probe.js'), join(ROOT, 'dist', 'main.js')];
  args.push('serve', MODEL, '--gpu-type', GPU, '--port', String(port), '--grpc-port', '-1', '--host', '127.0.0.1', '--log-level', 'warning', '--seed', '7');
  args.push('--max-num-seqs', String(maxNumSeqs), '--latency-scale', String(latencyScale));
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  await pollUntil(
    'the server to answer /health',
    async () => {
      if (proc.exitCode !== null) throw new Error(`the server exited ${proc.exitCode}:\n${out}`);
      return fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => (r.status === 200 ? true : undefined),
        () => undefined,
      );
    },
    60_000,
    20,
  );
  const measure = (): Promise<Memory> =>
    new Promise((resolve) => {
      proc.once('message', (m: { memory: Memory }) => resolve(m.memory));
      proc.send('measure');
    });
  const snapshot = async (label: string): Promise<void> => {
    if (!SNAPSHOT_DIR) return;
    const file = await new Promise<string>((resolve) => {
      proc.once('message', (m: { snapshot: string }) => resolve(m.snapshot));
      proc.send({ snapshot: join(SNAPSHOT_DIR, `${label}.heapsnapshot`) });
    });
    console.log(`  heap snapshot ${file}`);
  };
  return { proc, port, measure, snapshot };
}

function streamRequest(maxTokens: number): string {
  const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Tell me a long story about a lighthouse keeper.' }], max_tokens: maxTokens, ignore_eos: true, stream: true });
  return `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** A streaming client on a raw socket that reads everything and counts the SSE events it got. */
interface Client {
  socket: Socket;
  events: number;
  ended: Promise<void>;
}

function openStream(port: number, maxTokens: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let done!: () => void;
    const client: Client = { socket, events: 0, ended: new Promise<void>((r) => (done = r)) };
    socket.setNoDelay(true);
    socket.on('data', (b: Buffer) => {
      // Approximate (an event split across reads counts once or not at all): only for "tokens flow".
      for (let i = b.indexOf('data: '); i >= 0; i = b.indexOf('data: ', i + 6)) client.events++;
    });
    socket.once('close', () => done());
    socket.once('error', () => undefined);
    socket.once('connect', () => {
      socket.write(streamRequest(maxTokens));
      resolve(client);
    });
    socket.once('error', reject);
  });
}

async function openStreams(port: number, n: number, maxTokens: number): Promise<Client[]> {
  const clients: Client[] = [];
  // A few at a time: thousands of simultaneous connects would measure the accept backlog instead.
  for (let i = 0; i < n; i += 32) clients.push(...(await Promise.all(Array.from({ length: Math.min(32, n - i) }, () => openStream(port, maxTokens)))));
  return clients;
}

async function gauge(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

function until(what: string, check: () => Promise<boolean>): Promise<true> {
  return pollUntil(what, async () => ((await check()) ? true : undefined), 120_000, 100);
}

async function closeAll(port: number, clients: Client[]): Promise<void> {
  for (const c of clients) c.socket.destroy();
  await Promise.all(clients.map((c) => c.ended));
  await until('the engine to drop the closed streams', async () => (await gauge(port, 'vllm:num_requests_waiting')) + (await gauge(port, 'vllm:num_requests_running')) <= 1);
}

const kib = (bytes: number): string => (bytes / 1024).toFixed(1);

interface PerStream {
  heap: number;
  rss: number;
}

function report(label: string, base: Memory, now: Memory, n: number): PerStream {
  const heap = (now.heapUsed - base.heapUsed) / n;
  const external = (now.external + now.arrayBuffers - base.external - base.arrayBuffers) / n;
  const rss = (now.rss - base.rss) / n;
  console.log(`  ${label.padEnd(40)} heap ${kib(heap).padStart(7)}   external+buffers ${kib(external).padStart(6)}   RSS ${kib(rss).padStart(7)} KiB per stream`);
  return { heap, rss };
}


async function queued(maxTokens: number): Promise<PerStream> {
  const server = await startServer(1);
  try {
    // The blocker: the one running request that the N queue behind, open for the whole measurement.
    const blocker = await openStream(server.port, 30_000);
    await until('the blocker to run', async () => (await gauge(server.port, 'vllm:num_requests_running')) === 1);
    const warm = await openStreams(server.port, QUEUED, maxTokens);
    await until(`${QUEUED} waiting requests (warm-up)`, async () => (await gauge(server.port, 'vllm:num_requests_waiting')) === QUEUED);
    await closeAll(server.port, warm);
    const base = await server.measure();
    await server.snapshot('queued-baseline');
    const clients = await openStreams(server.port, QUEUED, maxTokens);
    await until(`${QUEUED} waiting requests`, async () => (await gauge(server.port, 'vllm:num_requests_waiting')) === QUEUED);
    const held = await server.measure();
    await server.snapshot('queued-held');
    console.log(`${QUEUED} queued streams of max_tokens ${maxTokens} (--max-num-seqs 1 behind one running stream), ${MODEL} on ${GPU}; baseline heap ${kib(base.heapUsed)} KiB, RSS ${kib(base.rss)} KiB`);
    const perStream = report('held open, queued', base, held, QUEUED);
    await closeAll(server.port, clients);
    report('closed again (left over)', base, await server.measure(), QUEUED);
    blocker.socket.destroy();
    return perStream;
  } finally {
    server.proc.kill('SIGKILL');
  }
}

async function active(maxTokens: number): Promise<PerStream> {
  const server = await startServer(ACTIVE, ACTIVE_LATENCY_SCALE);
  try {
    // Warm-up: the same number of streams, to their end.
    const warm = await openStreams(server.port, ACTIVE, 20);
    await Promise.all(warm.map((c) => c.ended));
    await until('the warm-up to end', async () => (await gauge(server.port, 'vllm:num_requests_running')) === 0);
    const base = await server.measure();
    await server.snapshot('active-baseline');
    const clients = await openStreams(server.port, ACTIVE, maxTokens);
    await until(`${ACTIVE} running requests`, async () => (await gauge(server.port, 'vllm:num_requests_running')) === ACTIVE);
    await until('tokens on every stream', async () => clients.every((c) => c.events >= 10));
    const tokens = (): string => (clients.reduce((s, c) => s + c.events, 0) / clients.length).toFixed(0);
    console.log(`${ACTIVE} active streams of max_tokens ${maxTokens} (--max-num-seqs ${ACTIVE}, latency scale ${ACTIVE_LATENCY_SCALE}, each read by its client), ${MODEL} on ${GPU}; baseline heap ${kib(base.heapUsed)} KiB, RSS ${kib(base.rss)} KiB`);
    const first = report(`running, ~${tokens()} events per stream`, base, await server.measure(), ACTIVE);
    await server.snapshot('active-held');
    await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
    report(`running, ~${tokens()} events per stream`, base, await server.measure(), ACTIVE);
    await closeAll(server.port, clients);
    report('closed again (left over)', base, await server.measure(), ACTIVE);
    return first;
  } finally {
    server.proc.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  console.log(`server memory per stream (KiB = 1024 bytes), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);
  const results: Array<{ kind: string; maxTokens: number; perStream: PerStream; targetKb: number }> = [];
  for (const maxTokens of MAX_TOKENS) {
    if (QUEUED > 0) results.push({ kind: 'queued', maxTokens, perStream: await queued(maxTokens), targetKb: TARGET_QUEUED_KB });
    if (ACTIVE > 0) results.push({ kind: 'active', maxTokens, perStream: await active(maxTokens), targetKb: TARGET_ACTIVE_KB });
  }
  console.log('summary (heap after GC is the steady figure; RSS also moves with pages the heap keeps after a collection):');
  for (const r of results) {
    const heap = r.perStream.heap / 1024;
    console.log(
      `  ${r.kind.padEnd(7)} max_tokens ${String(r.maxTokens).padStart(5)}: heap ${heap.toFixed(1).padStart(6)} KiB, RSS ${(r.perStream.rss / 1024).toFixed(1).padStart(6)} KiB per stream; target <= ${r.targetKb} KB (heap): ${heap * 1.024 <= r.targetKb ? 'met' : 'NOT met'}`,
    );
  }
  for (const kind of ['queued', 'active']) {
    const rows = results.filter((r) => r.kind === kind).sort((a, b) => a.maxTokens - b.maxTokens);
    if (rows.length < 2) continue;
    const [short, long] = [rows[0], rows[rows.length - 1]];
    const perToken = (long.perStream.heap - short.perStream.heap) / (long.maxTokens - short.maxTokens);
    console.log(`  ${kind}: ${perToken.toFixed(1)} bytes of heap per planned reply token; ${((short.perStream.heap - perToken * short.maxTokens) / 1024).toFixed(1)} KiB per stream besides`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
