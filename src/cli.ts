import type { RunningServer } from './bootstrap';
import { CommandLineError, USAGE } from './config/command-line';
import { helpText, LoadedSettings, loadSettings, SettingsError } from './config/load-settings';
import { servedModelSettings } from './config/served-models';
import { ServedModels } from './modules/models/served-models';
import { CatalogError } from './modules/benchmarks/catalog-errors';
import { PROFILE } from './modules/benchmarks/profile.token';
import { ResolvedProfile } from './modules/benchmarks/resolve-profile';
import { SIMULATED_VLLM_VERSION } from './modules/api/version';
import { SummaryLine, argumentLines, servingLines } from './modules/logging/start-summary';
import { ServerLogger, serverLogger } from './modules/logging/server-logger';
import { ResponsesFileError } from './modules/responses/pattern-errors';
import { LazyTokenizer } from './modules/tokenizer/create-tokenizer';
import { TOKENIZER } from './modules/tokenizer/tokenizer.types';

/** Exit code of a start-up that cannot go on because of a setting or the command line (argparse's). */
export const EXIT_BAD_SETTINGS = 2;

/** Errors that mean "this configuration cannot be served" rather than a bug. */
function isConfigurationError(err: unknown): err is Error {
  return err instanceof SettingsError || err instanceof CatalogError || err instanceof ResponsesFileError;
}

/** A port that cannot be bound: an operator's problem with one clear line, not a bug with a stack. */
function listenFailure(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.syscall !== 'listen') return undefined;
  const where = `${e.address ?? '?'}:${e.port ?? '?'}`;
  if (e.code === 'EADDRINUSE') return `cannot listen on ${where}: the address is already in use (choose another --port / --grpc-port)`;
  if (e.code === 'EACCES') return `cannot listen on ${where}: permission denied`;
  if (e.code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: the address is not available on this host (--host)`;
  return undefined;
}

function writeLines(logger: ServerLogger, lines: readonly SummaryLine[]): void {
  for (const line of lines) logger.write(line.level, line.source, line.message, line.fields);
}

/** `vllm-simulator [serve] [MODEL] [flags]` and `vllm-simulator simulate --workload FILE`. */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (argv[0] === 'simulate') {
    const { runSimulate } = await import('./simulate');
    process.exitCode = await runSimulate(argv.slice(1));
    return;
  }
  let loaded: LoadedSettings;
  try {
    loaded = loadSettings(argv, env);
    // The additional models are checked here too, so a bad entry stops start-up before anything loads.
    servedModelSettings(loaded.settings);
  } catch (err) {
    return failStart(err);
  }
  if (loaded.help) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  const { settings } = loaded;
  const logger = serverLogger(settings);
  writeLines(logger, argumentLines(SIMULATED_VLLM_VERSION, settings, loaded.ignored));
  let servers: RunningServer[];
  try {
    // Loaded here, not at the top: `simulate` needs none of Nest, Fastify or gRPC.
    const { startServers } = await import('./bootstrap');
    servers = await startServers(settings);
  } catch (err) {
    return failStart(err);
  }
  // Every rank this process serves drains together; the process is clean when all of them were.
  const shutdown = async (): Promise<boolean> => (await Promise.all(servers.map((s) => s.shutdown()))).every(Boolean);
  const [server] = servers;
  const tokenizer = server.app.get<LazyTokenizer>(TOKENIZER);
  writeLines(
    logger,
    servingLines({
      version: SIMULATED_VLLM_VERSION,
      settings,
      profile: server.app.get<ResolvedProfile>(PROFILE),
      tokenizer: { name: tokenizer.name, loadMs: tokenizer.loadMs },
      ranks: servers.map((s) => ({ httpPort: s.port, grpcPort: s.grpcPort })),
      pid: process.pid,
      models: server.app
        .get(ServedModels)
        .entries.slice(1)
        .map((m) => ({ name: m.served.name, model: m.settings.model, description: m.profile.description, maxModelLen: m.served.maxModelLen, kvCacheBlocks: m.profile.kvCacheBlocks, tokenizer: m.tokenizer.name })),
    }),
  );
  let signals = 0;
  const onSignal = (signal: string): void => {
    signals++;
    if (signals > 1) {
      logger.warning('shutdown', `${signal} again: exiting at once`);
      process.exit(1);
    }
    logger.info('shutdown', `${signal}: draining (up to ${settings.shutdown_grace_period}s)`);
    void shutdown().then(
      (clean) => {
        logger.info('shutdown', clean ? 'Drained; exiting' : 'Grace period over; aborted what was left');
        process.exit(0);
      },
      (err: unknown) => {
        // A failing close must not leave a pod hanging until SIGKILL.
        logger.write('ERROR', 'shutdown', `Shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

/** One clear message on stderr and argparse's exit code for what the operator must fix; the stack only for a bug. */
function failStart(err: unknown): void {
  if (err instanceof CommandLineError) {
    process.stderr.write(`${USAGE}\nvllm-simulator: error: ${err.message}\n`);
    process.exit(EXIT_BAD_SETTINGS);
  }
  if (isConfigurationError(err)) {
    process.stderr.write(`vllm-simulator: ${err.message}\n`);
    process.exit(EXIT_BAD_SETTINGS);
  }
  const listen = listenFailure(err);
  if (listen) {
    process.stderr.write(`vllm-simulator: ${listen}\n`);
    process.exit(1);
  }
  process.stderr.write(`vllm-simulator: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
