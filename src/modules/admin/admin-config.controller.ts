import { Body, Controller, Get, Inject, Patch, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SETTINGS } from '../../config/config.module';
import { RuntimeConfig, RuntimeValues } from '../../config/runtime-config';
import { Settings } from '../../config/settings';
import { AdminAuthGuard } from './admin-auth.guard';
import { adminValidationPipe } from './admin-validation';
import { PatchConfigDto } from './dto/patch-config.dto';
import { ApiAdminErrors } from './api-errors';
import { ControlRoute } from '../api/route-kind';

/** GET/PATCH /admin/config: the settings that change at run time (the engine reads them every step). */
@ApiTags('Admin')
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(AdminAuthGuard)
@Controller('admin/config')
export class AdminConfigController {
  constructor(
    private readonly runtime: RuntimeConfig,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @ControlRoute()

  @Get()
  @ApiOperation({ summary: 'The effective runtime configuration' })
  @ApiOkResponse({ type: PatchConfigDto })
  get(): RuntimeValues {
    return { ...this.runtime.values };
  }

  @ControlRoute()

  @Patch()
  @ApiOperation({ summary: 'Change run-time settings (JSON merge patch; null clears an override); answers the new configuration' })
  @ApiOkResponse({ type: PatchConfigDto })
  patch(@Body(adminValidationPipe()) dto: PatchConfigDto): RuntimeValues {
    const patch = Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)) as Partial<RuntimeValues>;
    return { ...this.runtime.update(patch) };
  }
}
