import { credentials, loadPackageDefinition, ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { SETTING_SOURCES } from '../../src/config/setting-sources';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

/**
 * The simulator as a real process (`node src/main.ts ARGS`), for what an in-process app cannot
 * show: signals, exit codes, the exact argv a container gets.
 */
export interface SimulatorProcess {
  proc: ChildProcess;
  /** Everything written so far, stdout and stderr. */
  output(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** A port nobody listens on right now (the OS picks it; we close before the child binds). */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/** The parent's environment without any simulator setting, so only what a test passes counts. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const source of SETTING_SOURCES) for (const name of [source.env ?? []].flat()) delete env[name];
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

/** Starts `node -r ts-node/register/transpile-only src/main.ts ...args`. */
export function spawnSimulator(args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv()): SimulatorProcess {
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: { TS_NODE_TRANSPILE_ONLY: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => {
    proc.once('exit', (code, signal) => ok({ code, signal }));
  });
  return {
    proc,
    output: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
  };
}

/** Polls `check` every `everyMs` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Status code of a GET, or undefined when nothing answers (yet). */
export async function statusOf(url: string, init?: RequestInit): Promise<number | undefined> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}

/** Waits until the HTTP server answers at all (any status), i.e. the process has booted. */
export async function waitForHttp(sim: SimulatorProcess, url: string, timeoutMs = 60_000): Promise<number> {
  let gone = false;
  void sim.exited.then(() => (gone = true));
  return pollUntil(
    `${url} to answer`,
    async () => {
      if (gone) throw new Error(`simulator exited early:\n${sim.output()}`);
      return statusOf(url);
    },
    timeoutMs,
  );
}

/** Waits for the process to end, failing after `timeoutMs`. */
export async function exitWithin(sim: SimulatorProcess, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`process still running after ${timeoutMs} ms:\n${sim.output()}`)), timeoutMs);
  });
  try {
    return await Promise.race([sim.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Replaces the value of `flag` in a vLLM-style argv (`--flag v` or `--flag=v`), or appends it. */
export function withFlag(args: readonly string[], flag: string, value: string): string[] {
  const out = [...args];
  const i = out.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return [...out, flag, value];
  if (out[i] === flag) out[i + 1] = value;
  else out[i] = `${flag}=${value}`;
  return out;
}

type HealthCheck = (req: { service: string }, options: { deadline: number }, done: (err: Error | null, res: { status: string }) => void) => void;

/** `grpc.health.v1.Health/Check` for the server as a whole (service ""), as a Kubernetes grpc probe asks. */
export async function grpcHealth(port: number): Promise<string> {
  const def = loadSync(healthProtoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: ServiceClientConstructor } } } };
  const client = new pkg.grpc.health.v1.Health(`127.0.0.1:${port}`, credentials.createInsecure());
  const check = (client as unknown as { check: HealthCheck }).check.bind(client);
  try {
    return await new Promise((ok, fail) => check({ service: '' }, { deadline: Date.now() + 3000 }, (err, res) => (err ? fail(err) : ok(res.status))));
  } finally {
    client.close();
  }
}
