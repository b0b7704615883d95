import { Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { EngineModule } from '../engine/engine.module';
import { FaultsModule } from '../faults/faults.module';
import { GenerationModule } from '../generation/generation.module';
import { ResponsesModule } from '../responses/responses.module';
import { AdminConfigController } from './admin-config.controller';
import { AdminFaultsController } from './admin-faults.controller';
import { AdminPatternsController } from './admin-patterns.controller';
import { AdminRequestsController } from './admin-requests.controller';
import { AdminStatusController } from './admin-status.controller';
import { AdminFakeMetricsController } from './admin-fake-metrics.controller';
import { FakeMetricsModule } from '../fake-metrics/fake-metrics.module';
import { AdminAuthGuard } from './admin-auth.guard';
import { RequestLogService } from './request-log.service';

/** /admin: runtime config, patterns CRUD, fault rules, the request log and status (docs/admin.md). */
@Module({
  imports: [EngineModule, ResponsesModule, FaultsModule, GenerationModule, FakeMetricsModule],
  controllers: [AdminStatusController, AdminConfigController, AdminPatternsController, AdminFaultsController, AdminRequestsController, AdminFakeMetricsController],
  providers: [AdminAuthGuard, RequestLogService],
})
export class AdminModule implements OnModuleInit {
  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  onModuleInit(): void {
    const logger = new Logger('Admin');
    if (this.settings.admin_api_key) logger.log('/admin requires ADMIN_API_KEY as a Bearer token');
    else logger.warn('ADMIN_API_KEY is not set: /admin answers loopback clients only (403 for others)');
  }
}
