import { readFileSync, statSync } from 'node:fs';
import { PlannedRequest, PlannedWorkload } from './planned-request';
import { FreshTokens, PromptRun, PromptShape, shapeLength } from './prompt-shape';
import { SimulateInputError, SIMULATE_LIMITS } from './simulate-errors';

/** Tokens per `hash_ids` entry in Mooncake's traces (their KV page size). */
export const MOONCAKE_BLOCK_SIZE = 512;

/** One row of a trace. */
export interface TraceRow {
  /** ms from the start of the trace. */
  timestamp: number;
  input_length: number;
  output_length: number;
  /** Mooncake: one id per block of the prompt; equal ids at the start of two prompts mean a shared prefix. */
  hash_ids?: number[];
  /** Requests of one conversation: each later one starts with the earlier prompt and its reply. */
  session_id?: string;
}

export interface TraceOptions {
  /** Tokens per hash id. */
  blockSize?: number;
}

const MAX_ERRORS = 10;
const MAX_LENGTH = 10_000_000;

function fail(source: string, errors: string[]): never {
  const more = errors.length > MAX_ERRORS ? `\n  ... and more` : '';
  throw new SimulateInputError(`Invalid trace ${source}:\n  ${errors.slice(0, MAX_ERRORS).join('\n  ')}${more}`);
}

/** Checks one row's fields; pushes what is wrong. */
function readRow(raw: Record<string, unknown>, where: string, errors: string[]): TraceRow | null {
  const before = errors.length;
  const num = (key: string, integer: boolean, min: number): number => {
    const v = raw[key];
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (!Number.isFinite(n) || n < min || n > (key === 'timestamp' ? 1e12 : MAX_LENGTH) || (integer && !Number.isInteger(n))) {
      errors.push(`${where}: ${key} must be ${integer ? 'an integer' : 'a number'} of at least ${min}${v === undefined ? ' (missing)' : `, got ${JSON.stringify(v)}`}`);
    }
    return n;
  };
  const timestamp = num('timestamp', false, 0);
  const input_length = num('input_length', true, 1);
  const output_length = num('output_length', true, 1);
  let hash_ids: number[] | undefined;
  const h = raw.hash_ids;
  if (h !== undefined && h !== null && h !== '') {
    const list = Array.isArray(h) ? h : typeof h === 'string' ? parseIdList(h) : null;
    if (!list || !list.every((x) => Number.isInteger(x) && (x as number) >= 0)) errors.push(`${where}: hash_ids must be a list of non-negative integers`);
    else hash_ids = list as number[];
  }
  const s = raw.session_id;
  const session_id = s === undefined || s === null || s === '' ? undefined : typeof s === 'string' || typeof s === 'number' ? String(s) : undefined;
  if (s !== undefined && s !== null && s !== '' && session_id === undefined) errors.push(`${where}: session_id must be a string or a number`);
  return errors.length > before ? null : { timestamp, input_length, output_length, hash_ids, session_id };
}

/** `[1, 2, 3]`, `1 2 3`, `1;2;3` or `1|2|3` (CSV cells). */
function parseIdList(text: string): unknown[] | null {
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      const v = JSON.parse(t) as unknown;
      return Array.isArray(v) ? v : null;
    } catch {
      return null;
    }
  }
  return t.split(/[\s;|]+/).filter((x) => x !== '').map(Number);
}

/** Splits CSV text into rows of cells (double-quoted cells may hold commas, quotes doubled). */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      if (row.some((c) => c.trim() !== '')) rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  row.push(cell);
  if (row.some((c) => c.trim() !== '')) rows.push(row);
  return rows;
}

/** Parses a trace: JSONL (one object a line, Mooncake's format) or CSV with a header row. Unknown fields are ignored. */
export function parseTraceRows(text: string, source: string): TraceRow[] {
  const errors: string[] = [];
  const rows: TraceRow[] = [];
  const firstLine = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  if (firstLine === '') fail(source, ['the trace is empty']);
  const add = (row: TraceRow | null): void => {
    if (row) rows.push(row);
    if (rows.length > SIMULATE_LIMITS.maxRequests) fail(source, [`more than ${SIMULATE_LIMITS.maxRequests} requests`]);
  };
  if (firstLine.startsWith('{')) {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '' || errors.length > MAX_ERRORS) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        errors.push(`line ${i + 1}: not a JSON object`);
        return;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) errors.push(`line ${i + 1}: not a JSON object`);
      else add(readRow(value as Record<string, unknown>, `line ${i + 1}`, errors));
    });
  } else {
    const [header, ...body] = csvRows(text);
    const names = header.map((h) => h.trim().toLowerCase());
    for (const required of ['timestamp', 'input_length', 'output_length']) {
      if (!names.includes(required)) fail(source, [`the CSV header has no ${required} column (it has: ${names.join(', ')})`]);
    }
    body.forEach((cells, i) => {
      if (errors.length > MAX_ERRORS) return;
      const raw: Record<string, unknown> = {};
      names.forEach((name, k) => (raw[name] = cells[k]));
      add(readRow(raw, `row ${i + 2}`, errors));
    });
  }
  if (errors.length > 0) fail(source, errors);
  if (rows.length === 0) fail(source, ['the trace has no requests']);
  return rows;
}

function truncated(shape: PromptShape, length: number): PromptRun[] {
  const out: PromptRun[] = [];
  let left = length;
  for (const run of shape) {
    if (left <= 0) break;
    out.push({ ...run, length: Math.min(run.length, left) } as PromptRun);
    left -= run.length;
  }
  return out;
}

/**
 * The trace's requests at its own timestamps, in timestamp order (ties keep file order). Prompts:
 * `hash_ids` become shared token blocks (so equal ids hit the prefix cache, as in the system the
 * trace came from); a request of a `session_id` seen before starts with the previous request's
 * prompt and reply (as much of it as fits); the rest is tokens nobody else sends.
 */
export function planTrace(rows: readonly TraceRow[], options: TraceOptions = {}): PlannedWorkload {
  const blockSize = options.blockSize ?? MOONCAKE_BLOCK_SIZE;
  const order = rows.map((_, i) => i).sort((a, b) => rows[a].timestamp - rows[b].timestamp || a - b);
  const fresh = new FreshTokens();
  const sessions = new Map<string, { prompt: PromptShape; output: number }>();
  const requests: PlannedRequest[] = order.map((i) => {
    const row = rows[i];
    let runs: PromptRun[] = [];
    if (row.hash_ids && row.hash_ids.length > 0) {
      for (let j = 0; j < row.hash_ids.length && j * blockSize < row.input_length; j++) {
        runs.push({ kind: 'block', hashId: row.hash_ids[j], length: Math.min(blockSize, row.input_length - j * blockSize) });
      }
    } else if (row.session_id !== undefined && sessions.has(row.session_id)) {
      const previous = sessions.get(row.session_id)!;
      runs = truncated([...previous.prompt, { kind: 'reply', length: previous.output }], row.input_length);
    }
    const own = row.input_length - shapeLength(runs);
    if (own > 0) runs.push(fresh.take(own));
    if (row.session_id !== undefined) sessions.set(row.session_id, { prompt: runs, output: row.output_length });
    return { arrival: row.timestamp, prompt: runs, outputTokens: row.output_length, stage: 0 };
  });
  // The window runs to the last arrival (inclusive), so its offered rate is the trace's.
  const end = rows[order[order.length - 1]].timestamp + 1;
  return { requests, stages: [{ start: 0, end }], classes: ['trace'], end };
}

export function loadTrace(path: string, options: TraceOptions = {}): PlannedWorkload {
  let text: string;
  try {
    if (statSync(path).size > SIMULATE_LIMITS.maxTraceBytes) throw new SimulateInputError(`Trace ${path} is larger than ${SIMULATE_LIMITS.maxTraceBytes / 1024 / 1024} MiB.`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof SimulateInputError) throw err;
    throw new SimulateInputError(`Cannot read trace ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return planTrace(parseTraceRows(text, path), options);
}
