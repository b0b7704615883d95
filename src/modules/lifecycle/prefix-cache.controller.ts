import { Controller, HttpCode, Logger, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ControlRoute } from '../api/route-kind';
import { Engine } from '../engine/engine';

@ApiTags('vLLM')
@Controller()
export class PrefixCacheController {
  private readonly logger = new Logger('PrefixCache');

  constructor(private readonly engine: Engine) {}

  /**
   * vLLM's POST /reset_prefix_cache: every cached prefix is forgotten (KV events: AllBlocksCleared).
   * As vLLM, it answers 200 either way; while requests hold blocks nothing is reset, and it says so in the log.
   */
  @Post('reset_prefix_cache')
  @HttpCode(200)
  @ControlRoute()
  @ApiOperation({ summary: 'Forget the prefix cache (vLLM dev route)' })
  reset(): void {
    if (!this.engine.resetPrefixCache()) this.logger.warn('Failed to reset the prefix cache: some blocks are still in use by running requests');
  }
}
