import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateFaultRuleDto, FaultRuleDto } from '../faults/dto/create-fault-rule.dto';
import { FaultRule } from '../faults/fault.types';
import { FaultsService } from '../faults/faults.service';
import { ApiError } from '../api/api-error';
import { AdminAuthGuard } from './admin-auth.guard';
import { adminValidationPipe } from './admin-validation';
import { ApiAdminErrors } from './api-errors';
import { ControlRoute } from '../api/route-kind';

/** /admin/faults: the fault rules the Faults module applies to every door. */
@ApiTags('Admin')
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(AdminAuthGuard)
@Controller('admin/faults')
export class AdminFaultsController {
  constructor(private readonly faults: FaultsService) {}

  @ControlRoute()

  @Get()
  @ApiOperation({ summary: 'Active fault rules, in the order they are tried' })
  @ApiOkResponse({ schema: { properties: { faults: { type: 'array', items: { $ref: '#/components/schemas/FaultRuleDto' } } } } })
  list(): { faults: FaultRule[] } {
    return { faults: this.faults.list() };
  }

  @ControlRoute()

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a fault rule; answers it with its id' })
  @ApiOkResponse({ type: FaultRuleDto })
  add(@Body(adminValidationPipe()) dto: CreateFaultRuleDto): FaultRule {
    return this.faults.add({ ...dto });
  }

  @ControlRoute()

  @Delete()
  @ApiOperation({ summary: 'Remove every fault rule' })
  clear(): { removed: number } {
    return { removed: this.faults.clear() };
  }

  @ControlRoute()

  @Delete(':id')
  @ApiOperation({ summary: 'Remove one fault rule' })
  @ApiAdminErrors([404, 'No rule with this id'])
  remove(@Param('id') id: string): { removed: string } {
    if (!this.faults.remove(id)) throw new ApiError(404, `fault rule '${id}' does not exist`, 'id');
    return { removed: id };
  }
}
