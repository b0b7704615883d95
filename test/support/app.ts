import OpenAI from 'openai';
import { validateSettings } from '../../src/config/load-settings';
import { Settings } from '../../src/config/settings';
import { RunningServer, ServerOptions, startServer } from '../../src/bootstrap';

export interface TestApp {
  server: RunningServer;
  url: string;
  /** gRPC port when booted with `grpc_port` other than -1. */
  grpcPort?: number;
  settings: Settings;
  openai: OpenAI;
  close(): Promise<void>;
}

/**
 * The log level of in-process test apps: silent, so that the errors tests provoke on purpose (a
 * broken responses file, a failing observer) do not print as red stack traces in a green run.
 * `SIM_TEST_LOG_LEVEL=error npm test` shows them while debugging.
 */
const TEST_LOG_LEVEL = process.env.SIM_TEST_LOG_LEVEL ?? 'silent';

/**
 * Boots the real app in this process on a free port. Defaults suit tests: no simulated delay,
 * a fixed seed, gRPC off unless asked for, no log.
 */
export async function bootApp(overrides: Record<string, unknown> = {}, options: ServerOptions = {}): Promise<TestApp> {
  const settings = validateSettings({ port: 0, host: '127.0.0.1', grpc_port: -1, latency_scale: 0, seed: 42, log_level: TEST_LOG_LEVEL, ...overrides } as never);
  const server = await startServer(settings, options);
  const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: (overrides.api_key as string) ?? 'unused', maxRetries: 0 });
  return {
    server,
    url: server.url,
    grpcPort: server.grpcPort,
    settings,
    openai,
    close: async () => {
      await server.shutdown(0);
    },
  };
}

/** POSTs a body (object, or raw string) and returns status, headers and parsed body. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as Record<string, any> };
}

/** Reads an SSE response into its `data:` payloads (raw strings), checking the framing as it goes. */
export async function readSse(res: Response): Promise<string[]> {
  const text = await res.text();
  if (!text.endsWith('\n\n')) throw new Error(`SSE body does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  const events = text.slice(0, -2).split('\n\n');
  return events.map((e) => {
    if (!e.startsWith('data: ') || e.includes('\n')) throw new Error(`Not a single data line: ${JSON.stringify(e)}`);
    return e.slice(6);
  });
}
