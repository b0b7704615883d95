import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { resolveKvEventsConfig, offsetEndpoint } from '../src/config/kv-events-config';
import { resolveKvTransferConfig } from '../src/config/kv-transfer-config';
import { loadSettings } from '../src/config/load-settings';
import { PROJECT_ROOT } from './support/child';

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  ports?: Array<{ name: string; containerPort: number }>;
  readinessProbe?: { httpGet: { path: string; port: string } };
}

interface Doc {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: { template?: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } }; ports?: Array<{ targetPort: string }>; selector?: Record<string, string> };
}

const load = (file: string): Doc[] => parseAllDocuments(readFileSync(join(PROJECT_ROOT, 'deploy/k8s/llm-d', file), 'utf8')).map((d) => d.toJS() as Doc);
/** The container's environment as the kubelet would give it (downward-API fields filled with sample values). */
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? `sample-${e.name.toLowerCase()}`]));
const simulators = (docs: Doc[]) =>
  docs.filter((d) => d.kind === 'Deployment').map((d) => ({ doc: d, c: d.spec.template!.spec.containers.find((c) => c.image.startsWith('vllm-simulator'))! }));

describe('deploy/k8s/llm-d: the examples start as written', () => {
  it('pd-pair.yaml: a prefill and a decode pod with llm-d role labels, NIXL, KV events, the sidecar in front of the decoder', () => {
    const docs = load('pd-pair.yaml');
    const pods = simulators(docs);
    expect(pods.map((p) => p.doc.spec.template!.metadata.labels['llm-d.ai/role'])).toEqual(['prefill', 'decode']);
    for (const { c } of pods) {
      const { settings, ignoredFlags } = loadSettings(c.args!, envOf(c));
      expect(ignoredFlags).toEqual([]);
      expect(resolveKvTransferConfig(settings.kv_transfer_config)).toEqual({ connector: 'NixlConnector', role: 'kv_both' });
      expect(resolveKvEventsConfig(settings)).toMatchObject({ endpoint: 'tcp://llm-d-indexer:5557' });
      expect(settings).toMatchObject({ python_hash_seed: '42', prefix_caching_hash_algo: 'sha256_cbor', pod_name: 'sample-pod_name', pod_ip: 'sample-pod_ip' });
      expect(c.ports!.map((p) => p.containerPort)).toContain(settings.port);
      expect(c.readinessProbe!.httpGet.path).toBe('/health');
    }
    const decode = docs[1].spec.template!.spec.containers;
    const sidecar = decode.find((c) => c.name === 'routing-proxy')!;
    const engine = loadSettings(pods[1].c.args!, {}).settings;
    expect(sidecar.args).toEqual(expect.arrayContaining([`--vllm-port=${engine.port}`]));
    expect(engine.kv_transfer_gb_per_s).toBe(50);
  });

  it('data-parallel.yaml: one pod, two ranks, every rank port declared and behind a Service of its own', () => {
    const docs = load('data-parallel.yaml');
    const [{ c }] = simulators(docs);
    const { settings, ignoredFlags } = loadSettings(c.args!, envOf(c));
    expect(ignoredFlags).toEqual([]);
    expect(settings.data_parallel_size).toBe(2);
    const declared = new Map(c.ports!.map((p) => [p.name, p.containerPort]));
    const kv = resolveKvEventsConfig(settings)!;
    for (let rank = 0; rank < settings.data_parallel_size; rank++) {
      expect(declared.get(`http-rank${rank}`)).toBe(settings.port + rank);
      expect(declared.get(`kv-rank${rank}`)).toBe(Number(offsetEndpoint(kv.endpoint, rank).split(':').at(-1)));
      const service = docs.find((d) => d.kind === 'Service' && d.metadata.name === `sim-dp-rank${rank}`)!;
      expect(service.spec.ports!.map((p) => p.targetPort)).toEqual([`http-rank${rank}`, `kv-rank${rank}`]);
    }
  });
});
