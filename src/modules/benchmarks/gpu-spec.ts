import { CatalogError } from './catalog-errors';
import { GpuSpec, InterconnectKind } from './catalog.types';

type Raw = Record<string, unknown>;

const GIB = 1024 ** 3;

/**
 * Reads a GPU row in the schema of data/gpus.json (a catalog row or an entry under `gpus:` in the
 * config file). Throws a CatalogError naming the first missing or invalid field.
 */
export function gpuSpecFromRow(input: unknown, where: string): GpuSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new CatalogError(`${where}: expected an object with the fields of data/gpus.json`);
  const raw = input as Raw;
  const id = typeof raw.id === 'string' && raw.id.length > 0 ? raw.id : undefined;
  if (!id) throw new CatalogError(`${where}: field "id" is required (e.g. "NVIDIA-L4")`);
  const at = `${where} (GPU "${id}")`;
  const num = (key: string): number | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !(v > 0)) throw new CatalogError(`${at}: field "${key}" must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  // Memory in GiB where the source says so; otherwise the marketed decimal GB (the smaller reading).
  const gib = num('memory_gib');
  const gb = num('memory_gb_marketed');
  if (gib === undefined && gb === undefined) throw new CatalogError(`${at}: field "memory_gib" (or "memory_gb_marketed") is required`);
  const bandwidth = num('memory_bandwidth_tbs');
  if (bandwidth === undefined) throw new CatalogError(`${at}: field "memory_bandwidth_tbs" is required`);
  const flops16 = num('bf16_dense_tflops') ?? num('fp16_dense_tflops');
  if (flops16 === undefined)
    throw new CatalogError(`${at}: field "bf16_dense_tflops" (or "fp16_dense_tflops") is required: the catalog has no 16-bit tensor TFLOPS for this GPU`);
  const fp8 = num('fp8_dense_tflops');
  const ic = (typeof raw.interconnect === 'object' && raw.interconnect !== null ? raw.interconnect : {}) as Raw;
  const icType = typeof ic.type === 'string' ? ic.type : '';
  const fabric = /nvlink|infinity fabric|xgmi/i.test(icType.replace(/no nvlink[^;)]*/gi, ''));
  const kind: InterconnectKind = fabric ? 'fabric' : 'pcie';
  const perDirection =
    typeof ic.bandwidth_gbs_per_direction === 'number'
      ? ic.bandwidth_gbs_per_direction
      : typeof ic.bandwidth_gbs_bidirectional === 'number'
        ? ic.bandwidth_gbs_bidirectional / 2
        : kind === 'fabric' ? 300 : 32; // unknown: NVLink 3 / PCIe Gen4 x16
  const aliases = raw.aliases ?? [];
  if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string'))
    throw new CatalogError(`${at}: field "aliases" must be a list of names`);
  return {
    id,
    name: typeof raw.name === 'string' ? raw.name : id,
    memoryBytes: gib !== undefined ? gib * GIB : gb! * 1e9,
    bandwidthBytesPerS: bandwidth * 1e12,
    peakFlops16: flops16 * 1e12,
    peakFlopsFp8: fp8 !== undefined ? fp8 * 1e12 : undefined,
    interconnect: { kind, bytesPerS: perDirection * 1e9 },
    aliases: aliases as string[],
    source: typeof raw.source === 'string' ? raw.source : where,
  };
}
