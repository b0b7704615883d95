import { Module } from '@nestjs/common';
import { BenchmarksModule } from '../benchmarks/benchmarks.module';
import { GenerationModule } from '../generation/generation.module';
import { HealthModule } from '../health/health.module';
import { ModelsModule } from '../models/models.module';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { GrpcHealthService } from './grpc-health.service';
import { VllmEngineController } from './vllm-engine.controller';
import { VllmEngineService } from './vllm-engine.service';

/** The gRPC door: vllm.grpc.engine.VllmEngine; health and reflection join in grpc-server.ts. */
@Module({
  imports: [GenerationModule, ModelsModule, TokenizerModule, BenchmarksModule, HealthModule],
  controllers: [VllmEngineController],
  providers: [VllmEngineService, GrpcHealthService],
  exports: [GrpcHealthService],
})
export class GrpcModule {}
