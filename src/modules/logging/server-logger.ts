import { LoggerService } from '@nestjs/common';
import { LogFormat, LogLevel } from '../../config/settings';
import { formatJsonLine, formatTextLine, LEVEL_RANK, LogFields, LogLevelName, LogRecord } from './log-line';

/** Lowest level printed for each `--log-level` (vLLM's names; Infinity prints nothing). */
const THRESHOLD: Record<LogLevel, number> = {
  trace: LEVEL_RANK.DEBUG,
  debug: LEVEL_RANK.DEBUG,
  info: LEVEL_RANK.INFO,
  warning: LEVEL_RANK.WARNING,
  warn: LEVEL_RANK.WARNING,
  error: LEVEL_RANK.ERROR,
  critical: LEVEL_RANK.CRITICAL,
  silent: Number.POSITIVE_INFINITY,
};

/**
 * Nest's own start-up narration (module init, route mapping, "successfully started") and the
 * bootstrap's listening lines, which the start summary says in vLLM's words: printed at debug.
 * ExceptionHandler repeats a start-up failure that the CLI reports itself (one clear message for a
 * configuration error, the stack for a bug), so it is debug too.
 */
const NEST_NARRATION = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'NestMicroservice', 'Bootstrap', 'ExceptionHandler']);

export type LogSink = (text: string) => void;

const stdoutSink: LogSink = (text) => {
  process.stdout.write(`${text}\n`);
};

export interface ServerLoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go (stdout, as vLLM's handler); tests pass a collector. */
  sink?: LogSink;
  now?: () => Date;
}

/**
 * The server's log: vLLM's line format or JSON lines, at `--log-level`. It is Nest's logger too
 * (NestFactory `logger`), so every `Logger` call in the app comes out in the same format.
 */
export class ServerLogger implements LoggerService {
  private readonly threshold: number;
  private readonly sink: LogSink;
  private readonly now: () => Date;
  private readonly json: boolean;

  constructor(options: ServerLoggerOptions) {
    this.threshold = THRESHOLD[options.level] ?? LEVEL_RANK.INFO;
    this.sink = options.sink ?? stdoutSink;
    this.now = options.now ?? (() => new Date());
    this.json = options.format === 'json';
  }

  /** True when a line of this level would be printed (callers skip building lines nobody reads). */
  enabled(level: LogLevelName): boolean {
    return LEVEL_RANK[level] >= this.threshold;
  }

  /** The logger's own entry point: a level, a source, a message and optional structured fields. */
  write(level: LogLevelName, source: string, message: string, fields?: LogFields, detail?: string): void {
    if (LEVEL_RANK[level] < this.threshold) return;
    const record: LogRecord = { time: this.now(), level, source, message, pid: process.pid, fields, detail };
    this.sink(this.json ? formatJsonLine(record) : formatTextLine(record));
  }

  info(source: string, message: string, fields?: LogFields): void {
    this.write('INFO', source, message, fields);
  }

  warning(source: string, message: string, fields?: LogFields): void {
    this.write('WARNING', source, message, fields);
  }

  // Nest's LoggerService: (message, ...optionalParams) where the last string is the context and,
  // for error(), a string before it is the stack.

  log(message: unknown, ...optional: unknown[]): void {
    this.fromNest('INFO', message, optional);
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.fromNest('WARNING', message, optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    this.fromNest('ERROR', message, optional);
  }

  fatal(message: unknown, ...optional: unknown[]): void {
    this.fromNest('CRITICAL', message, optional);
  }

  debug(message: unknown, ...optional: unknown[]): void {
    this.fromNest('DEBUG', message, optional);
  }

  verbose(message: unknown, ...optional: unknown[]): void {
    this.fromNest('DEBUG', message, optional);
  }

  private fromNest(level: LogLevelName, message: unknown, optional: unknown[]): void {
    const params = [...optional];
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : 'app';
    const effective = NEST_NARRATION.has(context) ? 'DEBUG' : level;
    if (LEVEL_RANK[effective] < this.threshold) return;
    let text: string;
    let detail: string | undefined;
    if (message instanceof Error) {
      text = message.message;
      detail = message.stack?.split('\n').slice(1).join('\n');
    } else {
      text = typeof message === 'string' ? message : JSON.stringify(message);
    }
    // Logger.error(message, stack, context): the stack as the detail.
    const extra = params.filter((p) => p !== undefined).map((p) => (typeof p === 'string' ? p : p instanceof Error ? (p.stack ?? p.message) : JSON.stringify(p)));
    if (extra.length > 0) detail = [detail, ...extra].filter(Boolean).join('\n');
    this.write(effective, context, text, undefined, detail);
  }
}

/** The logger configured by the settings (stdout). */
export function serverLogger(settings: { log_level: LogLevel; log_format: LogFormat }): ServerLogger {
  return new ServerLogger({ level: settings.log_level, format: settings.log_format });
}
