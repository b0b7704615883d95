import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, pollUntil } from './child';

/**
 * Helpers for tests that need real Prometheus tools (Debian's `prometheus` package: `prometheus`,
 * `promtool`). A missing binary is an error, never a skip: CI must install it.
 */
export function requireBinary(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) {
    throw new Error(`${name} is not installed; this test needs it (apt-get install -y prometheus provides prometheus and promtool).`);
  }
  return path;
}

/** Runs `promtool check metrics` on an exposition; answers its findings, one per line. */
export function promtoolCheckMetrics(exposition: string): { status: number | null; findings: string[] } {
  const promtool = requireBinary('promtool');
  const run = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (run.error) throw run.error;
  const findings = `${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
  return { status: run.status, findings };
}

/** Polls `check` every `intervalMs` until it returns a value, or fails after `timeoutMs` (Prometheus needs longer steps). */
export function poll<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  return pollUntil(what, check, timeoutMs, intervalMs);
}

export interface RunningPrometheus {
  url: string;
  /** Instant query; answers the result vector/matrix of the HTTP API. */
  query(expr: string): Promise<PromResult[]>;
  stop(): Promise<void>;
}

export interface PromResult {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

/** Starts a real Prometheus scraping `target` (host:port) every second, with its data in a temp dir. */
export async function startPrometheus(target: string): Promise<RunningPrometheus> {
  const binary = requireBinary('prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'vllm-sim-prom-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:', '  - job_name: vllm-simulator', '    static_configs:', `      - targets: ['${target}']`, ''].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log: string[] = [];
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));

  const stop = async (): Promise<void> => {
    if (!exited) child.kill('SIGTERM');
    await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
    if (!exited) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await poll('Prometheus to become ready', async () => {
      if (exited) throw new Error(`prometheus exited: ${log.join('').slice(-2000)}`);
      const res = await fetch(`${url}/-/ready`);
      return res.ok ? true : undefined;
    }, 20_000, 100);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url,
    query: async (expr: string) => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: PromResult[] } };
      if (body.status !== 'success') throw new Error(`PromQL ${expr}: ${body.error ?? res.status}`);
      return body.data!.result;
    },
    stop,
  };
}

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

export const DASHBOARD_DIR = resolve(__dirname, '../../deploy/grafana/dashboards');

/** Every PromQL expression of the shipped Grafana dashboards. */
export function dashboardQueries(): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const file of readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json'))) {
    const doc = JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr?: string; refId: string }> }> };
    for (const panel of doc.panels) {
      for (const target of panel.targets ?? []) if (target.expr) out.push({ dashboard: file, panel: panel.title, refId: target.refId, expr: target.expr });
    }
  }
  return out;
}

/** Series names a PromQL expression reads (metric names: anything followed by `{`, `[` or an end). */
export function seriesNames(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/(?<![\w:$"])([a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]+|http_[a-z_]+)(?=\s*[{[)\n]|$)/g)) names.add(m[1]);
  return [...names];
}

/** Grafana's variables, as the shipped dashboards use them. */
export function substituteVariables(expr: string, vars: { model_name: string; rate_interval: string }): string {
  return expr.replaceAll('$model_name', vars.model_name).replaceAll('$__rate_interval', vars.rate_interval);
}

/** Parses a text exposition into `name{labels}` -> value, as printed. */
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** Sum of every sample of `name` whose labels include all of `labels`, 0 when there is none (a series not created yet). */
export function sampleOrZero(metrics: Map<string, number>, name: string, ...labels: string[]): number {
  try {
    return sample(metrics, name, ...labels);
  } catch {
    return 0;
  }
}

/** Sum of every sample of `name` whose labels include all of `labels` (e.g. `finished_reason="stop"`). */
export function sample(metrics: Map<string, number>, name: string, ...labels: string[]): number {
  let total = 0;
  let found = false;
  for (const [key, value] of metrics) {
    const brace = key.indexOf('{');
    const series = brace < 0 ? key : key.slice(0, brace);
    if (series !== name) continue;
    if (labels.every((l) => key.includes(l))) {
      total += value;
      found = true;
    }
  }
  if (!found) throw new Error(`No sample ${name}{${labels.join(',')}} in /metrics`);
  return total;
}
