import { Logger, Module } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { SettingsError } from '../../config/load-settings';
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
import { ServedModel } from './served-model';

/** Adapters one server may hold at once, loaded at start-up or at run time (each a short entry; the engine keeps max_cpu_loras of them in host memory). */
export const MAX_LORA_ADAPTERS = 4096;

/** The adapters, when LoRA is on: `--lora-modules` loaded at start-up, a malformed entry a SettingsError. */
function loraAdapters(settings: Settings, profile: PerformanceProfile, engine: Engine): LoraAdapters | undefined {
  if (!settings.enable_lora) {
    if (settings.lora_modules.length > 0) throw new SettingsError('--lora-modules needs --enable-lora.');
    return undefined;
  }
  const bytesPerGpu = ((profile.loraBytesPerRank ?? 0) * settings.max_lora_rank) / profile.tensorParallelSize;
  const adapters = new LoraAdapters(servedNames(settings), { ...DEFAULT_LORA_COSTS, bytesPerGpu }, MAX_LORA_ADAPTERS, {
    added: (id) => engine.addLora(id),
    removed: (id) => engine.removeLora(id),
  });
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

/** The served model as clients see it; its context window is the one the KV cache can hold. */
function servedModel(settings: Settings, profile: PerformanceProfile, engine: Engine): ServedModel {
  const window = resolveContextWindow(settings.max_model_len, profile);
  if (window.warning) Logger.warn(window.warning, 'Config');
  return new ServedModel(servedNames(settings), settings.model, window.maxModelLen, loraAdapters(settings, profile, engine));
}

@Module({
  imports: [BenchmarksModule, EngineModule],
  controllers: [ModelsController, LoraController],
  providers: [{ provide: ServedModel, inject: [SETTINGS, PROFILE, Engine], useFactory: servedModel }],
  exports: [ServedModel],
})
export class ModelsModule {}
