import { Logger } from '@nestjs/common';
import { helpText, loadSettings, SettingsError } from './config/load-settings';
import { RunningServer, startServers } from './bootstrap';
import { CatalogError } from './modules/benchmarks/catalog-errors';
import { ResponsesFileError } from './modules/responses/pattern-errors';

/** Exit code of a start-up that cannot go on because of a setting (as the SPEC asks). */
export const EXIT_BAD_SETTINGS = 2;

/** Errors that mean "this configuration cannot be served" rather than a bug. */
function isConfigurationError(err: unknown): err is Error {
  return err instanceof SettingsError || err instanceof CatalogError || err instanceof ResponsesFileError;
}

/** `vllm-simulator [serve] [MODEL] [flags]` and `vllm-simulator simulate --workload FILE`. */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (argv[0] === 'simulate') {
    const { runSimulate } = await import('./simulate');
    process.exitCode = await runSimulate(argv.slice(1));
    return;
  }
  let settings;
  try {
    const loaded = loadSettings(argv, env);
    if (loaded.help) {
      process.stdout.write(`${helpText()}\n`);
      return;
    }
    settings = loaded.settings;
    if (loaded.ignoredFlags.length > 0) Logger.log(`Accepted and ignored vLLM flags: ${loaded.ignoredFlags.join(' ')}`, 'Config');
  } catch (err) {
    return failStart(err);
  }
  let servers: RunningServer[];
  try {
    servers = await startServers(settings);
  } catch (err) {
    return failStart(err);
  }
  // Every rank this process serves drains together; the process is clean when all of them were.
  const shutdown = async (): Promise<boolean> => (await Promise.all(servers.map((s) => s.shutdown()))).every(Boolean);
  let signals = 0;
  const onSignal = (signal: string): void => {
    signals++;
    if (signals > 1) {
      Logger.warn(`${signal} again: exiting at once`, 'Shutdown');
      process.exit(1);
    }
    Logger.log(`${signal}: draining (up to ${settings.shutdown_grace_period}s)`, 'Shutdown');
    void shutdown().then(
      (clean) => {
        Logger.log(clean ? 'Drained; exiting' : 'Grace period over; aborted what was left', 'Shutdown');
        process.exit(0);
      },
      (err: unknown) => {
        // A failing close must not leave a pod hanging until SIGKILL.
        Logger.error(`Shutdown failed: ${err instanceof Error ? err.message : String(err)}`, 'Shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

function failStart(err: unknown): void {
  if (isConfigurationError(err)) {
    process.stderr.write(`vllm-simulator: ${err.message}\n`);
    process.exit(EXIT_BAD_SETTINGS);
  }
  process.stderr.write(`vllm-simulator: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
