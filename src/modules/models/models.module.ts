import { Logger, Module } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings, servedNames } from '../../config/settings';
import { BenchmarksModule } from '../benchmarks/benchmarks.module';
import { PROFILE } from '../benchmarks/profile.token';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { resolveContextWindow } from '../benchmarks/resolve-profile';
import { ModelsController } from './models.controller';
import { ServedModel, ServedTask } from './served-model';
import { ServedModels } from './served-models';
import { EngineModule } from '../engine/engine.module';
import { Engines } from '../engine/engines';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { createTokenizer } from '../tokenizer/create-tokenizer';
import { readModelConfig } from '../tokenizer/model-family';
import { TOKENIZER, Tokenizer } from '../tokenizer/tokenizer.types';
import { PoolingFacts } from '../benchmarks/catalog.types';
import { EMBEDDING_DIM } from '../responses/embedding';

/** The served model as clients see it; its context window is the one the KV cache can hold. */
function servedModel(settings: Settings, profile: PerformanceProfile): ServedModel {
  const window = resolveContextWindow(settings.max_model_len, profile);
  if (window.warning) Logger.warn(window.warning, 'Config');
  const task = servedTask(settings, profile.model.pooling);
  if (task === 'generate') return new ServedModel(servedNames(settings), settings.model, window.maxModelLen);
  // A model converted to another task than its own (a generation model served for embeddings) embeds at the default size.
  const own = profile.model.pooling;
  const pooling: PoolingFacts = own && own.task === task ? own : { task, dimensions: task === 'embed' ? (own?.dimensions ?? EMBEDDING_DIM) : 1 };
  return new ServedModel(servedNames(settings), settings.model, window.maxModelLen, task, pooling);
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
      return { served: servedModel(settings, profile), tokenizer: extra, engine, profile, settings };
    }),
  ]);
}

@Module({
  imports: [BenchmarksModule, EngineModule, TokenizerModule],
  controllers: [ModelsController],
  providers: [
    { provide: ServedModel, inject: [SETTINGS, PROFILE], useFactory: servedModel },
    { provide: ServedModels, inject: [ServedModel, TOKENIZER, Engines], useFactory: servedModels },
  ],
  exports: [ServedModel, ServedModels],
})
export class ModelsModule {}
