import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { Settings, SettingKey } from './settings';
import { SETTING_SOURCES, SettingSource } from './setting-sources';
import { IgnoredFlag, parseArgs, RawSettings, RawValue } from './command-line';
import { IGNORED_BECAUSE, IGNORED_VLLM_FLAGS } from './vllm-flags';
import { PROJECT_ROOT } from './paths';

/** A start-up setting that cannot be used; main prints the message and exits with code 2. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export { parseArgs } from './command-line';
export type { ParsedArgs, IgnoredFlag } from './command-line';

/** A list setting given as one string: comma- or space-separated; a repeatable one's items may hold commas, so spaces only. */
function listItems(source: SettingSource, value: string): string[] {
  return value.split(source.repeatable ? /\s+/ : /[,\s]+/).filter(Boolean);
}

export function readEnv(env: NodeJS.ProcessEnv): RawSettings {
  const values: RawSettings = {};
  for (const source of SETTING_SOURCES) {
    const value = envNames(source)
      .map((name) => env[name])
      .find((v) => v !== undefined && v !== '');
    if (value !== undefined && value !== '') values[source.key] = source.kind === 'list' ? listItems(source, value) : value;
  }
  return values;
}

const IGNORED_BY_KEY = new Map(IGNORED_VLLM_FLAGS.map((row) => [row.flags[0].slice(2).replace(/-/g, '_'), row]));

/** A config file's settings, and the vLLM keys in it that are accepted and ignored (as on the command line). */
interface ConfigFileValues {
  values: RawSettings;
  ignored: IgnoredFlag[];
}

function readConfigFile(path: string, explicit: boolean): ConfigFileValues {
  const file = isAbsolute(path) ? path : resolve(process.cwd(), path);
  if (!existsSync(file)) {
    if (explicit) throw new SettingsError(`Config file ${path} does not exist.`);
    return { values: {}, ignored: [] };
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SettingsError(`Config file ${path} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return { values: {}, ignored: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new SettingsError(`Config file ${path} must hold a mapping of settings.`);
  const known = new Set<string>([...SETTING_SOURCES.map((s) => s.key), 'gpus', 'models', 'faults']);
  // additional_models may hold mappings of per-model settings (validated in served-models.ts).
  const values: RawSettings = {};
  const ignored: IgnoredFlag[] = [];
  for (const [rawKey, value] of Object.entries(doc as Record<string, unknown>)) {
    const key = rawKey.replace(/-/g, '_');
    const vllmRow = IGNORED_BY_KEY.get(key);
    if (!known.has(key) && vllmRow) {
      // vLLM's --config YAML takes its flags as keys; the ones without effect here are logged, as on the command line.
      ignored.push({ flag: vllmRow.flags[0], value: typeof value === 'object' ? JSON.stringify(value) : String(value), reason: IGNORED_BECAUSE[vllmRow.reason] });
      continue;
    }
    if (!known.has(key)) throw new SettingsError(`Config file ${path}: unknown setting '${rawKey}'. Known: ${[...known].join(', ')}.`);
    values[key as SettingKey] = value as RawValue;
  }
  values.config = file;
  return { values, ignored };
}

/** The environment variables a setting reads, the first set wins. */
export function envNames(source: SettingSource): string[] {
  return source.env === undefined ? [] : [source.env].flat();
}

function describe(source: SettingSource | undefined, key: string): string {
  if (!source) return key;
  return [key, source.flags[0], ...envNames(source)].filter(Boolean).join(' / ');
}

/** Milliseconds from a number (ms) or a Go duration (`250ms`, `1.5s`, `2m`, `1h30m`, `500us`); NaN when neither. */
export function parseDurationMs(text: string): number {
  const t = text.trim();
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) return NaN;
  return parts.reduce((ms, p) => ms + Number(p[1]) * unit[p[2]], 0);
}

function coerce(key: SettingKey, value: RawValue): unknown {
  const source = SETTING_SOURCES.find((s) => s.key === key);
  if (!source || typeof value !== 'string') return value;
  const fail = (what: string): never => {
    throw new SettingsError(`Invalid setting ${describe(source, key)}: '${value}' is not ${what}.`);
  };
  switch (source.kind) {
    case 'int': {
      const n = Number(value.trim());
      return value.trim() !== '' && Number.isInteger(n) ? n : fail('an integer');
    }
    case 'number': {
      const n = Number(value.trim());
      return value.trim() !== '' && Number.isFinite(n) ? n : fail('a number');
    }
    case 'duration': {
      const ms = parseDurationMs(value);
      return Number.isFinite(ms) ? ms : fail('a duration (milliseconds, or a number with ns, us, ms, s, m or h)');
    }
    case 'bool': {
      const v = value.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      return fail('a boolean (true/false)');
    }
    case 'list':
      return listItems(source, value);
    default:
      return value;
  }
}

function constraintText(error: ValidationError): string {
  return Object.values(error.constraints ?? {}).join('; ') || 'invalid';
}

export function validateSettings(raw: RawSettings): Settings {
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) plain[key] = coerce(key as SettingKey, value as RawValue);
  const settings = plainToInstance(Settings, plain, { exposeDefaultValues: true });
  const errors = validateSync(settings, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const source = SETTING_SOURCES.find((s) => s.key === e.property);
      return `Invalid setting ${describe(source, e.property)}: ${JSON.stringify(e.value)} (${constraintText(e)}).`;
    });
    throw new SettingsError(lines.join('\n'));
  }
  // As vLLM 0.7-0.9 refused it (newer vLLM has no such flag).
  if (settings.enable_reasoning && !settings.reasoning_parser) throw new SettingsError('--enable-reasoning requires --reasoning-parser (REASONING_PARSER).');
  return settings;
}

export interface LoadedSettings {
  settings: Settings;
  /** vLLM flags accepted and not acted on (command line, then config file), by name. */
  ignoredFlags: string[];
  /** The same with their values and why, for the start-up log. */
  ignored: IgnoredFlag[];
  help: boolean;
}

/** flag > environment > config file > default. */
export function loadSettings(argv: readonly string[], env: NodeJS.ProcessEnv): LoadedSettings {
  const args = parseArgs(argv);
  const fromEnv = readEnv(env);
  const explicitFile = (args.values.config ?? fromEnv.config) as string | undefined;
  const fromFile = readConfigFile(explicitFile ?? resolve(PROJECT_ROOT, 'config/simulator.yaml'), explicitFile !== undefined);
  const settings = validateSettings({ ...fromFile.values, ...fromEnv, ...args.values });
  const ignored = [...args.ignored, ...fromFile.ignored.filter((f) => !args.ignored.some((a) => a.flag === f.flag))];
  return { settings, ignoredFlags: ignored.map((f) => f.flag), ignored, help: args.help };
}

export function helpText(): string {
  const lines = ['Usage: vllm-simulator [serve] [MODEL] [--flag value ...]', '       vllm-simulator simulate --workload FILE', '', 'Settings (flag / env var):'];
  for (const s of SETTING_SOURCES) lines.push(`  ${s.flags.join(', ').padEnd(34)} ${envNames(s).join(', ').padEnd(24)} ${s.help}`);
  lines.push('', 'vLLM flags accepted and ignored (each logged once at start-up), by reason:');
  for (const [reason, why] of Object.entries(IGNORED_BECAUSE)) {
    const flags = IGNORED_VLLM_FLAGS.filter((row) => row.reason === reason).map((row) => row.flags.join('/'));
    lines.push(`  ${why}:`, ...wrap(flags.join(' '), 96).map((l) => `    ${l}`));
  }
  lines.push('', 'Any other flag stops start-up (exit code 2), as in vLLM; an unambiguous prefix of a flag is taken for it.');
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
