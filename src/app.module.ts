import { DynamicModule, Module, Type } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { Settings } from './config/settings';
import { AdminModule } from './modules/admin/admin.module';
import { BenchmarksModule } from './modules/benchmarks/benchmarks.module';
import { ChatModule } from './modules/chat/chat.module';
import { CompletionsModule } from './modules/completions/completions.module';
import { EmbeddingsModule } from './modules/embeddings/embeddings.module';
import { ResponsesApiModule } from './modules/responses-api/responses-api.module';
import { MessagesModule } from './modules/messages/messages.module';
import { DevRoutesModule } from './modules/lifecycle/dev-routes.module';
import { InvocationsModule } from './modules/invocations/invocations.module';
import { EngineModule } from './modules/engine/engine.module';
import { FaultsModule } from './modules/faults/faults.module';
import { GenerateModule } from './modules/generate/generate.module';
import { GrpcModule } from './modules/grpc/grpc.module';
import { KvEventsModule } from './modules/kv-events/kv-events.module';
import { LifecycleModule } from './modules/lifecycle/lifecycle.module';
import { LoggingModule } from './modules/logging/logging.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { ModelsModule } from './modules/models/models.module';
import { HttpModule } from './modules/http/http.module';
import { ResponsesModule } from './modules/responses/responses.module';
import { TokenizeModule } from './modules/tokenize/tokenize.module';
import { TokenizerModule } from './modules/tokenizer/tokenizer.module';

/** Wires the feature modules; nothing else. */
@Module({})
export class AppModule {
  /** `extra`: more feature modules (a test's own routes), wired like the built-in ones. */
  static forRoot(settings: Settings, extra: readonly Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(settings),
        HttpModule,
        BenchmarksModule,
        TokenizerModule,
        EngineModule,
        ResponsesModule,
        ModelsModule,
        CompletionsModule,
        ChatModule,
        GenerateModule,
        TokenizeModule,
        EmbeddingsModule,
        ResponsesApiModule,
        MessagesModule,
        InvocationsModule,
        LifecycleModule,
        FaultsModule,
        AdminModule,
        MetricsModule,
        KvEventsModule,
        GrpcModule,
        LoggingModule,
        // vLLM serves its development routes only with VLLM_SERVER_DEV_MODE.
        ...(settings.server_dev_mode ? [DevRoutesModule] : []),
        ...extra,
      ],
    };
  }
}
