import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadSettings } from '../src/config/load-settings';
import { SETTING_SOURCES } from '../src/config/setting-sources';
import { DEFAULT_GPU, DEFAULT_MODEL, Settings } from '../src/config/settings';
import { cleanEnv, exitWithin, freePort, grpcHealth, pollUntil, PROJECT_ROOT, SimulatorProcess, spawnSimulator, statusOf, waitForHttp, withFlag } from './support/child';

// The deployment files are code too: the Dockerfile and every manifest are parsed, checked against
// the CLI's settings, and the manifests' exact argument lists are started and probed.

jest.setTimeout(180_000);
const DEFAULTS = new Settings();

// ---------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // comment inside a continued instruction
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = pending + line;
    pending = '';
    const [op, ...rest] = full.split(/\s+/);
    if (op.toUpperCase() === 'FROM') stage++;
    out.push({ op: op.toUpperCase(), args: rest.join(' ').trim(), stage });
  }
  return out;
}

/** `KEY=value KEY2=value2` (values without spaces, as ours are). */
function parseEnv(args: string): Record<string, string> {
  return Object.fromEntries(args.split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

/** The build context's allow-list: is `path` (top-level name) sent to the builder? */
function passesDockerignore(path: string): boolean {
  const rules = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  let included = true;
  for (const rule of rules) {
    const negate = rule.startsWith('!');
    const pattern = (negate ? rule.slice(1) : rule).replace(/\/$/, '');
    if (pattern === '*' || pattern === path) included = negate;
  }
  return included;
}

const dockerfile = parseDockerfile(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
const runtimeStage = Math.max(...dockerfile.map((i) => i.stage));
const runtime = dockerfile.filter((i) => i.stage === runtimeStage);
const dockerEnv = Object.assign({}, ...runtime.filter((i) => i.op === 'ENV').map((i) => parseEnv(i.args))) as Record<string, string>;
const healthcheck = runtime.find((i) => i.op === 'HEALTHCHECK')!;
const healthcheckScript = (JSON.parse(healthcheck.args.slice(healthcheck.args.indexOf('['))) as string[]).at(-1)!;

describe('Dockerfile', () => {
  it('is multi-stage on a pinned node 20 bookworm-slim image', () => {
    const arg = dockerfile.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    expect(arg?.args).toMatch(/^NODE_IMAGE=node:20\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    const froms = dockerfile.filter((i) => i.op === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.args).toMatch(/^\$\{NODE_IMAGE\} AS \w+$/);
  });

  it('builds with npm ci + npm run build, and installs only production dependencies at run time', () => {
    const buildRuns = dockerfile.filter((i) => i.stage < runtimeStage && i.op === 'RUN').map((i) => i.args);
    expect(buildRuns.some((r) => r.startsWith('npm ci'))).toBe(true);
    expect(buildRuns).toContain('npm run build');
    expect(runtime.some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args))).toBe(true);
    // The build's output is where the entrypoint looks for it.
    const buildConfig = JSON.parse(readFileSync(join(PROJECT_ROOT, 'tsconfig.build.json'), 'utf8'));
    expect(buildConfig.compilerOptions.rootDir).toBe('./src');
    expect(JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts.build).toContain('tsconfig.build.json');
    expect(runtime.find((i) => i.op === 'COPY' && i.args.includes('--from=build'))?.args).toBe('--from=build /src/dist ./dist');
  });

  it('copies only sources that exist and that .dockerignore lets through', () => {
    const copies = dockerfile.filter((i) => i.op === 'COPY' && !i.args.includes('--from='));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        expect([source, existsSync(join(PROJECT_ROOT, source))]).toEqual([source, true]);
        expect([source, passesDockerignore(source.replace(/\/$/, ''))]).toEqual([source, true]);
      }
    }
    // No test or dev files in the runtime image.
    const runtimeSources = runtime.filter((i) => i.op === 'COPY').flatMap((i) => i.args.split(/\s+/));
    for (const devOnly of ['test', 'src', 'tsconfig.json', 'bench', 'node_modules']) expect(runtimeSources).not.toContain(devOnly);
  });

  it('exposes the default ports and sets the environment to the documented, valid defaults', () => {
    const exposed = runtime.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(exposed).toEqual(expect.arrayContaining([String(DEFAULTS.port), String(DEFAULTS.grpc_port)]));
    const known = new Set(SETTING_SOURCES.flatMap((s) => [s.env ?? []].flat()));
    for (const name of Object.keys(dockerEnv).filter((n) => n !== 'NODE_ENV')) expect([name, known.has(name)]).toEqual([name, true]);
    expect(dockerEnv).toMatchObject({ MODEL_NAME: DEFAULT_MODEL, GPU_TYPE: DEFAULT_GPU, TENSOR_PARALLEL_SIZE: '1', PORT: '8080', GRPC_PORT: '50051' });
    const { settings } = loadSettings([], dockerEnv);
    expect(settings).toMatchObject({ model: DEFAULT_MODEL, gpu_type: DEFAULT_GPU, tensor_parallel_size: 1, port: 8080, grpc_port: 50051, host: '0.0.0.0' });
    // The seed's `docker run -e ...` and a vLLM argument list over the image's environment.
    const seed = loadSettings([], { ...dockerEnv, MODEL_NAME: 'meta-llama/Llama-3.1-8B-Instruct', GPU_TYPE: 'NVIDIA-A100-80GB', TENSOR_PARALLEL_SIZE: '1' });
    expect(seed.settings).toMatchObject({ model: 'meta-llama/Llama-3.1-8B-Instruct', gpu_type: 'NVIDIA-A100-80GB', port: 8080 });
    const vllm = loadSettings(['--model', 'Qwen/Qwen3-8B', '--port', '8000', '--gpu-memory-utilization', '0.9', '--dtype', 'auto'], dockerEnv);
    expect(vllm.settings).toMatchObject({ model: 'Qwen/Qwen3-8B', port: 8000 });
  });

  it('runs as a numeric non-root user, through tini, with a HEALTHCHECK on the live route', () => {
    const user = runtime.filter((i) => i.op === 'USER').at(-1)!.args;
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(JSON.parse(runtime.find((i) => i.op === 'ENTRYPOINT')!.args)).toEqual(['tini', '--', 'node', '/app/dist/main.js']);
    expect(healthcheck.args).toMatch(/CMD \["node", "-e", /);
    expect(healthcheckScript).toContain("path:'/health/live'");
  });
});

describe('Dockerfile command shims (`vllm serve`, `python3 -m vllm.entrypoints.openai.api_server`)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vllm-sim-shims-'));
    // The RUN that writes the shims, pointed at a temp dir; a stub main.js prints its argv, and a
    // stand-in tini drops its own options (`-s --`).
    const run = runtime.find((i) => i.op === 'RUN' && i.args.includes('/usr/local/bin/vllm'))!.args;
    writeFileSync(join(dir, 'main.js'), 'console.log(JSON.stringify(process.argv.slice(2)))');
    writeFileSync(join(dir, 'tini'), '#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"\n');
    chmodSync(join(dir, 'tini'), 0o755);
    execFileSync('sh', ['-c', run.replaceAll('/usr/local/bin', dir).replaceAll('/app/dist/main.js', join(dir, 'main.js'))]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const runShim = (command: string[]) =>
    spawnSync(join(dir, command[0]), command.slice(1), { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8' });

  it.each([
    [['python3', '-m', 'vllm.entrypoints.openai.api_server', '--model', 'Qwen/Qwen3-8B', '--port=8000'], ['--model', 'Qwen/Qwen3-8B', '--port=8000']],
    [['python', '-m', 'vllm.entrypoints.openai.api_server', '--port', '8000'], ['--port', '8000']],
    [['vllm', 'serve', 'Qwen/Qwen3-8B', '--port', '8000'], ['serve', 'Qwen/Qwen3-8B', '--port', '8000']],
  ])('%j runs the simulator with the vLLM arguments', (command, argv) => {
    const result = runShim(command);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(argv);
    expect(loadSettings(argv, {}).settings).toMatchObject({ port: 8000 });
  });

  it('refuses any other python invocation', () => {
    const result = runShim(['python3', 'train.py']);
    expect(result.status).toBe(127);
    expect(result.stderr).toContain('no Python here');
  });
});

// ---------------------------------------------------------------------------------------------
// Kubernetes manifests

/** Parsed manifests are plain YAML: checked field by field below, not typed up front. */
 
type Yaml = any;

interface K8sDoc {
  file: string;
  doc: Yaml;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const K8S_DIR = join(PROJECT_ROOT, 'deploy', 'k8s');
// deploy/k8s/llm-d/ has examples of its own (test/deploy-llm-d.e2e-spec.ts); these are what `kubectl apply -f deploy/k8s/` creates.
const docs: K8sDoc[] = yamlFiles(K8S_DIR).filter((path) => !relative(K8S_DIR, path).startsWith('llm-d')).flatMap((path) =>
  parseAllDocuments(readFileSync(path, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${path}: ${d.errors.map((e) => e.message).join('; ')}`);
    return { file: relative(K8S_DIR, path), doc: d.toJS() as Yaml };
  }),
);
const ofKind = (kind: string) => docs.filter((d) => d.doc?.kind === kind);
const deployment = ofKind('Deployment')[0];
const inferenceService = ofKind('InferenceService')[0];
const grpcPatch = docs.find((d) => d.file.includes('grpc-readiness'))!;
const adapterValues = docs.find((d) => d.file.includes('prometheus-adapter'))!;

/** The commands the image understands in place of its entrypoint, and what they leave for the CLI. */
function cliArgv(container: Yaml): string[] {
  const command: string[] = container.command ?? [];
  const args: string[] = (container.args ?? []).map(String);
  if (command.length === 0) return args;
  if (command.join(' ') === 'python3 -m vllm.entrypoints.openai.api_server') return args;
  if (command.join(' ') === 'vllm serve') return ['serve', ...args];
  throw new Error(`command ${JSON.stringify(command)} is not one the image maps onto the simulator`);
}

function envOf(container: Yaml): Record<string, string> {
  return Object.fromEntries((container.env ?? []).map((e: { name: string; value: string }) => [e.name, String(e.value)]));
}

/** A probe's port, resolved through the container's named ports. */
function probePort(container: Yaml, port: number | string): number {
  if (typeof port === 'number') return port;
  const named = (container.ports ?? []).find((p: { name?: string }) => p.name === port);
  if (!named) throw new Error(`probe port '${port}' is not a named container port`);
  return named.containerPort;
}

interface Target {
  name: string;
  container: Yaml;
  annotations: Record<string, string>;
}

const targets: Target[] = [
  { name: 'Deployment', container: deployment.doc.spec.template.spec.containers[0], annotations: deployment.doc.spec.template.metadata.annotations },
  { name: 'InferenceService', container: inferenceService.doc.spec.predictor.containers[0], annotations: inferenceService.doc.metadata.annotations },
];

describe('Kubernetes manifests (static)', () => {
  it('all parse, and each object has apiVersion, kind and a name', () => {
    expect(docs.length).toBeGreaterThanOrEqual(6);
    for (const { file, doc } of docs.filter((d) => d.doc?.kind)) {
      expect([file, typeof doc.apiVersion, typeof doc.metadata?.name]).toEqual([file, 'string', 'string']);
    }
    expect(ofKind('Service')).toHaveLength(1);
    expect(ofKind('HorizontalPodAutoscaler')).toHaveLength(1);
  });

  it.each(targets.map((t) => [t.name, t]))('%s: image, args and ports agree with the CLI', (_name, t) => {
    const { container } = t as Target;
    expect(container.image).toBe('vllm-simulator:latest');
    const { settings, ignoredFlags } = loadSettings(cliArgv(container), envOf(container));
    expect(settings.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(ignoredFlags).toEqual(expect.arrayContaining(['--dtype']));
    const http = container.ports.find((p: Yaml) => p.name === 'http') ?? container.ports[0];
    expect(http.containerPort).toBe(settings.port);
    const grpc = container.ports.find((p: Yaml) => p.name === 'grpc');
    if (grpc) expect(grpc.containerPort).toBe(settings.grpc_port);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const spec = container[probe];
      expect([probe, spec?.httpGet?.path]).toEqual([probe, expect.stringMatching(/^\/health/)]);
      expect(probePort(container, spec.httpGet.port)).toBe(settings.port);
    }
    expect(Number((t as Target).annotations['prometheus.io/port'])).toBe(settings.port);
    expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(container.resources.requests.memory).toMatch(/^\d+Mi$/);
  });

  it('Deployment: non-root, probes on the Terminus routes, drains inside the termination grace period', () => {
    const pod = deployment.doc.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const c = pod.containers[0];
    expect(c.livenessProbe.httpGet.path).toBe('/health/live');
    expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
    const { settings } = loadSettings(cliArgv(c), envOf(c));
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(settings.shutdown_grace_period);
    // The startup probe allows the simulated loading time.
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThan(settings.startup_duration);
  });

  it('Service: selects the Deployment and targets its named ports', () => {
    const svc = ofKind('Service')[0].doc;
    expect(deployment.doc.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    const named = deployment.doc.spec.template.spec.containers[0].ports.map((p: Yaml) => p.name);
    expect(svc.spec.ports.map((p: Yaml) => p.targetPort).sort()).toEqual(['grpc', 'http']);
    for (const p of svc.spec.ports) expect(named).toContain(p.targetPort);
  });

  it('gRPC readiness patch: the container and gRPC port of the Deployment', () => {
    const patched = grpcPatch.doc.spec.template.spec.containers[0];
    const c = deployment.doc.spec.template.spec.containers[0];
    expect(patched.name).toBe(c.name);
    expect(patched.readinessProbe.grpc.port).toBe(loadSettings(cliArgv(c), envOf(c)).settings.grpc_port);
  });

  it('HPA: scales the Deployment on vllm:num_requests_waiting as the adapter names it', () => {
    const hpa = ofKind('HorizontalPodAutoscaler')[0].doc;
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.doc.metadata.name });
    const metric = hpa.spec.metrics[0].pods.metric.name;
    const rule = adapterValues.doc.rules.custom[0];
    expect(rule.seriesQuery).toContain('vllm:num_requests_waiting');
    expect('vllm:num_requests_waiting'.replace(new RegExp(rule.name.matches), rule.name.as.replace('${1}', '$1'))).toBe(metric);
  });

  it('InferenceService: vLLM arguments kept, GPU limit dropped', () => {
    const c = inferenceService.doc.spec.predictor.containers[0];
    expect(c.args.join(' ')).toMatch(/--model=\S+ .*--served-model-name=\S+ .*--tensor-parallel-size=1 --max-model-len=\d+ --gpu-memory-utilization=/);
    expect(JSON.stringify(c.resources)).not.toContain('nvidia.com/gpu"');
  });
});

// ---------------------------------------------------------------------------------------------
// Manifests against the running app: their exact argument lists, their probes.

describe.each(targets.map((t) => [t.name, t]))('%s started with its exact arguments', (_name, t) => {
  const { container, annotations } = t as Target;
  let sim: SimulatorProcess;
  let url: string;
  let grpcPort: number;

  beforeAll(async () => {
    // Same argv; only the ports are moved to free ones so tests can run side by side.
    const httpPort = await freePort();
    grpcPort = await freePort();
    let argv = withFlag(cliArgv(container), '--port', String(httpPort));
    argv = withFlag(argv, '--grpc-port', String(grpcPort));
    sim = spawnSimulator(argv, cleanEnv(envOf(container)));
    url = `http://127.0.0.1:${httpPort}`;
    await waitForHttp(sim, `${url}/health/live`);
  });
  afterAll(async () => {
    sim?.kill('SIGKILL');
    await sim?.exited;
  });

  it('passes its startup, liveness and readiness probes once started', async () => {
    const startup = container.startupProbe.httpGet.path;
    await pollUntil(`${startup} to pass`, async () => ((await statusOf(url + startup)) === 200 ? true : undefined), 60_000, 200);
    for (const probe of ['livenessProbe', 'readinessProbe']) expect([probe, await statusOf(url + container[probe].httpGet.path)]).toEqual([probe, 200]);
  });

  it('serves the model under its served name', async () => {
    const { settings } = loadSettings(cliArgv(container), envOf(container));
    const res = await fetch(`${url}/v1/models`);
    const ids = (((await res.json()) as { data: unknown }).data as { id: string }[]).map((m) => m.id);
    expect(ids).toContain(settings.served_model_name[0]);
  });

  it('answers the Prometheus scrape with vLLM metrics, including the HPA series', async () => {
    const res = await fetch(url + annotations['prometheus.io/path']);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('vllm:num_requests_waiting');
  });

  it('reports SERVING on gRPC health (the gRPC readiness probe)', async () => {
    if (t === targets[0]) expect(grpcPatch.doc.spec.template.spec.containers[0].readinessProbe.grpc.port).toBe(DEFAULTS.grpc_port);
    expect(await pollUntil('gRPC SERVING', async () => ((await grpcHealth(grpcPort)) === 'SERVING' ? 'SERVING' : undefined), 30_000, 200)).toBe('SERVING');
  });

  it("passes the image's HEALTHCHECK command", () => {
    const port = new URL(url).port;
    const dir = mkdtempSync(join(tmpdir(), 'vllm-sim-hc-'));
    try {
      // PID 1's command line as the container would have it.
      const cmdline = join(dir, 'cmdline');
      writeFileSync(cmdline, ['tini', '--', 'node', '/app/dist/main.js', ...withFlag(cliArgv(container), '--port', port), ''].join('\0'));
      const script = healthcheckScript.replace('/proc/1/cmdline', cmdline);
      expect(spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH } }).status).toBe(0);
      // Pointed at a port nobody listens on, it fails.
      writeFileSync(cmdline, ['tini', '--', 'node', '/app/dist/main.js', '--port=1', ''].join('\0'));
      expect(spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH } }).status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drains on SIGTERM and exits 0', async () => {
    sim.kill('SIGTERM');
    expect((await exitWithin(sim, 20_000)).code).toBe(0);
  });
});
