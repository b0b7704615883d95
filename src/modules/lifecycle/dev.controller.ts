import { Controller, Get, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { anyObject, bool, obj, str } from '../api/openapi';
import { FastifyReply } from 'fastify';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { ControlRoute, ProbeRoute } from '../api/route-kind';
import { SIMULATED_VLLM_VERSION } from '../api/version';
import { SleepLevel, SleepMode, SleepService } from './sleep.service';

/**
 * vLLM's development routes, served only with VLLM_SERVER_DEV_MODE=1 as vLLM serves them: sleep
 * and wake-up (which also need --enable-sleep-mode) and the server's configuration. (The
 * prefix-cache reset is served always: routers' KV-event set-ups use it; prefix-cache.controller.ts.)
 */
@ApiTags('Development (VLLM_SERVER_DEV_MODE)')
@Controller()
export class DevController {
  constructor(
    private readonly sleepService: SleepService,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Post('sleep')
  @HttpCode(200)
  @ControlRoute()
  @ApiOperation({ summary: 'Put the engine to sleep: level 0 pauses scheduling, 1 offloads the weights, 2 discards them (the KV cache is dropped from level 1)' })
  @ApiQuery({ name: 'level', required: false, schema: { type: 'integer', enum: [0, 1, 2], default: 1 } })
  @ApiQuery({ name: 'mode', required: false, schema: { type: 'string', enum: ['abort', 'wait', 'keep'], default: 'abort' } })
  async sleep(@Query('level') level: string | undefined, @Query('mode') mode: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const lvl = Number(level ?? '1');
    if (![0, 1, 2].includes(lvl)) throw ApiError.badRequest(`level must be 0, 1 or 2, got ${level}.`, 'level');
    const how = mode ?? 'abort';
    if (!['abort', 'wait', 'keep'].includes(how)) throw ApiError.badRequest(`mode must be abort, wait or keep, got ${mode}.`, 'mode');
    await this.sleepService.sleep(lvl as SleepLevel, how as SleepMode);
    void reply.code(200).send();
  }

  @Post('wake_up')
  @HttpCode(200)
  @ControlRoute()
  @ApiOperation({ summary: 'Wake the engine (tags: weights, kv_cache, scheduling; all when none); answers once the weights are back' })
  @ApiQuery({ name: 'tags', required: false, schema: { type: 'array', items: { type: 'string', enum: ['weights', 'kv_cache', 'scheduling'] } } })
  async wakeUp(@Query('tags') tags: string | string[] | undefined, @Res() reply: FastifyReply): Promise<void> {
    await this.sleepService.wakeUp(tags === undefined ? [] : Array.isArray(tags) ? tags : [tags]);
    void reply.code(200).send();
  }

  @Get('is_sleeping')
  @ControlRoute()
  @ApiOperation({ summary: 'Whether the engine sleeps' })
  @ApiOkResponse({ schema: obj({ is_sleeping: bool() }) })
  isSleeping(): object {
    return { is_sleeping: this.sleepService.sleeping };
  }

  @Get('server_info')
  @ProbeRoute()
  @ApiOperation({ summary: "The server's configuration (vLLM: vllm_config, vllm_env, system_env)" })
  @ApiQuery({ name: 'config_format', required: false, schema: { type: 'string', enum: ['text', 'json'], default: 'text' } })
  @ApiOkResponse({ schema: obj({ vllm_config: { oneOf: [str(), anyObject()] }, vllm_env: anyObject(), system_env: anyObject() }) })
  serverInfo(@Query('config_format') format: string | undefined): object {
    const s = this.settings;
    const config = {
      model: s.model,
      served_model_name: s.served_model_name.length > 0 ? s.served_model_name : [s.model],
      max_model_len: s.max_model_len ?? null,
      tensor_parallel_size: s.tensor_parallel_size,
      gpu_memory_utilization: s.gpu_memory_utilization,
      block_size: s.block_size,
      enable_prefix_caching: s.enable_prefix_caching,
      kv_cache_dtype: s.kv_cache_dtype,
      max_num_seqs: s.max_num_seqs ?? null,
      max_num_batched_tokens: s.max_num_batched_tokens ?? null,
      enable_sleep_mode: s.enable_sleep_mode,
      reasoning_parser: s.reasoning_parser ?? null,
      runner: s.runner,
      seed: s.seed ?? null,
    };
    const text = Object.entries(config)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? JSON.stringify(v) : String(v)}`)
      .join(', ');
    return {
      vllm_config: format === 'json' ? config : text,
      vllm_env: { VLLM_SERVER_DEV_MODE: s.server_dev_mode ? '1' : '0', ...(s.responses_store ? { VLLM_ENABLE_RESPONSES_API_STORE: '1' } : {}) },
      system_env: { simulated: true, vllm_version: SIMULATED_VLLM_VERSION, gpu_type: s.gpu_type, node_version: process.version, os: process.platform },
    };
  }
}
