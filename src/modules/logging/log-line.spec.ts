import { formatAccessLine } from './access-log';
import { formatJsonLine, formatTextLine, LogRecord } from './log-line';
import { ServerLogger } from './server-logger';
import { thousands } from './start-summary';

const at = new Date(2026, 11, 1, 9, 5, 7);

describe('log lines', () => {
  it("text: vLLM's layout, and uvicorn's for uvicorn sources", () => {
    const record: LogRecord = { time: at, level: 'INFO', source: 'loggers', message: 'Engine 000: ...', pid: 7 };
    expect(formatTextLine(record)).toBe('(APIServer pid=7) INFO 12-01 09:05:07 [loggers] Engine 000: ...');
    expect(formatTextLine({ ...record, level: 'WARNING', source: 'uvicorn.error', message: 'x' })).toBe('(APIServer pid=7) WARNING:  x');
    expect(formatTextLine({ ...record, source: 'uvicorn.access', message: 'y' })).toBe('(APIServer pid=7) INFO:     y');
    // A detail (stack) goes under the message, each line with the header.
    expect(formatTextLine({ ...record, level: 'ERROR', message: 'boom', detail: '  at a\n  at b' }).split('\n')).toEqual([
      '(APIServer pid=7) ERROR 12-01 09:05:07 [loggers] boom',
      '(APIServer pid=7) ERROR 12-01 09:05:07 [loggers]   at a',
      '(APIServer pid=7) ERROR 12-01 09:05:07 [loggers]   at b',
    ]);
  });

  it('json: one object per line with the fields', () => {
    const line = formatJsonLine({ time: at, level: 'INFO', source: 'uvicorn.access', message: 'a\nb', pid: 7, fields: { status: 200 } });
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ time: at.toISOString(), level: 'INFO', logger: 'uvicorn.access', message: 'a\nb', pid: 7, status: 200 });
  });

  it("uvicorn's access message", () => {
    expect(formatAccessLine({ client: '127.0.0.1:54321', method: 'POST', path: '/v1/chat/completions', httpVersion: '1.1', status: 200 })).toBe(
      '127.0.0.1:54321 - "POST /v1/chat/completions HTTP/1.1" 200 OK',
    );
    expect(formatAccessLine({ client: '::1:1', method: 'GET', path: '/x?y=1', httpVersion: '1.1', status: 429 })).toBe('::1:1 - "GET /x?y=1 HTTP/1.1" 429 Too Many Requests');
  });
});

describe('ServerLogger as Nest logger', () => {
  function collect(level: 'info' | 'debug' | 'error' | 'silent') {
    const lines: string[] = [];
    const logger = new ServerLogger({ level, format: 'text', sink: (l) => lines.push(l), now: () => at });
    return { logger, lines };
  }

  it("prints Nest's own narration at debug, the app's lines at their level", () => {
    const { logger, lines } = collect('info');
    logger.log('Mapped {/v1/models, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('loaded 23 patterns', 'Responses');
    logger.warn('careful', 'Admin');
    expect(lines).toEqual([`(APIServer pid=${process.pid}) INFO 12-01 09:05:07 [Responses] loaded 23 patterns`, `(APIServer pid=${process.pid}) WARNING 12-01 09:05:07 [Admin] careful`]);
  });

  it('error(message, stack, context) puts the stack under the message; the level filters', () => {
    const { logger, lines } = collect('error');
    logger.log('not shown', 'X');
    logger.error('failed', 'Error: failed\n    at f (x.js:1:1)', 'Engine');
    const head = `(APIServer pid=${process.pid}) ERROR 12-01 09:05:07 [Engine]`;
    expect(lines).toHaveLength(1);
    expect(lines[0].split('\n')).toEqual([`${head} failed`, `${head} Error: failed`, `${head}     at f (x.js:1:1)`]);
    const silent = collect('silent');
    silent.logger.error('x', 'Y');
    expect(silent.lines).toEqual([]);
  });
});

describe('start summary figures', () => {
  it("thousands separators as Python's {:,}", () => {
    expect([0, 999, 1000, 52512, 1234567, 131072].map(thousands)).toEqual(['0', '999', '1,000', '52,512', '1,234,567', '131,072']);
  });
});
