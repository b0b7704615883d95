import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { TokenizeController } from './tokenize.controller';

@Module({ imports: [ModelsModule, TokenizerModule], controllers: [TokenizeController] })
export class TokenizeModule {}
