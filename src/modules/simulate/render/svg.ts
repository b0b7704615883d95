/** Small inline-SVG charts for the HTML report: no library, no network, readable source. */

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number((Math.round(v / step) * step).toPrecision(12)));
  return ticks;
}

function label(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  return String(Math.round(v * 1000) / 1000);
}

const W = 760;
const H = 280;
const M = { left: 64, right: 16, top: 34, bottom: 44 };

export interface LineSeries {
  name: string;
  values: readonly number[];
  color?: string;
  dashed?: boolean;
  /** Draw a dot at every point (short series such as a sweep). */
  dots?: boolean;
}

export interface Marker {
  at: number;
  label: string;
  color?: string;
  /** data-role of the line, so a test (or a script) can find it. */
  role: string;
}

export interface LineChart {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  x: readonly number[];
  series: readonly LineSeries[];
  vLines?: readonly Marker[];
  hLines?: readonly Marker[];
  yMax?: number;
}

function frame(id: string, title: string, xLabel: string, yLabel: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" data-chart="${escapeXml(id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(title)}">` +
    `<text x="${M.left}" y="18" class="title">${escapeXml(title)}</text>` +
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle" class="axis-label">${escapeXml(xLabel)}</text>` +
    `<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" class="axis-label">${escapeXml(yLabel)}</text>` +
    body +
    '</svg>'
  );
}

function axes(xTicks: number[], yTicks: number[], sx: (v: number) => number, sy: (v: number) => number): string {
  let out = '';
  for (const t of yTicks) out += `<line x1="${M.left}" x2="${W - M.right}" y1="${sy(t)}" y2="${sy(t)}" class="grid"/><text x="${M.left - 6}" y="${sy(t) + 4}" text-anchor="end" class="tick">${label(t)}</text>`;
  for (const t of xTicks) out += `<text x="${sx(t)}" y="${H - M.bottom + 16}" text-anchor="middle" class="tick">${label(t)}</text>`;
  out += `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" class="axis"/><line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" class="axis"/>`;
  return out;
}

function legend(items: readonly { name: string; color: string; dashed?: boolean }[]): string {
  let x = W - M.right;
  let out = '';
  for (const item of [...items].reverse()) {
    const width = 26 + item.name.length * 6.5;
    x -= width;
    out += `<line x1="${x}" x2="${x + 18}" y1="14" y2="14" stroke="${item.color}" stroke-width="3"${item.dashed ? ' stroke-dasharray="5 3"' : ''}/><text x="${x + 22}" y="18" class="tick">${escapeXml(item.name)}</text>`;
  }
  return out;
}

export function lineChart(c: LineChart): string {
  const xs = c.x;
  const xMin = Math.min(...xs, ...(c.vLines ?? []).map((v) => v.at));
  const xMax = Math.max(...xs, ...(c.vLines ?? []).map((v) => v.at));
  const all = c.series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const yMax = c.yMax ?? Math.max(1e-9, ...all, ...(c.hLines ?? []).map((h) => h.at)) * 1.08;
  const sx = (v: number): number => M.left + ((v - xMin) / (xMax - xMin || 1)) * (W - M.left - M.right);
  const sy = (v: number): number => H - M.bottom - (Math.min(v, yMax) / yMax) * (H - M.top - M.bottom);
  let body = axes(niceTicks(xMin, xMax), niceTicks(0, yMax), sx, sy);
  c.series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const pts = s.values.map((v, i) => (Number.isFinite(v) ? `${sx(xs[i]).toFixed(1)},${sy(v).toFixed(1)}` : null));
    const d = pts.map((p, i) => (p === null ? '' : `${i === 0 || pts[i - 1] === null ? 'M' : 'L'}${p}`)).join('');
    body += `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''} data-series="${escapeXml(s.name)}"><title>${escapeXml(s.name)}</title></path>`;
    if (s.dots) for (const p of pts) if (p !== null) body += `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3.5" fill="${color}"/>`;
  });
  for (const h of c.hLines ?? []) {
    body += `<line x1="${M.left}" x2="${W - M.right}" y1="${sy(h.at)}" y2="${sy(h.at)}" stroke="${h.color ?? '#111'}" stroke-dasharray="6 4" stroke-width="1.5" data-role="${h.role}"><title>${escapeXml(h.label)}</title></line>`;
    body += `<text x="${W - M.right - 4}" y="${sy(h.at) - 4}" text-anchor="end" class="marker">${escapeXml(h.label)}</text>`;
  }
  for (const v of c.vLines ?? []) {
    body += `<line x1="${sx(v.at)}" x2="${sx(v.at)}" y1="${M.top}" y2="${H - M.bottom}" stroke="${v.color ?? '#6b7280'}" stroke-dasharray="3 3" stroke-width="1.5" data-role="${v.role}"><title>${escapeXml(v.label)}</title></line>`;
    body += `<text x="${sx(v.at) + 3}" y="${M.top + 10}" class="marker">${escapeXml(v.label)}</text>`;
  }
  body += legend(c.series.map((s, k) => ({ name: s.name, color: s.color ?? PALETTE[k % PALETTE.length], dashed: s.dashed })));
  return frame(c.id, c.title, c.xLabel, c.yLabel, body);
}

export interface BarChart {
  id: string;
  title: string;
  yLabel: string;
  groups: readonly string[];
  series: readonly { name: string; values: readonly number[]; color?: string }[];
}

export function barChart(c: BarChart): string {
  const all = c.series.flatMap((s) => s.values);
  const positive = all.filter((v) => v > 0);
  // Latencies of a quiet and an overloaded stage differ by orders of magnitude: a log axis keeps both readable.
  const log = positive.length > 0 && Math.max(...positive) / Math.min(...positive) > 50;
  const lo = log ? 10 ** Math.floor(Math.log10(Math.min(...positive))) : 0;
  const yMax = log ? 10 ** Math.ceil(Math.log10(Math.max(...positive))) : Math.max(1e-9, ...all) * 1.08;
  const plotW = W - M.left - M.right;
  const groupW = plotW / Math.max(1, c.groups.length);
  const barW = Math.min(40, (groupW * 0.8) / Math.max(1, c.series.length));
  const plotH = H - M.top - M.bottom;
  const sy = (v: number): number =>
    log ? H - M.bottom - (v <= lo ? 0 : ((Math.log10(v) - Math.log10(lo)) / (Math.log10(yMax) - Math.log10(lo))) * plotH) : H - M.bottom - (v / yMax) * plotH;
  const ticks = log ? Array.from({ length: Math.round(Math.log10(yMax / lo)) + 1 }, (_, i) => lo * 10 ** i) : niceTicks(0, yMax);
  let body = axes([], ticks, () => 0, sy);
  c.groups.forEach((g, gi) => {
    const left = M.left + gi * groupW + (groupW - barW * c.series.length) / 2;
    body += `<text x="${M.left + (gi + 0.5) * groupW}" y="${H - M.bottom + 16}" text-anchor="middle" class="tick">${escapeXml(g)}</text>`;
    c.series.forEach((s, k) => {
      const v = s.values[gi] ?? 0;
      const color = s.color ?? PALETTE[k % PALETTE.length];
      body += `<rect x="${(left + k * barW).toFixed(1)}" y="${sy(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(H - M.bottom - sy(v)).toFixed(1)}" fill="${color}" data-series="${escapeXml(s.name)}"><title>${escapeXml(`${g} ${s.name}: ${label(v)}`)}</title></rect>`;
    });
  });
  body += legend(c.series.map((s, k) => ({ name: s.name, color: s.color ?? PALETTE[k % PALETTE.length] })));
  return frame(c.id, c.title, '', log ? `${c.yLabel} (log scale)` : c.yLabel, body);
}
