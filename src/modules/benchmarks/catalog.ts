import { readFileSync } from 'node:fs';
import type { Settings } from '../../config/settings';
import { CatalogError, UnknownGpuError, UnknownModelError } from './catalog-errors';
import { GpuSpec, ModelSpec, WeightsDtype } from './catalog.types';
import { baseModelName, quantizationFromName } from './quantization';
import { readDataFile } from './data-files';
import { gpuSpecFromRow } from './gpu-spec';
import { modelSpecFromConfig } from './model-spec';

/** Extra entries a user declares (config file `models:` / `gpus:`, `--model-config`). */
export interface CatalogExtras {
  models?: unknown[];
  gpus?: unknown[];
  /** Path of a Hugging Face config.json describing the served model. */
  modelConfigPath?: string;
  /** Id to give the model of `modelConfigPath` when its config names none (the `--model` value). */
  modelConfigId?: string;
}

/** Lower-case, vendor prefix and separators removed: "NVIDIA-A100-80GB" and "a100 80gb" meet. */
function gpuKey(name: string): string {
  return name.toLowerCase().replace(/^(nvidia|amd)[\s_-]*/, '').replace(/[^a-z0-9]/g, '');
}

/**
 * The model and GPU catalogs: data/models.json and data/gpus.json plus the user's extras, with
 * name resolution as users write names. Rows without enough facts stay listed, with the reason,
 * so resolving them explains what is missing.
 */
export class Catalog {
  private readonly models = new Map<string, ModelSpec>();
  private readonly unusableModels = new Map<string, string>();
  private readonly gpus = new Map<string, GpuSpec>();
  private readonly unusableGpus = new Map<string, string>();
  private readonly gpuKeys = new Map<string, string>();

  constructor(modelRows: readonly unknown[], gpuRows: readonly unknown[], extras: CatalogExtras = {}) {
    modelRows.forEach((row, i) => this.addModelRow(row, `data/models.json models[${i}]`, false));
    gpuRows.forEach((row, i) => this.addGpuRow(row, `data/gpus.json gpus[${i}]`, false));
    // User entries are validated strictly: a bad field stops start-up.
    (extras.models ?? []).forEach((row, i) => this.addModelRow(row, `config file models[${i}]`, true));
    (extras.gpus ?? []).forEach((row, i) => this.addGpuRow(row, `config file gpus[${i}]`, true));
    if (extras.modelConfigPath) this.addModel(loadHfConfig(extras.modelConfigPath, extras.modelConfigId));
  }

  /** The catalog of data/ plus the given extras. */
  static load(extras: CatalogExtras = {}, dataDir?: string): Catalog {
    const models = readDataFile<{ models: unknown[] }>('models.json', dataDir).models;
    const gpus = readDataFile<{ gpus: unknown[] }>('gpus.json', dataDir).gpus;
    return new Catalog(models, gpus, extras);
  }

  listModels(): string[] {
    return [...this.models.keys(), ...this.unusableModels.keys()].sort();
  }

  listGpus(): string[] {
    return [...this.gpus.keys(), ...this.unusableGpus.keys()].sort();
  }

  /**
   * By exact id, case-insensitively, or by the part after the slash ("Mistral-7B-Instruct-v0.3"). A
   * quantized checkpoint of a catalogued model ("RedHatAI/Llama-3.1-8B-Instruct-FP8-dynamic",
   * "Qwen2.5-7B-Instruct-AWQ") resolves to its base model with the format its name announces.
   */
  resolveModel(name: string): ModelSpec {
    let id = this.findModelId(name);
    let quantization: WeightsDtype | null = null;
    if (id === undefined) {
      quantization = quantizationFromName(name);
      if (quantization !== null) id = this.findModelId(baseModelName(name));
    }
    if (id === undefined) throw new UnknownModelError(name, this.listModels());
    const reason = this.unusableModels.get(id);
    if (reason !== undefined)
      throw new CatalogError(`Model "${id}" is listed in data/models.json without enough facts to simulate it: ${reason}. Pass its config.json with --model-config PATH.`);
    const spec = this.models.get(id)!;
    return quantization === null ? spec : { ...spec, quantization };
  }

  /** By id or alias, case-insensitively, with or without vendor prefix and separators. */
  resolveGpu(name: string): GpuSpec {
    const id = this.gpuKeys.get(gpuKey(name));
    if (id === undefined) throw new UnknownGpuError(name, this.listGpus());
    const reason = this.unusableGpus.get(id);
    if (reason !== undefined) throw new CatalogError(`GPU "${id}" cannot be simulated: ${reason}. Declare it with the missing figures under "gpus:" in the config file.`);
    return this.gpus.get(id)!;
  }

  private findModelId(name: string): string | undefined {
    const all = [...this.models.keys(), ...this.unusableModels.keys()];
    if (all.includes(name)) return name;
    const lower = name.toLowerCase();
    // "Meta-Llama-3.1-8B-Instruct" is how quantizers name meta-llama/Llama-3.1-8B-Instruct.
    const bare = (s: string): string => s.toLowerCase().split('/').pop()!.replace(/^meta-(?=llama-3\.)/, '');
    return (
      all.find((id) => id.toLowerCase() === lower) ??
      all.find((id) => id.toLowerCase().split('/').pop() === lower.split('/').pop()) ??
      all.find((id) => bare(id) === bare(name))
    );
  }

  private addModelRow(row: unknown, where: string, strict: boolean): void {
    try {
      this.addModel(modelSpecFromConfig(row, undefined, where));
    } catch (e) {
      const id = (row as { id?: unknown } | null)?.id;
      if (strict || !(e instanceof CatalogError) || typeof id !== 'string') throw e;
      this.unusableModels.set(id, e.message.replace(/^.*?\): /, ''));
    }
  }

  private addModel(spec: ModelSpec): void {
    this.unusableModels.delete(spec.id);
    this.models.set(spec.id, spec); // a user entry replaces a catalog row of the same id
  }

  private addGpuRow(row: unknown, where: string, strict: boolean): void {
    let spec: GpuSpec;
    try {
      spec = gpuSpecFromRow(row, where);
    } catch (e) {
      const id = (row as { id?: unknown } | null)?.id;
      if (strict || !(e instanceof CatalogError) || typeof id !== 'string') throw e;
      this.unusableGpus.set(id, e.message.replace(/^.*?\): /, ''));
      this.registerGpuNames(id, (row as { aliases?: string[] }).aliases ?? []);
      return;
    }
    this.unusableGpus.delete(spec.id);
    this.gpus.set(spec.id, spec);
    this.registerGpuNames(spec.id, spec.aliases);
  }

  private registerGpuNames(id: string, aliases: readonly string[]): void {
    for (const name of [id, ...aliases]) this.gpuKeys.set(gpuKey(name), id);
  }
}

/** A Hugging Face config.json (as downloaded with a model) describing the served model. */
export function loadHfConfig(path: string, fallbackId?: string): ModelSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CatalogError(`model_config: cannot read "${path}": ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CatalogError(`model_config: "${path}" is not valid JSON: ${(e as Error).message}`);
  }
  return modelSpecFromConfig(json, fallbackId, `model_config "${path}"`);
}

/** The catalog the settings describe: data/ plus the config file's `models:` / `gpus:` and `--model-config`. */
export function catalogFor(settings: Pick<Settings, 'models' | 'gpus' | 'model_config' | 'model'>): Catalog {
  return Catalog.load({ models: settings.models, gpus: settings.gpus, modelConfigPath: settings.model_config, modelConfigId: settings.model });
}
