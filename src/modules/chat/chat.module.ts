import { Module } from '@nestjs/common';
import { GenerationModule } from '../generation/generation.module';
import { OpenAIDoor } from '../openai/openai-door';
import { ModelsModule } from '../models/models.module';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';

@Module({
  imports: [GenerationModule, ModelsModule, TokenizerModule],
  controllers: [ChatController],
  providers: [ChatService, OpenAIDoor],
})
export class ChatModule {}
