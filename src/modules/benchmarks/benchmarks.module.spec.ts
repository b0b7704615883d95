import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { BenchmarksModule } from './benchmarks.module';
import { PerformanceProfile } from './profile.types';
import { PROFILE } from './profile.token';

describe('BenchmarksModule', () => {
  it('provides the PerformanceProfile of the injected settings under PROFILE', async () => {
    const settings = Object.assign(new Settings(), { gpu_type: 'H100', model: 'Llama-3.1-8B-Instruct' });
    @Module({ imports: [ConfigModule.forRoot(settings), BenchmarksModule] })
    class RootModule {}
    const app = await NestFactory.createApplicationContext(RootModule, { logger: false });
    const profile = app.get<PerformanceProfile>(PROFILE);
    expect(profile.gpuId).toBe('NVIDIA-H100-SXM');
    expect(profile.model.id).toBe('meta-llama/Llama-3.1-8B-Instruct');
    await app.close();
  });
});
