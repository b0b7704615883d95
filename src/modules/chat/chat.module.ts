import { Module } from '@nestjs/common';
import { HttpModule } from '../http/http.module';
import { ModelsModule } from '../models/models.module';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { ChatController } from './chat.controller';
import { ChatRequests } from './chat-requests';

@Module({
  imports: [HttpModule, ModelsModule, TokenizerModule],
  controllers: [ChatController],
  providers: [ChatRequests],
  exports: [ChatRequests],
})
export class ChatModule {}
