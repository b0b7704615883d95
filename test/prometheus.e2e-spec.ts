import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp, bootApp } from './support/app';
import { RunningPrometheus, dashboardQueries, poll, startPrometheus, substituteVariables } from './support/prometheus';

/**
 * A real Prometheus scrapes the simulator under load; every PromQL expression of the shipped Grafana
 * dashboards must return data. Needs the `prometheus` binary (fails, never skips, without it).
 */
describe('shipped dashboards against a real Prometheus', () => {
  let dir: string;
  let app: TestApp;
  let prometheus: RunningPrometheus | undefined;
  let loading = true;
  let load: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vllm-sim-prom-e2e-'));
    const responses = join(dir, 'responses.yaml');
    writeFileSync(responses, 'patterns: []\nfallback:\n  responses:\n    - "A simulated reply with enough words to stream for a while before it stops."\n');
    app = await bootApp({ responses_file: responses, latency_scale: 1, itl_ms: 15, ttft_ms: 20, max_num_seqs: 4 });
    prometheus = await startPrometheus(new URL(app.url).host);
    // Steady load: 6 concurrent clients, prompts and lengths varied, until the queries are done.
    const client = async (k: number) => {
      for (let i = 0; loading; i++) {
        await app.openai.completions
          .create({ model: app.settings.model, prompt: `client ${k} request ${i} `.repeat(1 + ((i + k) % 5)), max_tokens: 5 + ((i * 7 + k) % 20) })
          .catch(() => undefined);
      }
    };
    load = Promise.all(Array.from({ length: 6 }, (_, k) => client(k))).then(() => undefined);
  }, 40_000);

  afterAll(async () => {
    loading = false;
    await load;
    await prometheus?.stop();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('evaluates every dashboard expression to data', async () => {
    const prom = prometheus!;
    const model = app.settings.served_model_name[0] ?? app.settings.model;
    // Enough scrapes for the rates: the finished-request counter has moved within the window.
    await poll(
      'Prometheus to scrape finished requests',
      async () => {
        const r = await prom.query(`increase(vllm:request_success_total{model_name="${model}"}[5s]) > 0`);
        return r.length > 0 ? true : undefined;
      },
      30_000,
      250,
    );

    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    const empty: string[] = [];
    for (const q of queries) {
      const expr = substituteVariables(q.expr, { model_name: model, rate_interval: '10s' });
      const result = await prom.query(expr);
      const finite = result.some((s) => s.value && Number.isFinite(Number(s.value[1])));
      if (!finite) empty.push(`${q.dashboard} / ${q.panel} / ${q.refId}: ${expr} -> ${JSON.stringify(result).slice(0, 200)}`);
    }
    expect(empty).toEqual([]);
  }, 50_000);
});
