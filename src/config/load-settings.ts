import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { Settings, SettingKey } from './settings';
import { SETTING_SOURCES, SettingSource, VLLM_BOOLEAN_FLAGS } from './setting-sources';
import { PROJECT_ROOT } from './paths';

/** A start-up setting that cannot be used; main prints the message and exits with code 2. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

type RawValue = string | string[] | boolean | number | unknown[];
type RawSettings = Partial<Record<SettingKey, RawValue>>;

export interface ParsedArgs {
  values: RawSettings;
  /** vLLM flags the simulator accepts and ignores, kept for a start-up log line. */
  ignored: string[];
  help: boolean;
}

const BY_FLAG = new Map<string, SettingSource>();
for (const source of SETTING_SOURCES) for (const flag of source.flags) BY_FLAG.set(flag, source);

/** Parses vLLM-style argv: `[serve] [MODEL] --flag value --flag=value --no-flag ...`. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values: RawSettings = {};
  const ignored: string[] = [];
  let help = false;
  let i = 0;
  if (argv[0] === 'serve') i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (values.model === undefined) values.model = arg;
      else ignored.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (name === '--no-grpc') {
      values.grpc_port = '-1';
      continue;
    }
    const source = BY_FLAG.get(name) ?? BY_FLAG.get(name.replace(/_/g, '-'));
    if (!source && name.startsWith('--no-') && BY_FLAG.get(`--${name.slice(5)}`)?.kind === 'bool') {
      values[BY_FLAG.get(`--${name.slice(5)}`)!.key] = false;
      continue;
    }
    if (!source) {
      ignored.push(name);
      const takesValue = inline === undefined && !VLLM_BOOLEAN_FLAGS.has(name) && !name.startsWith('--no-');
      if (takesValue && i + 1 < argv.length && !argv[i + 1].startsWith('-')) i++;
      continue;
    }
    if (source.kind === 'bool') {
      values[source.key] = inline === undefined ? true : inline;
      continue;
    }
    if (source.kind === 'list') {
      const items: string[] = inline !== undefined ? [inline] : [];
      while (inline === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('-')) items.push(argv[++i]);
      if (items.length === 0) throw new SettingsError(`Flag ${name} needs a value.`);
      const before = values[source.key];
      values[source.key] = source.repeatable && Array.isArray(before) ? [...(before as string[]), ...items] : items;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new SettingsError(`Flag ${name} needs a value.`);
    values[source.key] = value;
  }
  return { values, ignored, help };
}

export function readEnv(env: NodeJS.ProcessEnv): RawSettings {
  const values: RawSettings = {};
  for (const source of SETTING_SOURCES) {
    const value = source.env ? env[source.env] : undefined;
    if (value !== undefined && value !== '') values[source.key] = source.kind === 'list' ? value.split(source.repeatable ? /\s+/ : /[,\s]+/).filter(Boolean) : value;
  }
  return values;
}

function readConfigFile(path: string, explicit: boolean): RawSettings {
  const file = isAbsolute(path) ? path : resolve(process.cwd(), path);
  if (!existsSync(file)) {
    if (explicit) throw new SettingsError(`Config file ${path} does not exist.`);
    return {};
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SettingsError(`Config file ${path} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new SettingsError(`Config file ${path} must hold a mapping of settings.`);
  const known = new Set<string>([...SETTING_SOURCES.map((s) => s.key), 'gpus', 'models']);
  // The config file may give the additional models as mappings of per-model settings.
  const values: RawSettings = {};
  for (const [rawKey, value] of Object.entries(doc as Record<string, unknown>)) {
    const key = rawKey.replace(/-/g, '_');
    if (!known.has(key)) throw new SettingsError(`Config file ${path}: unknown setting '${rawKey}'. Known: ${[...known].join(', ')}.`);
    values[key as SettingKey] = value as RawValue;
  }
  values.config = file;
  return values;
}

function describe(source: SettingSource | undefined, key: string): string {
  if (!source) return key;
  return [key, source.flags[0], source.env].filter(Boolean).join(' / ');
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
    case 'bool': {
      const v = value.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      return fail('a boolean (true/false)');
    }
    case 'list':
      return source.repeatable ? value.split(/\s+/).filter(Boolean) : value.split(/[,\s]+/).filter(Boolean);
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
  ignoredFlags: string[];
  help: boolean;
}

/** flag > environment > config file > default. */
export function loadSettings(argv: readonly string[], env: NodeJS.ProcessEnv): LoadedSettings {
  const args = parseArgs(argv);
  const fromEnv = readEnv(env);
  const explicitFile = (args.values.config ?? fromEnv.config) as string | undefined;
  const fromFile = readConfigFile(explicitFile ?? resolve(PROJECT_ROOT, 'config/simulator.yaml'), explicitFile !== undefined);
  const settings = validateSettings({ ...fromFile, ...fromEnv, ...args.values });
  return { settings, ignoredFlags: args.ignored, help: args.help };
}

export function helpText(): string {
  const lines = ['Usage: vllm-simulator [serve] [MODEL] [--flag value ...]', '       vllm-simulator simulate --workload FILE', '', 'Settings (flag / env var):'];
  for (const s of SETTING_SOURCES) lines.push(`  ${s.flags.join(', ').padEnd(34)} ${(s.env ?? '').padEnd(24)} ${s.help}`);
  lines.push('', 'Other vLLM flags are accepted and ignored.');
  return lines.join('\n');
}
