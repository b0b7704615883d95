/**
 * The two line formats of the server's log, as pure functions.
 *
 * text: vLLM's own layout, `(APIServer pid=N) INFO 12-01 16:54:12 [source] message` (vLLM's
 *   `_FORMAT` "%(levelname)s %(asctime)s [%(fileinfo)s:%(lineno)d] %(message)s" with date format
 *   "%m-%d %H:%M:%S", behind the process prefix vLLM's API server adds), and uvicorn's for the
 *   `uvicorn*` sources, `(APIServer pid=N) INFO:     127.0.0.1:54321 - "GET /health HTTP/1.1" 200 OK`.
 *   The source is a short name, without the line number vLLM's Python files would have.
 * json: one object per line, `{"time", "level", "logger", "message", "pid", ...fields}`.
 */

/** vLLM's (Python logging's) level names. */
export type LogLevelName = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export const LEVEL_RANK: Record<LogLevelName, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };

export type LogFields = Record<string, string | number | boolean | null>;

export interface LogRecord {
  time: Date;
  level: LogLevelName;
  /** Where it comes from: a vLLM-like file name (`api_server`, `loggers`), a module, or `uvicorn.access`. */
  source: string;
  message: string;
  pid: number;
  /** Structured values of the message, for the JSON format (the text already says them). */
  fields?: LogFields;
  /** A stack trace or other detail printed under the message. */
  detail?: string;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `12-01 16:54:12`: Python's "%m-%d %H:%M:%S", local time. */
export function vllmTimestamp(time: Date): string {
  return `${pad2(time.getMonth() + 1)}-${pad2(time.getDate())} ${pad2(time.getHours())}:${pad2(time.getMinutes())}:${pad2(time.getSeconds())}`;
}

/** uvicorn's level prefix: `INFO:` padded to nine columns, then the message after one space. */
function uvicornLevel(level: LogLevelName): string {
  return `${level}:`.padEnd(9);
}

export function isUvicornSource(source: string): boolean {
  return source === 'uvicorn' || source.startsWith('uvicorn.');
}

/** One text line (more when the record has a detail, each under the same header, as vLLM's NewLineFormatter does). */
export function formatTextLine(record: LogRecord): string {
  const processPrefix = `(APIServer pid=${record.pid}) `;
  const header = isUvicornSource(record.source)
    ? `${processPrefix}${uvicornLevel(record.level)} `
    : `${processPrefix}${record.level} ${vllmTimestamp(record.time)} [${record.source}] `;
  const body = record.detail ? `${record.message}\n${record.detail}` : record.message;
  return body
    .split('\n')
    .map((line) => header + line)
    .join('\n');
}

/** One JSON object (no newline inside: JSON.stringify escapes them). */
export function formatJsonLine(record: LogRecord): string {
  return JSON.stringify({
    time: record.time.toISOString(),
    level: record.level,
    logger: record.source,
    message: record.message,
    pid: record.pid,
    ...record.fields,
    ...(record.detail ? { detail: record.detail } : {}),
  });
}
