import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { Settings } from './config/settings';
import { AdminModule } from './modules/admin/admin.module';
import { BenchmarksModule } from './modules/benchmarks/benchmarks.module';
import { ChatModule } from './modules/chat/chat.module';
import { CompletionsModule } from './modules/completions/completions.module';
import { EngineModule } from './modules/engine/engine.module';
import { FaultsModule } from './modules/faults/faults.module';
import { GrpcModule } from './modules/grpc/grpc.module';
import { HealthModule } from './modules/health/health.module';
import { LoggingModule } from './modules/logging/logging.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { ModelsModule } from './modules/models/models.module';
import { OpenAIModule } from './modules/openai/openai.module';
import { ResponsesModule } from './modules/responses/responses.module';
import { TokenizeModule } from './modules/tokenize/tokenize.module';
import { TokenizerModule } from './modules/tokenizer/tokenizer.module';

/** Wires the feature modules; nothing else. */
@Module({})
export class AppModule {
  static forRoot(settings: Settings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(settings),
        OpenAIModule,
        BenchmarksModule,
        TokenizerModule,
        EngineModule,
        ResponsesModule,
        ModelsModule,
        CompletionsModule,
        ChatModule,
        TokenizeModule,
        HealthModule,
        FaultsModule,
        AdminModule,
        MetricsModule,
        GrpcModule,
        LoggingModule,
      ],
    };
  }
}
