import { Logger, Module } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { SettingsError } from '../../config/load-settings';
import { servedModelSettings } from '../../config/served-models';
import { Settings, servedNames } from '../../config/settings';
import { BenchmarksModule } from '../benchmarks/benchmarks.module';
import { PROFILE } from '../benchmarks/profile.token';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { resolveContextWindow } from '../benchmarks/resolve-profile';
import { Engine } from '../engine/engine';
import { EngineModule } from '../engine/engine.module';
import { DEFAULT_LORA_COSTS, LoraAdapters, parseLoraModule } from './lora-adapters';
import { LoraController } from './lora.controller';
import { ModelsController } from './models.controller';
import { ServedModel, ServedTask } from './served-model';
import { ServedModels } from './served-models';
import { Engines } from '../engine/engines';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { createTokenizer } from '../tokenizer/create-tokenizer';
import { readModelConfig } from '../tokenizer/model-family';
import { TOKENIZER, Tokenizer } from '../tokenizer/tokenizer.types';
import { PoolingFacts } from '../benchmarks/catalog.types';
import { EMBEDDING_DIM } from '../responses/embedding';

/** Adapters one server may hold at once, loaded at start-up or at run time (each a short entry; the engine keeps max_cpu_loras of them in host memory). */
export const MAX_LORA_ADAPTERS = 4096;

/**
 * The adapters, when LoRA is on: `--lora-modules` loaded at start-up, a malformed entry a
 * SettingsError. They apply to the first model (`--model`) and run on its engine; their names may
 * not be any served model's (`reserved`: the additional models' names).
 */
function loraAdapters(settings: Settings, profile: PerformanceProfile, engine: Engine, reserved: readonly string[]): LoraAdapters | undefined {
  if (!settings.enable_lora) {
    if (settings.lora_modules.length > 0) throw new SettingsError('--lora-modules needs --enable-lora.');
    return undefined;
  }
  const bytesPerGpu = ((profile.loraBytesPerRank ?? 0) * settings.max_lora_rank) / profile.tensorParallelSize;
  const adapters = new LoraAdapters(
    servedNames(settings),
    { ...DEFAULT_LORA_COSTS, bytesPerGpu },
    MAX_LORA_ADAPTERS,
    { added: (id) => engine.addLora(id), removed: (id) => engine.removeLora(id) },
    reserved,
  );
  for (const entry of settings.lora_modules) {
    let parsed;
    try {
      parsed = parseLoraModule(entry);
    } catch (err) {
      throw new SettingsError((err as Error).message);
    }
    try {
      adapters.load(parsed.name, parsed.path, parsed.base);
    } catch (err) {
      throw new SettingsError(`--lora-modules: ${(err as Error).message}`);
    }
  }
  return adapters;
}

/** The first served model (`--model`) as clients see it, with the LoRA adapters when LoRA is on. */
function primaryModel(settings: Settings, profile: PerformanceProfile, engine: Engine): ServedModel {
  const reserved = servedModelSettings(settings).slice(1).flatMap(servedNames);
  return servedModel(settings, profile, loraAdapters(settings, profile, engine, reserved));
}

/** A served model as clients see it; its context window is the one the KV cache can hold. */
function servedModel(settings: Settings, profile: PerformanceProfile, adapters?: LoraAdapters): ServedModel {
  const window = resolveContextWindow(settings.max_model_len, profile);
  if (window.warning) Logger.warn(window.warning, 'Config');
  const task = servedTask(settings, profile.model.pooling);
  if (task === 'generate') return new ServedModel(servedNames(settings), settings.model, window.maxModelLen, 'generate', undefined, adapters);
  // A model converted to another task than its own (a generation model served for embeddings) embeds at the default size.
  const own = profile.model.pooling;
  const pooling: PoolingFacts = own && own.task === task ? own : { task, dimensions: task === 'embed' ? (own?.dimensions ?? EMBEDDING_DIM) : 1 };
  return new ServedModel(servedNames(settings), settings.model, window.maxModelLen, task, pooling, adapters);
}

/**
 * What the model serves, as vLLM decides it: `--task` (older vLLM) over `--runner` and `--convert`;
 * `auto` takes the model's own (a pooling model from the catalog is served by the pooling runner).
 */
export function servedTask(settings: Pick<Settings, 'task' | 'runner' | 'convert'>, pooling: PoolingFacts | undefined): ServedTask {
  const task = settings.task;
  if (task && task !== 'auto') {
    if (task === 'generate') return 'generate';
    if (task === 'embed' || task === 'embedding') return 'embed';
    if (task === 'reward') return 'embed';
    return task;
  }
  if (settings.runner === 'generate') return 'generate';
  if (settings.runner === 'auto' && !pooling) return 'generate';
  if (settings.convert === 'embed' || settings.convert === 'reward') return 'embed';
  if (settings.convert === 'classify') return 'classify';
  return pooling?.task ?? 'embed';
}

/**
 * Every served model: the first is the app's own (ServedModel, TOKENIZER, Engine, PROFILE, which
 * single-model code keeps using), the others one per additional model, each with the tokenizer of
 * its model family, loaded at start-up as the first one is.
 */
function servedModels(primary: ServedModel, tokenizer: Tokenizer, engines: Engines): ServedModels {
  const [first, ...extras] = engines.all;
  return new ServedModels([
    { served: primary, tokenizer, engine: first.engine, profile: first.profile, settings: first.settings },
    ...extras.map(({ settings, profile, engine }) => {
      const extra = createTokenizer(settings.model, settings.model_config ? readModelConfig(settings.model_config) : {});
      const ms = extra.warmUp();
      Logger.log(`${settings.model}: ${extra.name} loaded in ${ms.toFixed(0)} ms`, 'Tokenizer');
      // LoRA adapters are the first model's: an additional model serves no adapters.
      return { served: servedModel(settings, profile), tokenizer: extra, engine, profile, settings };
    }),
  ]);
}

@Module({
  imports: [BenchmarksModule, EngineModule, TokenizerModule],
  controllers: [ModelsController, LoraController],
  providers: [
    { provide: ServedModel, inject: [SETTINGS, PROFILE, Engine], useFactory: primaryModel },
    { provide: ServedModels, inject: [ServedModel, TOKENIZER, Engines], useFactory: servedModels },
  ],
  exports: [ServedModel, ServedModels],
})
export class ModelsModule {}
