import { Module } from '@nestjs/common';
import { HttpModule } from '../http/http.module';
import { ModelsModule } from '../models/models.module';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { GenerateController } from './generate.controller';
import { GenerateRequests } from './generate-requests';

/** vLLM's /inference/v1/generate: token ids in, token ids out. */
@Module({
  imports: [HttpModule, ModelsModule, TokenizerModule],
  controllers: [GenerateController],
  providers: [GenerateRequests],
})
export class GenerateModule {}
