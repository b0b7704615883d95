import { Logger, Module, OnApplicationBootstrap, Inject } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { createTokenizer, LazyTokenizer } from './create-tokenizer';
import { ModelConfigFacts, readModelConfig } from './model-family';
import { TOKENIZER } from './tokenizer.types';

/**
 * Provides TOKENIZER for the configured model. The vocabulary is loaded after start-up
 * (onApplicationBootstrap, next tick), so listening is not delayed; a request arriving earlier
 * loads it on the spot.
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
    setImmediate(() => {
      const ms = this.tokenizer.warmUp();
      this.logger.log(`${this.tokenizer.name} loaded in ${ms.toFixed(0)} ms`);
    });
  }
}
