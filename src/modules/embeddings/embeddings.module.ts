import { Module } from '@nestjs/common';
import { HttpModule } from '../http/http.module';
import { ModelsModule } from '../models/models.module';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { EmbeddingsController } from './embeddings.controller';
import { PoolingRequests } from './pooling-requests';

/** The pooling route family: embeddings, pooling, classify, score and rerank. */
@Module({
  imports: [HttpModule, ModelsModule, TokenizerModule],
  controllers: [EmbeddingsController],
  providers: [PoolingRequests],
  exports: [PoolingRequests],
})
export class EmbeddingsModule {}
