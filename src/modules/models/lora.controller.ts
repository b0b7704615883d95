import { Body, Controller, HttpCode, Inject, Logger, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { SETTINGS } from '../../config/config.module';
import { RuntimeConfig } from '../../config/runtime-config';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { ControlRoute } from '../api/route-kind';
import { LoadLoraAdapterDto, UnloadLoraAdapterDto } from './dto/lora.dto';
import { ServedModel } from './served-model';

/**
 * vLLM's runtime LoRA routes. As vLLM registers them only with VLLM_ALLOW_RUNTIME_LORA_UPDATING,
 * they answer 404 without it; loading waits as long as reading the adapter from storage takes.
 */
@ApiTags('vLLM')
@Controller('v1')
export class LoraController {
  private readonly logger = new Logger('LoRA');

  constructor(
    private readonly served: ServedModel,
    private readonly runtime: RuntimeConfig,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  private adapters() {
    if (!this.settings.allow_runtime_lora_updating) throw new ApiError(404, 'Not Found');
    if (!this.served.adapters) throw ApiError.badRequest('LoRA is not enabled. Start the server with --enable-lora.');
    return this.served.adapters;
  }

  @Post('load_lora_adapter')
  @HttpCode(200)
  @ControlRoute()
  @ApiOperation({ summary: 'Load a LoRA adapter (VLLM_ALLOW_RUNTIME_LORA_UPDATING)' })
  async load(@Body() dto: LoadLoraAdapterDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const adapters = this.adapters();
    const adapter = adapters.load(dto.lora_name ?? undefined, dto.lora_path ?? undefined);
    const ms = adapters.loadMs * this.runtime.values.latency_scale;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    this.logger.log(`Loaded new LoRA adapter: name '${adapter.name}', path '${adapter.path}'`);
    void reply.header('content-type', 'text/plain; charset=utf-8');
    return `Success: LoRA adapter '${adapter.name}' added successfully.`;
  }

  @Post('unload_lora_adapter')
  @HttpCode(200)
  @ControlRoute()
  @ApiOperation({ summary: 'Unload a LoRA adapter (VLLM_ALLOW_RUNTIME_LORA_UPDATING)' })
  unload(@Body() dto: UnloadLoraAdapterDto, @Res({ passthrough: true }) reply: FastifyReply): string {
    const adapter = this.adapters().unload(dto.lora_name ?? undefined, dto.lora_int_id ?? undefined);
    this.logger.log(`Removed LoRA adapter: name '${adapter.name}'`);
    void reply.header('content-type', 'text/plain; charset=utf-8');
    return `Success: LoRA adapter '${adapter.name}' removed successfully.`;
  }
}
