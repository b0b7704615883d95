/**
 * The long fuzz: thousands of malformed, oversized and adversarial requests to every route and
 * to gRPC Generate, against the server in its own process, with /health polled throughout.
 *
 *   npm run bench:fuzz [-- --requests 3000 --grpc 300 --concurrency 8 --seed 13]
 *
 * Prints, per kind of request, how many were sent, the statuses they got and the slowest answer;
 * the rule breaks (a 5xx, an error not in vLLM's shape, a gRPC server-side status); and the slowest
 * /health answer while the fuzz ran, which is how long the server's event loop was held at most.
 */
import { Random } from '../src/common/random';
import { cleanEnv, freePort, spawnSimulator, waitForHttp } from '../test/support/child';
import { FuzzRequest, fuzzGenerate, fuzzRequest, fuzzRoutes, sendFuzz, sendGenerate, watchHealth } from '../test/support/fuzz';
import { clientsFor } from '../test/support/grpc';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberArg, quantile } from './support/server';

const REQUESTS = numberArg('requests', 3000);
const GRPC = numberArg('grpc', 300);
const CONCURRENCY = numberArg('concurrency', 8);
const SEED = numberArg('seed', 13);

interface KindStats {
  sent: number;
  statuses: Map<number, number>;
  ms: number[];
}

async function main(): Promise<void> {
  const [port, grpcPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'bench-fuzz-'));
  const patterns = join(dir, 'responses.yaml');
  copyFileSync(join(__dirname, '..', 'config', 'responses.yaml'), patterns);
  const sim = spawnSimulator(
    ['--port', String(port), '--grpc-port', String(grpcPort), '--host', '127.0.0.1', '--latency-scale', '0', '--seed', '7', '--log-level', 'error', '--responses-file', patterns],
    cleanEnv(),
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(sim, `${base}/health`);
    const r = new Random(SEED);
    const routes = fuzzRoutes((await (await fetch(`${base}/openapi.json`)).json()) as Parameters<typeof fuzzRoutes>[0]);
    const kinds = new Map<string, KindStats>();
    const problems: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < REQUESTS) {
        next++;
        const req: FuzzRequest = fuzzRequest(r, routes);
        const out = await sendFuzz(base, req);
        const k: KindStats = kinds.get(req.kind) ?? { sent: 0, statuses: new Map<number, number>(), ms: [] };
        kinds.set(req.kind, k);
        k.sent++;
        k.statuses.set(out.status, (k.statuses.get(out.status) ?? 0) + 1);
        k.ms.push(out.ms);
        if (out.problem) problems.push(`${req.method} ${req.path} [${req.kind}] -> ${out.problem}`);
      }
    };
    const started = performance.now();
    const http = await watchHealth(base, Promise.all(Array.from({ length: CONCURRENCY }, worker)));
    const httpSeconds = (performance.now() - started) / 1000;

    const c = clientsFor(grpcPort);
    const codes = new Map<number, number>();
    let sentGrpc = 0;
    const grpcWorker = async (): Promise<void> => {
      while (sentGrpc < GRPC) {
        sentGrpc++;
        const req = fuzzGenerate(r);
        const out = await sendGenerate(c.engine, req);
        codes.set(out.code, (codes.get(out.code) ?? 0) + 1);
        if (out.problem) problems.push(`gRPC ${JSON.stringify(req).slice(0, 120)} -> ${out.problem}`);
      }
    };
    const grpcRun = await watchHealth(base, Promise.all(Array.from({ length: CONCURRENCY }, grpcWorker)));
    Object.values(c).forEach((client) => client.close());

    console.log(`fuzz: ${REQUESTS} HTTP requests (${CONCURRENCY} at a time, seed ${SEED}) in ${httpSeconds.toFixed(1)} s, ${GRPC} gRPC Generate calls`);
    console.log('kind                  sent  statuses                                  p50 ms   max ms');
    for (const [kind, k] of [...kinds.entries()].sort((a, b) => b[1].sent - a[1].sent)) {
      const statuses = [...k.statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ');
      console.log(`${kind.padEnd(20)} ${String(k.sent).padStart(5)}  ${statuses.padEnd(40)} ${quantile(k.ms, 0.5).toFixed(1).padStart(6)} ${Math.max(...k.ms).toFixed(1).padStart(8)}`);
    }
    console.log(`gRPC statuses: ${[...codes.entries()].map(([code, n]) => `${code}×${n}`).join(' ')}`);
    console.log(`slowest /health while fuzzing: HTTP ${http.slowestMs.toFixed(1)} ms, gRPC ${grpcRun.slowestMs.toFixed(1)} ms; /health failures: ${http.failures + grpcRun.failures}`);
    console.log(`rule breaks: ${problems.length}`);
    for (const p of problems.slice(0, 20)) console.log(`  ${p}`);
    process.exitCode = problems.length > 0 ? 1 : 0;
  } finally {
    sim.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
