import { SettingKey } from './settings';
import { SETTING_SOURCES, SettingSource } from './setting-sources';
import { AcceptedVllmFlag, FlagArity, IGNORED_BECAUSE, IGNORED_VLLM_FLAGS } from './vllm-flags';

/** The first line argparse prints before an error; the CLI prints it too. */
export const USAGE = 'usage: vllm-simulator [serve] [MODEL] [--flag value ...]   (vllm-simulator --help lists the flags)';

/**
 * The command line cannot be parsed (unknown or ambiguous flag, missing value): exit code 2 with
 * `usage:` and `error:` lines, as vLLM's argparse ends.
 */
export class CommandLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandLineError';
  }
}

export type RawValue = string | string[] | boolean | number | unknown[];
export type RawSettings = Partial<Record<SettingKey, RawValue>>;

/** A vLLM flag taken and not acted on, for the start-up log (one line per flag). */
export interface IgnoredFlag {
  flag: string;
  /** The value(s) given, as typed. */
  value?: string;
  reason: string;
}

export interface ParsedArgs {
  values: RawSettings;
  /** vLLM flags accepted and ignored, each once, in the order given. */
  ignored: IgnoredFlag[];
  help: boolean;
}

/** What an option string stands for. */
type Target =
  | { kind: 'setting'; source: SettingSource; negated: boolean }
  | { kind: 'ignored'; row: AcceptedVllmFlag; negated: boolean }
  | { kind: 'help' }
  | { kind: 'no-grpc' };

function buildOptionTable(): Map<string, Target> {
  const table = new Map<string, Target>();
  for (const source of SETTING_SOURCES) {
    for (const flag of source.flags) {
      table.set(flag, { kind: 'setting', source, negated: false });
      // argparse's BooleanOptionalAction registers --no-FLAG beside --FLAG.
      if (source.kind === 'bool' && flag.startsWith('--')) table.set(`--no-${flag.slice(2)}`, { kind: 'setting', source, negated: true });
    }
  }
  for (const row of IGNORED_VLLM_FLAGS) {
    for (const flag of row.flags) {
      if (!table.has(flag)) table.set(flag, { kind: 'ignored', row, negated: false });
      if (row.arity === 'none' && flag.startsWith('--') && !table.has(`--no-${flag.slice(2)}`)) table.set(`--no-${flag.slice(2)}`, { kind: 'ignored', row, negated: true });
    }
  }
  table.set('--help', { kind: 'help' });
  table.set('-h', { kind: 'help' });
  table.set('--no-grpc', { kind: 'no-grpc' });
  return table;
}

const OPTIONS = buildOptionTable();

/** Every option string the simulator knows (settings, their --no- forms, accepted vLLM flags). */
export function knownOptions(): string[] {
  return [...OPTIONS.keys()];
}

/** A token that is a value, not an option: anything not starting with '-', and negative numbers. */
function isValue(token: string | undefined): boolean {
  return token !== undefined && (!token.startsWith('-') || token === '-' || /^-\d/.test(token));
}

/** vLLM's FlexibleArgumentParser takes `--max_model_len` for `--max-model-len` (only in the name). */
function normalizeName(name: string): string {
  return name.startsWith('--') ? `--${name.slice(2).replace(/_/g, '-')}` : name;
}

/**
 * The option a name stands for, as argparse resolves it: an exact option string first; otherwise,
 * for `--long` names, the one option it is an unambiguous prefix of (allow_abbrev). vLLM's
 * `--json-arg.key value` form resolves on the part before the dot.
 */
function resolveOption(rawName: string): { name: string; target: Target } | { ambiguous: string[] } | undefined {
  const name = normalizeName(rawName);
  const exact = OPTIONS.get(name) ?? (name.includes('.') ? OPTIONS.get(name.slice(0, name.indexOf('.'))) : undefined);
  if (exact) return { name, target: exact };
  if (!name.startsWith('--') || name.length < 3) return undefined;
  const matches = [...OPTIONS.keys()].filter((option) => option.startsWith(name));
  const targets = new Set(matches.map((m) => OPTIONS.get(m)));
  if (targets.size === 1) return { name: matches[0], target: OPTIONS.get(matches[0])! };
  if (targets.size > 1) return { ambiguous: matches.sort() };
  return undefined;
}

/** Edit distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known option closest to an unknown one, when close enough to be a typo (similarity ≥ 0.6,
 * the cutoff of Python's difflib.get_close_matches, which argparse's suggest_on_error uses).
 */
export function suggestOption(unknown: string): string | undefined {
  const name = normalizeName(unknown.split('=')[0]);
  let best: string | undefined;
  let bestScore = 0;
  for (const option of OPTIONS.keys()) {
    if (!option.startsWith('--')) continue;
    const score = 1 - editDistance(name, option) / Math.max(name.length, option.length);
    if (score > bestScore) {
      bestScore = score;
      best = option;
    }
  }
  return bestScore >= 0.6 ? best : undefined;
}

/** Values an option takes from the argument list, starting after it. Returns the index of the last one used. */
function takeValues(argv: readonly string[], i: number, arity: FlagArity, inline: string | undefined): { values: string[]; last: number } {
  if (inline !== undefined) return { values: [inline], last: i };
  switch (arity) {
    case 'none':
      return { values: [], last: i };
    case 'one':
      return isValue(argv[i + 1]) ? { values: [argv[i + 1]!], last: i + 1 } : { values: [], last: i };
    case 'optional':
      return isValue(argv[i + 1]) ? { values: [argv[i + 1]!], last: i + 1 } : { values: [], last: i };
    case 'many': {
      let last = i;
      const values: string[] = [];
      while (isValue(argv[last + 1])) values.push(argv[++last]);
      return { values, last };
    }
  }
}

const BOOLEAN_LITERAL = /^(true|false)$/i;

/**
 * A flag without a value, which older vLLM releases (StoreBoolean, nargs='?') also took as
 * `--flag True` / `--flag=false`: a following true/false goes with the flag, never to the model.
 */
function takeBoolean(argv: readonly string[], i: number, inline: string | undefined): { values: string[]; last: number } {
  if (inline !== undefined) return { values: [inline], last: i };
  return BOOLEAN_LITERAL.test(argv[i + 1] ?? '') ? { values: [argv[i + 1]], last: i + 1 } : { values: [], last: i };
}

function arityOf(source: SettingSource): FlagArity {
  if (source.kind === 'bool') return 'none';
  return source.kind === 'list' ? 'many' : 'one';
}

/**
 * Parses vLLM-style argv: `[serve] [MODEL] --flag value --flag=value --no-flag ...`, strictly as
 * vLLM's argparse does: an unknown option or a second positional stops start-up
 * ("unrecognized arguments", with the nearest known flag when one is close), an unambiguous prefix
 * is taken as the flag it starts, an ambiguous one is an error naming the candidates.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values: RawSettings = {};
  const ignored = new Map<string, IgnoredFlag>();
  const unrecognized: string[] = [];
  const hints: string[] = [];
  let positional: string | undefined;
  let help = false;
  let i = argv[0] === 'serve' ? 1 : 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (isValue(arg)) {
      if (positional === undefined) positional = arg;
      else unrecognized.push(arg);
      continue;
    }
    if (arg === '--') {
      // argparse: everything after `--` is positional.
      for (const rest of argv.slice(i + 1)) {
        if (positional === undefined) positional = rest;
        else unrecognized.push(rest);
      }
      break;
    }
    const eq = arg.indexOf('=');
    const rawName = eq > 0 ? arg.slice(0, eq) : arg;
    let inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    // -O3 is vLLM's short form of --optimization-level 3.
    const shortO = /^-O(\d+)$/.exec(rawName);
    const resolved = shortO ? resolveOption('-O') : resolveOption(rawName);
    if (shortO) inline = shortO[1];
    if (resolved === undefined) {
      unrecognized.push(arg);
      // The unknown flag's value (if it looks like one) goes with it, so it is not taken for the model.
      if (inline === undefined && isValue(argv[i + 1])) unrecognized.push(argv[++i]);
      const hint = suggestOption(rawName);
      if (hint) hints.push(`${rawName}: did you mean ${hint}?`);
      continue;
    }
    if ('ambiguous' in resolved) throw new CommandLineError(`ambiguous option: ${rawName} could match ${resolved.ambiguous.join(', ')}`);
    const { name, target } = resolved;
    switch (target.kind) {
      case 'help':
        help = true;
        continue;
      case 'no-grpc':
        values.grpc_port = '-1';
        continue;
      case 'ignored': {
        const arity = target.negated ? 'none' : target.row.arity;
        const taken = arity === 'none' ? takeBoolean(argv, i, inline) : takeValues(argv, i, arity, inline);
        if (arity === 'one' && taken.values.length === 0) throw new CommandLineError(`argument ${name}: expected one argument`);
        if (arity === 'many' && taken.values.length === 0) throw new CommandLineError(`argument ${name}: expected at least one argument`);
        i = taken.last;
        const flag = target.row.flags[0];
        const shown = target.negated ? `--no-${flag.slice(2)}` : flag;
        if (!ignored.has(shown)) ignored.set(shown, { flag: shown, value: taken.values.length > 0 ? taken.values.join(' ') : undefined, reason: IGNORED_BECAUSE[target.row.reason] });
        continue;
      }
      case 'setting': {
        const { source } = target;
        if (source.kind === 'bool') {
          // --flag / --no-flag, and the --flag=true|false spelling.
          const taken = takeBoolean(argv, i, inline);
          i = taken.last;
          values[source.key] = target.negated ? false : (taken.values[0] ?? true);
          continue;
        }
        const taken = takeValues(argv, i, arityOf(source), inline);
        if (taken.values.length === 0) throw new CommandLineError(`argument ${name}: expected ${source.kind === 'list' ? 'at least one argument' : 'one argument'}`);
        i = taken.last;
        const before = values[source.key];
        // A repeatable list flag (--add-model) adds to what earlier occurrences gave; others replace it.
        if (source.repeatable && Array.isArray(before)) values[source.key] = [...(before as string[]), ...taken.values];
        else values[source.key] = source.kind === 'list' ? taken.values : taken.values[0];
        continue;
      }
    }
  }
  if (unrecognized.length > 0) {
    throw new CommandLineError([`unrecognized arguments: ${unrecognized.join(' ')}`, ...hints].join('\n'));
  }
  // vLLM: the positional model tag wins over --model.
  if (positional !== undefined) values.model = positional;
  return { values, ignored: [...ignored.values()], help };
}
