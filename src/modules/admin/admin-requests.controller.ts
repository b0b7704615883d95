import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from './admin-auth.guard';
import { adminValidationPipe } from './admin-validation';
import { ApiAdminErrors } from './api-errors';
import { RequestsQueryDto } from './dto/requests-query.dto';
import { RequestLogEntry } from './request-log';
import { RequestLogService } from './request-log.service';
import { ControlRoute } from '../api/route-kind';

@ApiTags('Admin')
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(AdminAuthGuard)
@Controller('admin/requests')
export class AdminRequestsController {
  constructor(private readonly requests: RequestLogService) {}

  @ControlRoute()

  @Get()
  @ApiOperation({ summary: 'The most recent requests, newest first (bounded log of the last 1000)' })
  list(@Query(adminValidationPipe()) query: RequestsQueryDto): { requests: RequestLogEntry[] } {
    return { requests: this.requests.recent(query.limit ?? 50) };
  }
}
