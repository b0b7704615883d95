import { SettingsError, validateSettings } from './load-settings';
import { servedNames, SettingKey, Settings } from './settings';

/** The settings each served model may set for itself; every other setting is the server's. */
export const PER_MODEL_KEYS = [
  'model', 'served_model_name', 'gpu_type', 'tensor_parallel_size', 'max_model_len', 'max_num_seqs', 'max_num_batched_tokens',
  'gpu_memory_utilization', 'kv_cache_dtype', 'enable_prefix_caching', 'block_size', 'model_config', 'runner', 'convert', 'task', 'reasoning_parser',
] as const satisfies readonly SettingKey[];

/** Per-model settings an additional model takes from the server's unless it sets them (the hardware); the others are its own. */
const INHERITED = ['gpu_type', 'tensor_parallel_size', 'gpu_memory_utilization', 'kv_cache_dtype', 'enable_prefix_caching', 'block_size'] as const;

/** One additional model as given: `MODEL;key=value;...` (flags, env) or a mapping (config file). */
function entryOf(raw: unknown, index: number): Record<string, unknown> {
  const where = `additional_models[${index}]`;
  if (typeof raw === 'string') {
    const [model, ...pairs] = raw.split(';').map((p) => p.trim()).filter(Boolean);
    if (!model) throw new SettingsError(`${where}: '${raw}' names no model.`);
    const entry: Record<string, unknown> = { model };
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new SettingsError(`${where}: '${pair}' is not key=value.`);
      const key = pair.slice(0, eq).trim().replace(/-/g, '_');
      const value = pair.slice(eq + 1).trim();
      entry[key] = key === 'served_model_name' ? value.split(/[,\s]+/).filter(Boolean) : value;
    }
    return entry;
  }
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return { ...(raw as Record<string, unknown>) };
  throw new SettingsError(`${where}: expected 'MODEL;key=value;...' or a mapping of per-model settings.`);
}

/**
 * The settings of every served model: the server's own (its `model`) first, then each additional
 * model's, which are the server's with that model's own settings (PER_MODEL_KEYS) over them.
 * Names clients use must not be shared by two models. Throws a SettingsError naming the entry.
 */
export function servedModelSettings(settings: Settings): Settings[] {
  const extras = (settings.additional_models ?? []).map((raw, i) => {
    const entry = entryOf(raw, i);
    const unknown = Object.keys(entry).filter((k) => !(PER_MODEL_KEYS as readonly string[]).includes(k));
    if (unknown.length > 0) {
      throw new SettingsError(`additional_models[${i}]: ${unknown.join(', ')} cannot be set per model. Per-model settings: ${PER_MODEL_KEYS.join(', ')}.`);
    }
    const base: Record<string, unknown> = { ...settings, additional_models: undefined };
    for (const key of PER_MODEL_KEYS) if (!(INHERITED as readonly string[]).includes(key)) delete base[key];
    try {
      return validateSettings({ ...base, ...entry } as never);
    } catch (err) {
      throw err instanceof SettingsError ? new SettingsError(`additional_models[${i}] (${String(entry.model)}): ${err.message}`) : err;
    }
  });
  const all = [settings, ...extras];
  const owner = new Map<string, string>();
  for (const s of all) {
    for (const name of servedNames(s)) {
      const other = owner.get(name);
      if (other !== undefined) throw new SettingsError(`The served model name '${name}' is used by two models (${other} and ${s.model}).`);
      owner.set(name, s.model);
    }
  }
  return all;
}
