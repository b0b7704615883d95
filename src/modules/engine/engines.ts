import { servedModelSettings } from '../../config/served-models';
import { Settings, servedNames } from '../../config/settings';
import { Random } from '../../common/random';
import { withBatchDefaults } from '../benchmarks/batch-defaults';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { resolveProfile } from '../benchmarks/resolve-profile';
import { Clock } from './clock';
import { createEngine, EngineValues } from './create-engine';
import { Engine, EngineErrorReporter } from './engine';

/** One served model's engine, with the settings and profile it was built from. */
export interface ModelEngine {
  /** The model's first served name (its key, and `model_name` in its metrics). */
  name: string;
  settings: Settings;
  profile: PerformanceProfile;
  engine: Engine;
}

/**
 * Every engine of the server: the one of `--model` (the app's Engine, first) and one per
 * additional model, each with its own profile (GPU type, TP), KV cache, limits and clock-driven
 * steps. The defaults stay one model and one engine.
 */
export class Engines {
  private readonly byName = new Map<string, ModelEngine>();

  constructor(readonly all: readonly ModelEngine[]) {
    for (const entry of all) for (const name of servedNames(entry.settings)) this.byName.set(name, entry);
  }

  get primary(): ModelEngine {
    return this.all[0];
  }

  /** The engine serving a served model name (undefined for an unknown one). */
  of(name: string): ModelEngine | undefined {
    return this.byName.get(name);
  }
}

/**
 * The engines of the settings' models: `primary` is the app's engine (built by the engine module
 * from PROFILE); the others are built here, each from its own settings and profile, reading the
 * runtime knobs (latency scale, timing overrides) but its own running-batch limit.
 */
export function buildEngines(
  settings: Settings,
  primary: { engine: Engine; profile: PerformanceProfile },
  clock: Clock,
  values: () => Readonly<EngineValues>,
  report?: EngineErrorReporter,
): Engines {
  const [first, ...extras] = servedModelSettings(settings);
  const all: ModelEngine[] = [{ name: servedNames(first)[0], settings: first, ...primary }];
  for (const given of extras) {
    const modelSettings = withBatchDefaults(given);
    const profile = resolveProfile(modelSettings);
    const own = () => ({ ...values(), max_num_seqs: profile.limits.maxNumSeqs });
    const engine = createEngine(clock, profile, modelSettings, own, Random.derive(settings.seed, `step-jitter:${modelSettings.model}`), report);
    all.push({ name: servedNames(modelSettings)[0], settings: modelSettings, profile, engine });
  }
  return new Engines(all);
}
