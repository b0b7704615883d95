import { Controller, HttpCode, Logger, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ControlRoute } from '../api/route-kind';
import { Engines } from '../engine/engines';

/** Query flags as FastAPI reads a bool: true/1/yes/on. */
const flag = (v: string | undefined): boolean => v !== undefined && ['true', '1', 'yes', 'on'].includes(v.toLowerCase());

@ApiTags('vLLM')
@Controller()
export class PrefixCacheController {
  private readonly logger = new Logger('PrefixCache');

  constructor(private readonly engines: Engines) {}

  /**
   * vLLM's POST /reset_prefix_cache: every cached prefix is forgotten (KV events: AllBlocksCleared),
   * in every served model's engine. As vLLM, it answers 200 either way; while requests hold blocks
   * nothing is reset, and it says so in the log. `reset_running_requests` aborts them first.
   */
  @Post('reset_prefix_cache')
  @HttpCode(200)
  @ControlRoute()
  @ApiOperation({ summary: 'Forget the prefix cache (vLLM dev route)' })
  @ApiQuery({ name: 'reset_running_requests', required: false, schema: { type: 'boolean' } })
  @ApiQuery({ name: 'reset_external', required: false, schema: { type: 'boolean' } })
  reset(@Query('reset_running_requests') resetRunning: string | undefined): void {
    for (const { name, engine } of this.engines.all) {
      if (flag(resetRunning)) engine.abortAll();
      if (!engine.resetPrefixCache()) this.logger.warn(`Failed to reset the prefix cache of ${name}: some blocks are still in use by running requests`);
    }
  }
}
