/**
 * A model, GPU or configuration the simulator cannot serve. The caller turns it into exit code 2;
 * the message names the setting, the value and what is allowed.
 */
export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

export class UnknownModelError extends CatalogError {
  constructor(
    readonly requested: string,
    readonly known: readonly string[],
  ) {
    super(
      `Unknown model "${requested}". Known models: ${known.join(', ')}. ` +
        'Add it with --model-config PATH (a Hugging Face config.json) or under "models:" in the config file.',
    );
    this.name = 'UnknownModelError';
  }
}

export class UnknownGpuError extends CatalogError {
  constructor(
    readonly requested: string,
    readonly known: readonly string[],
  ) {
    super(`Unknown GPU type "${requested}". Known GPUs: ${known.join(', ')}. Add one under "gpus:" in the config file.`);
    this.name = 'UnknownGpuError';
  }
}

/** The model's weights (plus the engine's reserve) do not fit in the GPUs, as vLLM fails to start. */
export class InsufficientMemoryError extends CatalogError {
  constructor(message: string) {
    super(message);
    this.name = 'InsufficientMemoryError';
  }
}

/**
 * `--max-model-len` set beyond what the KV cache holds: vLLM refuses to start (its worker's
 * `raise_if_cache_size_invalid`), with this message word for word.
 */
export class MaxModelLenTooLargeError extends CatalogError {
  constructor(
    readonly maxModelLen: number,
    readonly kvCacheTokens: number,
  ) {
    super(
      `The model's max seq len (${maxModelLen}) is larger than the maximum number of tokens that can be stored in KV cache ` +
        `(${kvCacheTokens}). Try increasing \`gpu_memory_utilization\` or decreasing \`max_model_len\` when initializing the engine.`,
    );
    this.name = 'MaxModelLenTooLargeError';
  }
}
