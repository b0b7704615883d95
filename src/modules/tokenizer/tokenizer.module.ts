import { Logger, Module, OnApplicationBootstrap, Inject } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { createTokenizer, LazyTokenizer } from './create-tokenizer';
import { ModelConfigFacts, readModelConfig } from './model-family';
import { TOKENIZER } from './tokenizer.types';

/**
 * Provides TOKENIZER for the configured model. The vocabulary is loaded during start-up, before
 * the server listens, as vLLM loads its tokenizer before it serves: loading blocks the event loop
 * (70 ms for Mistral, 1-7 s for Llama 3 or Qwen), and after listening that would stall the
 * health probes and every stream of the first requests.
 */
@Module({
  providers: [
    {
      provide: TOKENIZER,
      inject: [SETTINGS],
      useFactory: (settings: Settings): LazyTokenizer => {
        const facts: ModelConfigFacts = settings.model_config ? readModelConfig(settings.model_config) : {};
        return createTokenizer(settings.model, facts);
      },
    },
  ],
  exports: [TOKENIZER],
})
export class TokenizerModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('Tokenizer');

  constructor(@Inject(TOKENIZER) private readonly tokenizer: LazyTokenizer) {}

  onApplicationBootstrap(): void {
    const ms = this.tokenizer.warmUp();
    // The start summary names the tokenizer and its load time at info.
    this.logger.debug(`${this.tokenizer.name} loaded in ${ms.toFixed(0)} ms`);
  }
}
