import { Module } from '@nestjs/common';
import { BenchmarksModule } from '../benchmarks/benchmarks.module';
import { EngineModule } from '../engine/engine.module';
import { GenerationModule } from '../generation/generation.module';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { ModelsModule } from '../models/models.module';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { GrpcHealthService } from './grpc-health.service';
import { VllmEngineController } from './vllm-engine.controller';
import { VllmEngineService } from './vllm-engine.service';

/** The gRPC door: vllm.grpc.engine.VllmEngine; health and reflection join in grpc-server.ts. */
@Module({
  imports: [EngineModule, GenerationModule, ModelsModule, TokenizerModule, BenchmarksModule, LifecycleModule],
  controllers: [VllmEngineController],
  providers: [VllmEngineService, GrpcHealthService],
  exports: [GrpcHealthService],
})
export class GrpcModule {}
