/**
 * Clients that open a stream and never read it: the server's memory while they stall.
 *
 *   npm run bench:stalled-readers [-- --clients 100 --seconds 40 --max-tokens 4000]
 *
 * Starts the simulator in its own process (Mistral-7B on H100 by default, --gpu-type to change; real timing), opens N streaming chat
 * requests on raw sockets that never read, and prints the server's resident memory (VmRSS) every
 * few seconds, its growth per stalled client, and what a reading client still gets meanwhile.
 *
 * `--read` makes the same clients read as they come: the baseline (what generating costs anyway).
 *
 *   npm run bench:stalled-readers -- --streams 5000
 *
 * instead opens N streams that do read and prints how long each took to get its response headers
 * (a queued request gets them at once).
 */
import { readFileSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { cleanEnv, freePort, spawnSimulator, waitForHttp } from '../test/support/child';
import { numberArg, quantile } from './support/server';

const CLIENTS = numberArg('clients', 100);
const SECONDS = numberArg('seconds', 40);
const MAX_TOKENS = numberArg('max-tokens', 4000);
const STREAMS = numberArg('streams', 0);
/** The same streams read as they come: the baseline a stalled client is compared with. */
const READ = process.argv.includes('--read');
const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';
const GPU = process.argv.includes('--gpu-type') ? process.argv[process.argv.indexOf('--gpu-type') + 1] : 'NVIDIA-H100';

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function streamRequest(maxTokens: number): string {
  const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Tell me a long story' }], max_tokens: maxTokens, ignore_eos: true, stream: true });
  return `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function stalled(port: number, pid: number): Promise<void> {
  await sleep(1000);
  const before = rssMiB(pid);
  const sockets: Socket[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const s = await open(port);
    s.on('error', () => undefined);
    if (READ) s.on('data', () => undefined);
    else s.pause(); // never reads
    s.write(streamRequest(MAX_TOKENS));
    sockets.push(s);
  }
  console.log(`${CLIENTS} streams that ${READ ? 'read as they come (baseline)' : 'never read'} (max_tokens ${MAX_TOKENS}, ${GPU}); server RSS before: ${before.toFixed(1)} MiB`);
  console.log('   t (s)   RSS MiB   growth/client KiB   a reading client: TTFT ms');
  const t0 = performance.now();
  while ((performance.now() - t0) / 1000 < SECONDS) {
    await sleep(5000);
    const rss = rssMiB(pid);
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, stream: true }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    const ttft = performance.now() - started;
    await reader.cancel();
    console.log(`${((performance.now() - t0) / 1000).toFixed(0).padStart(8)} ${rss.toFixed(1).padStart(9)} ${(((rss - before) * 1024) / CLIENTS).toFixed(1).padStart(19)} ${ttft.toFixed(0).padStart(26)}`);
  }
  for (const s of sockets) s.destroy();
}

async function manyStreams(port: number): Promise<void> {
  const waits: number[] = [];
  let noHeaders = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: STREAMS }, async () => {
      const started = performance.now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 40_000);
      let res: Response;
      try {
        res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 50, ignore_eos: true, stream: true }),
          signal: controller.signal,
        });
      } catch {
        noHeaders++;
        return;
      } finally {
        clearTimeout(timer);
      }
      waits.push(performance.now() - started);
      await res.arrayBuffer();
    }),
  );
  console.log(`${STREAMS} concurrent streams: headers after p50 ${quantile(waits, 0.5).toFixed(0)} ms, p99 ${quantile(waits, 0.99).toFixed(0)} ms, max ${Math.max(...waits).toFixed(0)} ms; no headers within 40 s: ${noHeaders}; all done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const port = await freePort();
  // An H100's KV cache holds every stalled stream's context, so what is measured is the streams, not preemption.
  const sim = spawnSimulator(['--port', String(port), '--grpc-port', '-1', '--host', '127.0.0.1', '--log-level', 'error', '--seed', '7', '--gpu-type', GPU], cleanEnv());
  try {
    await waitForHttp(sim, `http://127.0.0.1:${port}/health`);
    if (STREAMS > 0) await manyStreams(port);
    else await stalled(port, sim.proc.pid!);
  } finally {
    sim.kill('SIGKILL');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
