import { GridDocument, RunDocument, SimulateDocument, SweepDocument } from '../documents';
import { LatencySummary } from '../latency-summary';

type Cell = string | number | boolean | null | undefined;

/** RFC 4180: quote cells holding a comma, a quote or a line break. */
export function csvLine(cells: readonly Cell[]): string {
  return cells
    .map((c) => {
      const s = c === null || c === undefined ? '' : String(c);
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}

const STATS = ['mean', 'p50', 'p90', 'p95', 'p99'] as const;
const latencyHeaders = (name: string): string[] => STATS.map((s) => `${name}_${s}_ms`);
const latencyCells = (l: LatencySummary | undefined): Cell[] => STATS.map((s) => l?.[s]);

const RUN_HEADERS = [
  'scope', 'id', 'name', 'start_s', 'end_s', 'requests', 'completed', 'rejected',
  'offered_requests_per_s', 'offered_output_tokens_per_s', 'achieved_requests_per_s', 'achieved_output_tokens_per_s', 'goodput_requests_per_s',
  'saturated', 'sustainable_rate', 'slo_met',
  ...latencyHeaders('ttft'), ...latencyHeaders('itl'), ...latencyHeaders('e2e'),
  'mean_running', 'mean_waiting', 'max_waiting', 'mean_kv_usage', 'prefix_hit_rate', 'preemptions',
  // Prefill/decode pools only.
  'achieved_prompt_tokens_per_s', ...latencyHeaders('transfer'), 'transferred_tokens', 'transferred_bytes',
];

/** One row per stage, overall, the drain, each client class, each replica and each prefill/decode pool (a `scope` column says which). */
function runCsv(doc: RunDocument): string {
  const lines = [csvLine(RUN_HEADERS)];
  for (const s of [...doc.stages, doc.overall]) {
    lines.push(csvLine([
      s.stage === 'overall' ? 'overall' : 'stage', s.stage === 'overall' ? '' : s.stage, s.name, s.start_s, s.end_s, s.requests, s.completed, s.rejected,
      s.offered.requests_per_s, s.offered.output_tokens_per_s, s.achieved.requests_per_s, s.achieved.output_tokens_per_s, s.goodput?.requests_per_s,
      s.saturated, s.sustainable_rate, s.slo_met,
      ...latencyCells(s.ttft_ms), ...latencyCells(s.itl_ms), ...latencyCells(s.e2e_ms),
      s.mean_running, s.mean_waiting, s.max_waiting, s.mean_kv_usage, s.prefix_cache.hit_rate, s.preemptions,
    ]));
  }
  const d = doc.drain;
  lines.push(csvLine(['drain', '', '', d.start_s, d.start_s + d.seconds, d.in_flight_at_start, d.completed, '', '', '', d.achieved.requests_per_s, d.achieved.output_tokens_per_s]));
  for (const c of doc.classes ?? []) {
    lines.push(csvLine([
      'class', '', c.name, '', '', c.requests, c.completed, c.rejected, c.offered.requests_per_s, c.offered.output_tokens_per_s, '', '', c.goodput?.requests_per_s,
      '', '', '', ...latencyCells(c.ttft_ms), ...latencyCells(c.itl_ms), ...latencyCells(c.e2e_ms), '', '', '', '', c.prefix_cache.hit_rate, '',
    ]));
  }
  for (const r of doc.per_replica ?? []) {
    lines.push(csvLine([
      'replica', r.replica, '', '', '', r.requests, r.completed, '', '', '', r.achieved.requests_per_s, r.achieved.output_tokens_per_s, '',
      r.saturated, '', '', ...latencyCells(r.ttft_ms), ...latencyCells(r.itl_ms), ...latencyCells(r.e2e_ms),
      r.mean_running, r.mean_waiting, '', r.mean_kv_usage, r.prefix_cache.hit_rate, r.preemptions,
    ]));
  }
  for (const p of doc.pools ?? []) {
    lines.push(csvLine([
      'pool', '', p.pool, '', '', p.requests, p.completed, '', '', '', p.achieved.requests_per_s, p.achieved.output_tokens_per_s, '',
      p.saturated, '', '', ...latencyCells(p.ttft_ms), ...latencyCells(p.itl_ms ?? undefined), ...latencyCells(p.e2e_ms),
      p.mean_running, p.mean_waiting, p.max_waiting, p.mean_kv_usage, p.prefix_cache.hit_rate, p.preemptions,
      p.achieved.prompt_tokens_per_s, ...latencyCells(p.transfer_ms ?? undefined), p.transferred_tokens, p.transferred_bytes,
    ]));
  }
  return `${lines.join('\n')}\n`;
}

/** One row per rate tried; `max_rate` marks the chosen one. */
function sweepCsv(doc: SweepDocument): string {
  const headers = ['rate', 'requests', 'completed', 'achieved_requests_per_s', 'achieved_output_tokens_per_s', 'goodput_requests_per_s', 'saturated', 'sustainable_rate', 'slo_met', 'meets', 'stopped_early', 'max_rate', ...latencyHeaders('ttft'), ...latencyHeaders('itl'), ...latencyHeaders('e2e')];
  const lines = [csvLine(headers)];
  for (const p of doc.points) {
    lines.push(csvLine([
      p.rate, p.requests, p.completed, p.achieved.requests_per_s, p.achieved.output_tokens_per_s, p.goodput?.requests_per_s, p.saturated, p.sustainable_rate, p.slo_met, p.meets, p.stopped_early, p.rate === doc.max_rate,
      ...latencyCells(p.ttft_ms), ...latencyCells(p.itl_ms), ...latencyCells(p.e2e_ms),
    ]));
  }
  return `${lines.join('\n')}\n`;
}

/** One row per configuration. */
function gridCsv(doc: GridDocument): string {
  const headers = ['model', 'gpu', 'tensor_parallel_size', 'max_num_seqs', 'max_num_batched_tokens', 'replicas', 'routing', 'kv_cache_tokens', 'error', 'max_rate', 'sustainable_rate', 'saturated', 'achieved_requests_per_s', 'achieved_output_tokens_per_s', 'goodput_requests_per_s', 'slo_met', ...latencyHeaders('ttft'), ...latencyHeaders('itl'), ...latencyHeaders('e2e')];
  const lines = [csvLine(headers)];
  for (const r of doc.cells) {
    const c = r.config;
    lines.push(csvLine([
      c.model, c.gpu, c.tensor_parallel_size, c.max_num_seqs, c.max_num_batched_tokens, c.replicas, c.routing, c.kv_cache_tokens, r.error, r.max_rate, r.sustainable_rate, r.saturated,
      r.achieved?.requests_per_s, r.achieved?.output_tokens_per_s, r.goodput?.requests_per_s, r.slo_met, ...latencyCells(r.ttft_ms), ...latencyCells(r.itl_ms), ...latencyCells(r.e2e_ms),
    ]));
  }
  return `${lines.join('\n')}\n`;
}

export function renderCsv(doc: SimulateDocument): string {
  switch (doc.kind) {
    case 'run':
      return runCsv(doc);
    case 'sweep':
      return sweepCsv(doc);
    case 'grid':
      return gridCsv(doc);
  }
}
