/**
 * Requests per second at latency_scale 0 (the server's own overhead: HTTP, validation, tokenizing,
 * reply planning, engine bookkeeping) and start-up time of the built server.
 *
 *   npm run bench:throughput [-- --clients 32 --seconds 10 --max-tokens 16] [--startup]
 *
 * Throughput: the server in this process; N closed-loop clients (each sends its next non-streaming
 * chat completion when the previous answers) in the same process for a fixed time.
 * Start-up (--startup, needs `npm run build` first): spawns `node dist/main.js --port 0 --grpc-port -1`
 * and times until /health answers 200 (the port is read from the log line).
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bootServer, mean, quantile, numberArg } from './support/server';

const CLIENTS = numberArg('clients', 32);
const SECONDS = numberArg('seconds', 10);
const MAX_TOKENS = numberArg('max-tokens', 16);

async function throughput(): Promise<void> {
  const { server, settings } = await bootServer({ latency_scale: 0 });
  const body = JSON.stringify({ model: settings.model, messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: MAX_TOKENS });
  const call = async (): Promise<number> => {
    const t = performance.now();
    const res = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.json();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    return performance.now() - t;
  };
  try {
    for (let i = 0; i < 200; i++) await call(); // warm-up: tokenizer, JIT
    const latencies: number[] = [];
    const end = performance.now() + SECONDS * 1000;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < end) latencies.push(await call());
      }),
    );
    const elapsed = (performance.now() - start) / 1000;
    console.log(`${settings.model}, latency_scale 0, ${CLIENTS} closed-loop clients, non-streaming chat, max_tokens ${MAX_TOKENS}, ${elapsed.toFixed(1)} s`);
    console.log(
      `  ${(latencies.length / elapsed).toFixed(0)} requests/s; latency mean ${mean(latencies).toFixed(2)} ms, p50 ${quantile(latencies, 0.5).toFixed(2)}, p99 ${quantile(latencies, 0.99).toFixed(2)} ms`,
    );
  } finally {
    await server.shutdown(0);
  }
}

async function startup(runs = 3): Promise<void> {
  const main = join(__dirname, '..', 'dist', 'main.js');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const child = spawn(process.execPath, [main, '--port', '0', '--grpc-port', '-1', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let log = '';
        const onData = (b: Buffer): void => {
          log += b.toString();
          const m = /Starting vLLM API server 0 on http:\/\/[^\s]*:(\d+)/.exec(log);
          if (m) resolve(Number(m[1]));
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${log}`)));
      });
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      times.push(performance.now() - t0);
    } finally {
      child.kill('SIGKILL');
    }
  }
  console.log(`start-up (spawn to /health 200), ${runs} runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
}

(process.argv.includes('--startup') ? startup() : throughput()).catch((err) => {
  console.error(err);
  process.exit(1);
});
