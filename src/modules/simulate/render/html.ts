import { GridDocument, RunDocument, SimulateDocument, SweepDocument } from '../documents';
import { SloMetric, SloStat } from '../slo';
import { barChart, escapeXml, lineChart, Marker } from './svg';
import { headLine, renderGridTable, renderRunTable, renderSweepTable } from './table';

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1600px; padding: 0 16px; color: #111827; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #e5e7eb; }
.sub { color: #4b5563; margin: 0 0 12px; }
pre { background: #f9fafb; border: 1px solid #e5e7eb; padding: 10px; overflow-x: auto; font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg { background: #fff; border: 1px solid #e5e7eb; }
svg .title { font-size: 13px; font-weight: 600; } svg .tick, svg .marker { font-size: 11px; fill: #374151; }
svg .axis-label { font-size: 12px; fill: #374151; } svg .grid { stroke: #e5e7eb; } svg .axis { stroke: #9ca3af; }
`;

function stageMarkers(doc: RunDocument): Marker[] {
  const out: Marker[] = doc.stages.slice(1).map((s) => ({ at: s.start_s, label: `stage ${s.name ?? s.stage}`, role: 'stage' }));
  out.push({ at: doc.drain.start_s, label: 'last arrival', role: 'last-arrival', color: '#111' });
  return out;
}

function runCharts(doc: RunDocument, prefix = ''): string {
  const labels = doc.stages.map((s) => (s.name ? `${s.stage} ${s.name}` : `stage ${s.stage}`));
  const percentiles = (metric: 'ttft_ms' | 'itl_ms' | 'e2e_ms', title: string): string =>
    barChart({
      id: `${prefix}percentiles-${metric.split('_')[0]}`,
      title,
      yLabel: 'ms',
      groups: [...labels, 'overall'],
      series: (['p50', 'p90', 'p99'] as const).map((p) => ({ name: p, values: [...doc.stages, doc.overall].map((s) => s[metric][p]) })),
    });
  const t = doc.timeline;
  const markers = stageMarkers(doc);
  const prefills = doc.disaggregation?.prefill.replicas;
  const engineName = (r: number): string => (prefills === undefined ? `replica ${r}` : r < prefills ? `prefill ${r}` : `decode ${r - prefills}`);
  const kvSeries = t.kv_usage_by_replica
    ? t.kv_usage_by_replica.map((values, r) => ({ name: engineName(r), values: values.map((v) => v * 100) }))
    : [{ name: 'KV cache usage', values: t.kv_usage.map((v) => v * 100) }];
  return (
    `<h2>Latency percentiles per stage</h2><div class="charts">` +
    percentiles('ttft_ms', 'TTFT (time to first token)') +
    percentiles('itl_ms', 'ITL (inter-token latency)') +
    percentiles('e2e_ms', 'E2E (request latency)') +
    `</div><h2>Over simulated time</h2><div class="charts">` +
    lineChart({
      id: `${prefix}timeline-queue`,
      title: `Requests running and waiting${doc.replicas > 1 ? ` (all ${doc.replicas} ${prefills === undefined ? 'replicas' : 'engines of both pools'})` : ''}`,
      xLabel: 'simulated time (s)',
      yLabel: 'requests',
      x: t.t_s,
      series: [
        { name: 'running', values: t.running },
        { name: 'waiting', values: t.waiting },
      ],
      vLines: markers,
    }) +
    lineChart({ id: `${prefix}timeline-kv`, title: 'KV cache usage', xLabel: 'simulated time (s)', yLabel: '% of blocks', x: t.t_s, series: kvSeries, vLines: markers, yMax: 100 }) +
    lineChart({
      id: `${prefix}timeline-throughput`,
      title: 'Output tokens produced per second',
      xLabel: 'simulated time (s)',
      yLabel: 'tokens/s',
      x: t.t_s,
      series: [{ name: 'achieved', values: t.output_tokens_per_s }],
      vLines: markers,
    }) +
    `</div>`
  );
}

function runPage(doc: RunDocument): string {
  return `<h2>Figures</h2><pre>${escapeXml(renderRunTable(doc))}</pre>${runCharts(doc)}`;
}

const STAT_LABEL: Record<SloStat, string> = { mean: 'mean', p50: 'p50', p90: 'p90', p95: 'p95', p99: 'p99' };

function sweepPage(doc: SweepDocument): string {
  const pts = doc.points;
  const rates = pts.map((p) => p.rate);
  const chosen: Marker[] = doc.max_rate === null ? [] : [{ at: doc.max_rate, label: `max rate ${doc.max_rate} req/s`, role: 'chosen', color: '#16a34a' }];
  const targets: { metric: SloMetric; stat: SloStat; ms?: number }[] = doc.slo
    ? doc.slo.split(',').map((t) => {
        const m = /^(ttft|itl|e2e)_(mean|p50|p90|p95|p99)<=?([\d.]+)$/.exec(t)!;
        return { metric: m[1] as SloMetric, stat: m[2] as SloStat, ms: Number(m[3]) };
      })
    : [
        { metric: 'ttft', stat: 'p99' },
        { metric: 'itl', stat: 'p99' },
        { metric: 'e2e', stat: 'p99' },
      ];
  const name = { ttft: 'TTFT', itl: 'ITL', e2e: 'E2E' };
  const curves = targets
    .map((t) =>
      lineChart({
        id: `sweep-${t.metric}-${t.stat}`,
        title: `${name[t.metric]} ${STAT_LABEL[t.stat]} against the request rate`,
        xLabel: 'offered request rate (req/s)',
        yLabel: 'ms',
        x: rates,
        series: [{ name: `${name[t.metric]} ${t.stat}`, values: pts.map((p) => (p.stopped_early && t.metric !== 'ttft' ? Number.NaN : p[`${t.metric}_ms`][t.stat])), dots: true }],
        hLines: t.ms === undefined ? [] : [{ at: t.ms, label: `SLO ${t.ms} ms`, role: 'slo', color: '#dc2626' }],
        vLines: chosen,
      }),
    )
    .join('');
  const throughput = lineChart({
    id: 'sweep-throughput',
    title: 'Achieved against offered rate',
    xLabel: 'offered request rate (req/s)',
    yLabel: 'req/s',
    x: rates,
    series: [
      { name: 'achieved', values: pts.map((p) => p.achieved.requests_per_s), dots: true },
      { name: 'offered', values: rates, dashed: true },
    ],
    vLines: chosen,
  });
  return (
    `<h2>Sweep</h2><pre>${escapeXml(renderSweepTable(doc))}</pre>` +
    `<h2>Sweep curve</h2><div class="charts">${curves}${throughput}</div>` +
    (doc.at_max_rate ? `<h2>At the max rate (${doc.max_rate} req/s)</h2><pre>${escapeXml(renderRunTable(doc.at_max_rate))}</pre>${runCharts(doc.at_max_rate, 'max-rate-')}` : '')
  );
}

function gridPage(doc: GridDocument): string {
  const ok = doc.cells.filter((c) => !c.error);
  const groups = ok.map((c) => `${c.config.gpu} tp${c.config.tensor_parallel_size} s${c.config.max_num_seqs}${c.config.replicas > 1 ? ` x${c.config.replicas}` : ''}`);
  const chart = doc.sweep
    ? barChart({ id: 'grid', title: 'Max request rate per configuration', yLabel: 'req/s', groups, series: [{ name: 'max rate', values: ok.map((c) => c.max_rate ?? 0) }] })
    : barChart({ id: 'grid', title: 'Achieved output tokens per second per configuration', yLabel: 'tokens/s', groups, series: [{ name: 'achieved', values: ok.map((c) => c.achieved?.output_tokens_per_s ?? 0) }] });
  return `<h2>Configurations</h2><pre>${escapeXml(renderGridTable(doc))}</pre><div class="charts">${chart}</div>`;
}

/** One self-contained page (inline CSS and SVG, no script, nothing fetched). */
export function renderHtmlReport(doc: SimulateDocument): string {
  const head = doc.kind === 'grid' ? `${doc.cells.length} configurations` : headLine(doc);
  const body = doc.kind === 'run' ? runPage(doc) : doc.kind === 'sweep' ? sweepPage(doc) : gridPage(doc);
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<title>vllm-simulator simulate: ${escapeXml(doc.source)}</title><style>${STYLE}</style></head><body>` +
    `<h1>vllm-simulator simulate</h1><p class="sub">${escapeXml(doc.source)} · ${escapeXml(head)}</p>${body}</body></html>\n`
  );
}
