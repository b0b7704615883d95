import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { CompletionsModule } from '../completions/completions.module';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { HttpModule } from '../http/http.module';
import { ModelsModule } from '../models/models.module';
import { InvocationsController } from './invocations.controller';

/** SageMaker's /invocations: dispatches to the chat, completions and pooling route families. */
@Module({
  imports: [HttpModule, ModelsModule, ChatModule, CompletionsModule, EmbeddingsModule],
  controllers: [InvocationsController],
})
export class InvocationsModule {}
