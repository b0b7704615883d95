/**
 * Speed of `vllm-simulator simulate` (the offline planner), in this process so Node's start-up is
 * not counted: wall time per run and per simulated request for the example workloads, a one-hour
 * workload of ~10k requests, a sweep of the default model on L4, a routed cluster, prefill/decode
 * pools; the saturated run's sustainable-rate estimate against the rate the sweep finds; and the P/D
 * run's headline figures against the same GPUs serving whole requests.
 *
 *   npm run bench:simulate [-- --repeat N]
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { RunDocument, SweepDocument } from '../src/modules/simulate/documents';
import { runSimulate } from '../src/modules/simulate/simulate-command';

type Doc = RunDocument | SweepDocument;

interface Case {
  name: string;
  args: string[];
}

const CASES: Case[] = [
  { name: 'examples/workload.yaml (3 stages, saturating)', args: ['--workload', 'examples/workload.yaml'] },
  { name: 'examples/hour.yaml (one hour, ~10k requests)', args: ['--workload', 'examples/hour.yaml'] },
  { name: 'examples/chat-sessions.yaml (conversations, 2 classes)', args: ['--workload', 'examples/chat-sessions.yaml'] },
  { name: 'chat-sessions, 4 replicas, prefix_aware', args: ['--workload', 'examples/chat-sessions.yaml', '--replicas', '4', '--routing', 'prefix_aware'] },
  { name: 'examples/pd.yaml (P/D: 2 prefill + 1 decode L4)', args: ['--workload', 'examples/pd.yaml'] },
  { name: 'examples/trace-mooncake.jsonl (trace replay)', args: ['--trace', 'examples/trace-mooncake.jsonl'] },
  { name: 'sweep: examples/workload.yaml (default model, L4)', args: ['--workload', 'examples/workload.yaml', '--sweep'] },
  { name: 'sweep under an SLO: examples/hour.yaml', args: ['--workload', 'examples/hour.yaml', '--sweep'] },
];

async function json(args: string[]): Promise<{ doc: Doc; wallMs: number }> {
  let out = '';
  let err = '';
  const start = performance.now();
  const code = await runSimulate([...args, '--format', 'json', '--no-progress'], { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } });
  const wallMs = performance.now() - start;
  if (code !== 0) throw new Error(`simulate ${args.join(' ')} exited ${code}: ${err}`);
  return { doc: { ...(JSON.parse(out) as Doc), kind: args.includes('--sweep') ? 'sweep' : 'run' } as Doc, wallMs };
}

function simulatedRequests(doc: Doc): number {
  return doc.kind === 'sweep' ? doc.points.reduce((s, p) => s + p.requests, 0) : doc.overall.requests;
}

async function main(): Promise<void> {
  const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1] ?? 1) || 1;
  console.log(`simulate, in process, best of ${repeat} (Node ${process.version})\n`);
  console.log(`${'case'.padEnd(58)} ${'wall s'.padStart(7)} ${'requests'.padStart(9)} ${'sim s'.padStart(8)} ${'µs/request'.padStart(11)}  notes`);
  const results = new Map<string, Doc>();
  for (const c of CASES) {
    let best = Infinity;
    let doc: Doc | undefined;
    for (let i = 0; i < repeat; i++) {
      const r = await json(c.args);
      if (r.wallMs < best) [best, doc] = [r.wallMs, r.doc];
    }
    if (!doc) continue;
    results.set(c.name, doc);
    const n = simulatedRequests(doc);
    const simulated = doc.kind === 'sweep' ? '-' : String(Math.round(doc.simulated_seconds));
    const notes = doc.kind === 'sweep' ? `${doc.points.length} rates, max_rate ${doc.max_rate} req/s${doc.slo ? ` (SLO ${doc.slo})` : ''}` : `saturated: ${doc.saturated}`;
    console.log(`${c.name.padEnd(58)} ${(best / 1000).toFixed(2).padStart(7)} ${String(n).padStart(9)} ${simulated.padStart(8)} ${((best * 1000) / n).toFixed(0).padStart(11)}  ${notes}`);
  }
  const run = results.get(CASES[0].name) as RunDocument;
  const sweep = results.get(CASES.find((c) => c.name.startsWith('sweep: '))!.name) as SweepDocument;
  const maxRate = sweep.max_rate ?? Number.NaN;
  console.log('\nSustainable-rate estimate (saturated run) vs the sweep\'s max rate (examples/workload.yaml):');
  const diff = (v: number | null): string => (v === null ? '-' : `${((100 * (v - maxRate)) / maxRate).toFixed(1)} %`);
  for (const s of run.stages.filter((st) => st.saturated)) console.log(`  stage ${s.stage}: ${s.sustainable_rate} req/s vs ${maxRate} req/s: ${diff(s.sustainable_rate)}`);
  console.log(`  run (longest saturated stage): ${run.sustainable_rate} req/s: ${diff(run.sustainable_rate)}`);
  console.log(`  sweep's own estimate (median over its saturated rates): ${sweep.sustainable_rate} req/s`);
  await disaggregated(results.get(CASES.find((c) => c.name.startsWith('examples/pd.yaml'))!.name) as RunDocument);
}

/** The P/D run's headline figures, and the same workload on as many GPUs serving whole requests. */
async function disaggregated(pd: RunDocument): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-simulate-'));
  try {
    const spec = parseYaml(readFileSync('examples/pd.yaml', 'utf8')) as Record<string, unknown>;
    delete spec.disaggregation;
    const file = join(dir, 'aggregated.yaml');
    writeFileSync(file, toYaml({ ...spec, replicas: pd.replicas, routing: 'prefix_aware' }));
    const { doc, wallMs } = await json(['--workload', file]);
    const together = doc as RunDocument;
    const line = (name: string, d: RunDocument, ms: number): string =>
      `  ${name.padEnd(40)} ${(ms / 1000).toFixed(2).padStart(6)} s  TTFT p50/p99 ${d.overall.ttft_ms.p50.toFixed(0)}/${d.overall.ttft_ms.p99.toFixed(0)} ms  ` +
      `ITL p50/p99 ${d.overall.itl_ms.p50.toFixed(1)}/${d.overall.itl_ms.p99.toFixed(1)} ms  ${d.overall.achieved.output_tokens_per_s} tok/s  saturated ${d.saturated}  SLO ${d.overall.slo_met ? 'met' : 'missed'}`;
    console.log(`\nPrefill/decode pools against the same ${pd.replicas} GPUs serving whole requests (examples/pd.yaml, SLO ${pd.slo}):`);
    console.log(line('P/D: 2 prefill + 1 decode', pd, pd.wall_ms));
    console.log(line(`${pd.replicas} replicas, prefix_aware`, together, wallMs));
    for (const p of pd.pools ?? []) {
      const transfer = p.transfer_ms ? `  transfer p50/p99 ${p.transfer_ms.p50.toFixed(1)}/${p.transfer_ms.p99.toFixed(1)} ms` : '';
      console.log(`    ${p.pool.padEnd(8)} TTFT p50/p99 ${p.ttft_ms.p50.toFixed(0)}/${p.ttft_ms.p99.toFixed(0)} ms${transfer}  running ${p.mean_running}  KV ${(100 * p.mean_kv_usage).toFixed(0)} %  saturated ${p.saturated}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
