import { Module } from '@nestjs/common';
import { GenerationModule } from '../generation/generation.module';
import { OpenAIDoor } from '../openai/openai-door';
import { ModelsModule } from '../models/models.module';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { CompletionsController } from './completions.controller';
import { CompletionsService } from './completions.service';

@Module({
  imports: [GenerationModule, ModelsModule, TokenizerModule],
  controllers: [CompletionsController],
  providers: [CompletionsService, OpenAIDoor],
})
export class CompletionsModule {}
