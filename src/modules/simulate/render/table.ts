import { ConfigFacts, GridDocument, PoolFacts, RunDocument, SimulateDocument, SweepDocument } from '../documents';
import { StageFigures } from '../figures';
import { LatencySummary } from '../latency-summary';

/** Lays out rows under headers; columns listed in `left` are left-aligned, the rest right-aligned. */
export function layout(headers: readonly string[], rows: readonly (readonly string[])[], left: readonly number[] = [0]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (left.includes(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Thousands separators; `digits` decimals. */
export function num(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const ms = (v: number): string => num(v, v < 100 ? 1 : 0);
const pct = (v: number): string => `${num(v * 100, 0)}%`;
const yes = (v: boolean | null | undefined): string => (v === null || v === undefined ? '-' : v ? 'YES' : 'no');

export function headLine(f: ConfigFacts): string {
  const d = f.disaggregation;
  if (d) {
    const pool = (name: string, p: PoolFacts): string =>
      `${name} ${p.replicas} x ${p.gpu} (TP ${p.tensor_parallel_size}${p.replicas > 1 ? `, routing ${p.routing}` : ''}, max_num_seqs ${p.max_num_seqs}, KV cache ${num(p.kv_cache_tokens)} tokens each)`;
    return `${f.model}: ${pool('prefill', d.prefill)} -> ${pool('decode', d.decode)} · KV link ${num(d.kv_transfer_gb_per_s, 1)} GB/s per GPU + ${num(d.kv_transfer_latency_ms, 1)} ms`;
  }
  return (
    `${f.model} on ${f.replicas} x ${f.gpu} (TP ${f.tensor_parallel_size}${f.replicas > 1 ? `, routing ${f.routing}` : ''}) · ` +
    `max_num_seqs ${f.max_num_seqs} · max_num_batched_tokens ${f.max_num_batched_tokens} · KV cache ${num(f.kv_cache_tokens)} tokens per replica`
  );
}

function stageLabel(s: StageFigures): string {
  return s.stage === 'overall' ? 'overall' : s.name ? `${s.stage} ${s.name}` : String(s.stage);
}

function throughputTable(doc: RunDocument): string {
  const withSlo = doc.slo !== null;
  const headers = ['stage', 'window s', 'requests', 'offered req/s', 'achieved req/s', 'offered tok/s', 'achieved tok/s', ...(withSlo ? ['goodput req/s'] : []), 'running', 'waiting', 'KV use', 'prefix hit', 'saturated'];
  const rows = [...doc.stages, doc.overall].map((s) => [
    stageLabel(s),
    `${num(s.start_s)}-${num(s.end_s)}`,
    num(s.requests),
    num(s.offered.requests_per_s, 2),
    num(s.achieved.requests_per_s, 2),
    num(s.offered.output_tokens_per_s, 1),
    num(s.achieved.output_tokens_per_s, 1),
    ...(withSlo ? [num(s.goodput?.requests_per_s, 2)] : []),
    num(s.mean_running, 1),
    num(s.mean_waiting, 1),
    pct(s.mean_kv_usage),
    pct(s.prefix_cache.hit_rate),
    yes(s.saturated),
  ]);
  return layout(headers, rows, [0, 1]);
}

function latencyCells(l: LatencySummary): string[] {
  return [ms(l.mean), ms(l.p50), ms(l.p90), ms(l.p99)];
}

function latencyTable(rows: { label: string; ttft: LatencySummary; itl: LatencySummary; e2e: LatencySummary; extra?: string[] }[], first: string, extraHeaders: string[] = []): string {
  const headers = [first, 'TTFT mean', 'p50', 'p90', 'p99', 'ITL mean', 'p50', 'p90', 'p99', 'E2E mean', 'p50', 'p90', 'p99', ...extraHeaders];
  return layout(headers, rows.map((r) => [r.label, ...latencyCells(r.ttft), ...latencyCells(r.itl), ...latencyCells(r.e2e), ...(r.extra ?? [])]));
}

/** Each pool from its own side (TTFT from reaching the pool; the decode side's includes the KV transfer). */
function poolsTable(doc: RunDocument): string {
  const headers = ['pool', 'replicas', 'requests', 'achieved req/s', 'prompt tok/s', 'output tok/s', 'TTFT p50', 'TTFT p99', 'transfer p50', 'transfer p99', 'ITL p99', 'running', 'waiting', 'KV use', 'prefix hit', 'saturated'];
  const dash = (l: LatencySummary | null, stat: 'p50' | 'p99'): string => (l ? ms(l[stat]) : '-');
  const rows = (doc.pools ?? []).map((p) => [
    p.pool,
    String(p.replicas),
    num(p.requests),
    num(p.achieved.requests_per_s, 2),
    num(p.achieved.prompt_tokens_per_s, 0),
    num(p.achieved.output_tokens_per_s, 1),
    ms(p.ttft_ms.p50),
    ms(p.ttft_ms.p99),
    dash(p.transfer_ms, 'p50'),
    dash(p.transfer_ms, 'p99'),
    dash(p.itl_ms, 'p99'),
    num(p.mean_running, 1),
    num(p.mean_waiting, 1),
    pct(p.mean_kv_usage),
    pct(p.prefix_cache.hit_rate),
    yes(p.saturated),
  ]);
  return `Pools (prefill -> KV transfer -> decode; TTFT in ms from reaching the pool)\n${layout(headers, rows)}`;
}

function notes(doc: RunDocument): string[] {
  const out: string[] = [];
  const d = doc.drain;
  out.push(
    d.seconds > 0
      ? `Drain after the last arrival (${num(d.start_s)} s): ${num(d.seconds, 1)} s to finish ${num(d.in_flight_at_start)} requests in flight; ` +
          `${num(d.completed)} completed, ${num(d.output_tokens)} tokens (${num(d.achieved.requests_per_s, 2)} req/s, ${num(d.achieved.output_tokens_per_s, 1)} tok/s).`
      : `No drain: every request had ended by the last arrival (${num(d.start_s)} s).`,
  );
  for (const s of doc.stages) {
    if (s.saturated) out.push(`Stage ${stageLabel(s)} is saturated (${s.saturation_reason}); the configuration sustains about ${num(s.sustainable_rate, 2)} req/s of this mix (offered: ${num(s.offered.requests_per_s, 2)}).`);
  }
  for (const p of doc.pools ?? []) if (p.saturated) out.push(`The ${p.pool} pool is saturated (${p.saturation_reason}).`);
  if (!doc.saturated) out.push('No stage is saturated.');
  if (doc.slo !== null) {
    const verdicts = doc.stages.map((s) => `${stageLabel(s)} ${s.slo_met ? 'met' : 'missed'}`).join(', ');
    out.push(`SLO ${doc.slo}: ${verdicts}; overall ${doc.overall.slo_met ? 'met' : 'missed'}.`);
  }
  const rejected = doc.overall.rejected;
  if (rejected > 0) out.push(`${num(rejected)} requests were refused when sent (longer than max_model_len ${num(doc.max_model_len)} or the KV cache).`);
  return out;
}

export function renderRunTable(doc: RunDocument): string {
  const parts = [
    headLine(doc),
    `${doc.source}: ${num(doc.overall.requests)} requests; ${num(doc.simulated_seconds, 0)} s simulated in ${num(doc.wall_ms / 1000, 1)} s`,
    '',
    'Throughput (per second of simulated time; achieved = requests completed and tokens produced)',
    throughputTable(doc),
    '',
    'Latency (ms)',
    latencyTable([...doc.stages, doc.overall].map((s) => ({ label: stageLabel(s), ttft: s.ttft_ms, itl: s.itl_ms, e2e: s.e2e_ms })), 'stage'),
  ];
  if (doc.classes) {
    parts.push('', 'Client classes', latencyTable(doc.classes.map((c) => ({ label: c.name, ttft: c.ttft_ms, itl: c.itl_ms, e2e: c.e2e_ms, extra: [num(c.requests), pct(c.prefix_cache.hit_rate)] })), 'class', ['requests', 'prefix hit']));
  }
  if (doc.pools) parts.push('', poolsTable(doc));
  if (doc.per_replica) {
    const headers = ['replica', 'requests', 'achieved req/s', 'achieved tok/s', 'TTFT p99', 'ITL p99', 'E2E p99', 'running', 'waiting', 'KV use', 'prefix hit', 'saturated'];
    const rows = doc.per_replica.map((r) => [
      String(r.replica),
      num(r.requests),
      num(r.achieved.requests_per_s, 2),
      num(r.achieved.output_tokens_per_s, 1),
      ms(r.ttft_ms.p99),
      ms(r.itl_ms.p99),
      ms(r.e2e_ms.p99),
      num(r.mean_running, 1),
      num(r.mean_waiting, 1),
      pct(r.mean_kv_usage),
      pct(r.prefix_cache.hit_rate),
      yes(r.saturated),
    ]);
    parts.push('', `Replicas (${doc.routing})`, layout(headers, rows));
  }
  parts.push('', ...notes(doc));
  return `${parts.join('\n')}\n`;
}

export function renderSweepTable(doc: SweepDocument): string {
  const headers = ['rate req/s', 'achieved req/s', 'achieved tok/s', 'TTFT p50', 'TTFT p99', 'ITL p50', 'ITL p99', 'E2E p99', 'saturated', 'SLO', ''];
  const rows = doc.points.map((p) => [
    num(p.rate, 3),
    num(p.achieved.requests_per_s, 2),
    num(p.achieved.output_tokens_per_s, 1),
    ms(p.ttft_ms.p50),
    ms(p.ttft_ms.p99),
    ms(p.itl_ms.p50),
    ms(p.itl_ms.p99),
    p.stopped_early ? '(stopped)' : ms(p.e2e_ms.p99),
    yes(p.saturated),
    p.slo_met === null ? '-' : p.slo_met ? 'met' : 'missed',
    p.rate === doc.max_rate ? '<- max rate' : '',
  ]);
  const parts = [
    headLine(doc),
    `${doc.source}: sweep ${doc.slo ? `under SLO ${doc.slo}` : 'for the highest rate that does not saturate (no SLO given)'}; ${doc.points.length} rates in ${num(doc.wall_ms / 1000, 1)} s`,
    '',
    layout(headers, rows, [10]),
    '',
    doc.max_rate === null ? 'No rate tried meets the SLO.' : `Max rate: ${num(doc.max_rate, 3)} req/s${doc.slo ? ' meeting the SLO' : ' without saturating'}.`,
  ];
  if (doc.sustainable_rate !== null) parts.push(`Saturated rates say the configuration sustains about ${num(doc.sustainable_rate, 2)} req/s of this mix.`);
  if (doc.note) parts.push(`Note: ${doc.note}.`);
  const plan = doc.replicas_plan;
  if (plan) {
    const checks = plan.checks.map((c) => `${c.replicas} ${c.meets ? 'met' : 'missed'}`).join(', ');
    parts.push(
      plan.replicas_needed === null
        ? `Replicas for ${num(plan.target_rate, 2)} req/s: not found (${plan.note}).`
        : `Replicas for ${num(plan.target_rate, 2)} req/s: ${plan.replicas_needed} (${doc.routing}; cluster checked at the target rate: ${checks}).`,
    );
  }
  return `${parts.join('\n')}\n`;
}

export function renderGridTable(doc: GridDocument): string {
  const configHeaders = ['model', 'gpu', 'tp', 'max_num_seqs', 'replicas', 'routing'];
  const resultHeaders = doc.sweep ? ['max rate req/s', 'sustainable req/s'] : ['achieved req/s', 'achieved tok/s', 'TTFT p99', 'ITL p99', 'E2E p99', 'saturated', ...(doc.slo ? ['SLO'] : [])];
  const errors: string[] = [];
  const rows = doc.cells.map((row) => {
    const c = row.config;
    const head = [c.model, c.gpu, String(c.tensor_parallel_size), num(c.max_num_seqs), String(c.replicas), c.routing];
    if (row.error) {
      errors.push(`[${errors.length + 1}] ${c.model} on ${c.gpu} (TP ${c.tensor_parallel_size}): ${row.error}`);
      return [...head, `cannot run [${errors.length}]`];
    }
    if (doc.sweep) return [...head, num(row.max_rate, 3), num(row.sustainable_rate, 2)];
    return [
      ...head,
      num(row.achieved?.requests_per_s, 2),
      num(row.achieved?.output_tokens_per_s, 1),
      ms(row.ttft_ms!.p99),
      ms(row.itl_ms!.p99),
      ms(row.e2e_ms!.p99),
      yes(row.saturated),
      ...(doc.slo ? [row.slo_met ? 'met' : 'missed'] : []),
    ];
  });
  const table = layout([...configHeaders, ...resultHeaders], rows, [0, 1, 5]);
  return `${doc.source}: ${doc.cells.length} configurations${doc.sweep ? `, each swept${doc.slo ? ` under SLO ${doc.slo}` : ''}` : ''} in ${num(doc.wall_ms / 1000, 1)} s\n\n${table}\n${errors.length > 0 ? `\n${errors.join('\n')}\n` : ''}`;
}

export function renderTable(doc: SimulateDocument): string {
  switch (doc.kind) {
    case 'run':
      return renderRunTable(doc);
    case 'sweep':
      return renderSweepTable(doc);
    case 'grid':
      return renderGridTable(doc);
  }
}
