import 'reflect-metadata';
import { validateSettings } from '../../src/config/load-settings';
import { Settings } from '../../src/config/settings';
import { RunningServer, startServer } from '../../src/bootstrap';

/** The real server in this process on a free port, gRPC off, quiet: what the live benches measure. */
export async function bootServer(overrides: Record<string, unknown>): Promise<{ server: RunningServer; settings: Settings }> {
  const settings = validateSettings({ port: 0, host: '127.0.0.1', grpc_port: -1, log_level: 'error', seed: 7, ...overrides } as never);
  return { server: await startServer(settings), settings };
}

/** Quantile of sorted-on-demand values (nearest rank), as the offline report computes it. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
}

/** A `--name value` command-line option of a bench, if given. */
export function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A numeric `--name value` command-line option of a bench, or its default. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** `--name value` from the command line, one of `choices`; exits with a message on anything else. */
export function optionArg<T extends string>(name: string, fallback: T, choices: readonly T[]): T {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = process.argv[i + 1] as T;
  if (choices.includes(value)) return value;
  console.error(`--${name} must be one of ${choices.join(', ')}`);
  return process.exit(2);
}
