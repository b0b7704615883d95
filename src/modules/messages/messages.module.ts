import { Module } from '@nestjs/common';
import { HttpModule } from '../http/http.module';
import { ModelsModule } from '../models/models.module';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { MessagesController } from './messages.controller';
import { MessagesRequests } from './messages-requests';

/** Anthropic's Messages API route family (/v1/messages, /v1/messages/count_tokens). */
@Module({
  imports: [HttpModule, ModelsModule, TokenizerModule],
  controllers: [MessagesController],
  providers: [MessagesRequests],
})
export class MessagesModule {}
