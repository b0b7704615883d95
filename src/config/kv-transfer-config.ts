import { parseJsonObject } from './kv-events-config';
import { SettingsError } from './load-settings';

/** vLLM's KVTransferConfig, the fields the simulator reads. */
export interface KvTransferConfig {
  connector: string;
  role: 'kv_producer' | 'kv_consumer' | 'kv_both';
}

const ROLES = ['kv_producer', 'kv_consumer', 'kv_both'] as const;

/**
 * `--kv-transfer-config` as vLLM takes it (`{"kv_connector": "NixlConnector", "kv_role": "kv_both", ...}`);
 * other fields (kv_buffer_device, kv_connector_extra_config, ...) are accepted as they are. Null when unset.
 */
export function resolveKvTransferConfig(text: string | undefined): KvTransferConfig | null {
  if (text === undefined) return null;
  const raw = parseJsonObject(text, '--kv-transfer-config');
  if (typeof raw.kv_connector !== 'string' || raw.kv_connector === '') throw new SettingsError('Invalid --kv-transfer-config: kv_connector must be a connector name (e.g. "NixlConnector").');
  const role = raw.kv_role ?? 'kv_both';
  if (!ROLES.includes(role as never)) throw new SettingsError(`Invalid --kv-transfer-config: kv_role must be one of ${ROLES.join(', ')}.`);
  return { connector: raw.kv_connector, role: role as KvTransferConfig['role'] };
}
