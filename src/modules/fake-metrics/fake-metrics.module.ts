import { Module } from '@nestjs/common';
import { FakeMetricsService } from './fake-metrics.service';

/** The fake-metrics switch: set by start-up settings and the admin API, read by the metrics observer. */
@Module({ providers: [FakeMetricsService], exports: [FakeMetricsService] })
export class FakeMetricsModule {}
