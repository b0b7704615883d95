import { Module } from '@nestjs/common';
import { HttpModule } from '../http/http.module';
import { ModelsModule } from '../models/models.module';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { CompletionsController } from './completions.controller';
import { CompletionsRequests } from './completions-requests';

@Module({
  imports: [HttpModule, ModelsModule, TokenizerModule],
  controllers: [CompletionsController],
  providers: [CompletionsRequests],
  exports: [CompletionsRequests],
})
export class CompletionsModule {}
