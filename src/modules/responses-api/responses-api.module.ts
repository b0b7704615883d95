import { Module } from '@nestjs/common';
import { HttpModule } from '../http/http.module';
import { ModelsModule } from '../models/models.module';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { ResponseStore } from './response-store';
import { ResponsesController } from './responses.controller';
import { ResponsesRequests } from './responses-requests';

/** The OpenAI Responses API route family (POST /v1/responses, GET and cancel by id). */
@Module({
  imports: [HttpModule, ModelsModule, TokenizerModule],
  controllers: [ResponsesController],
  providers: [ResponsesRequests, ResponseStore],
})
export class ResponsesApiModule {}
