import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { IsStringOrStringArray, IsTokenIds } from './validators';

export class StreamOptionsDto {
  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  include_usage?: boolean | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  continuous_usage_stats?: boolean | null;
}

/** The request fields both OpenAI doors accept (vLLM's sampling and streaming parameters). */
export class SamplingDto {
  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Served model name; defaults to the first served name' })
  @IsOptional() @IsString()
  model?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'completions: default 16; chat: default = the rest of the context window' })
  @IsOptional() @IsInt()
  max_tokens?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, default: 1 }) @IsOptional() @IsInt()
  n?: number | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  stream?: boolean | null;

  @ApiPropertyOptional({ type: () => StreamOptionsDto, nullable: true }) @IsOptional() @IsObject() @ValidateNested() @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto | null;

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], nullable: true })
  @IsOptional() @IsStringOrStringArray()
  stop?: string | string[] | null;

  @ApiPropertyOptional({ type: 'array', items: { type: 'integer', minimum: 0 }, nullable: true }) @IsOptional() @IsTokenIds()
  stop_token_ids?: number[] | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  ignore_eos?: boolean | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  include_stop_str_in_output?: boolean | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  temperature?: number | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  top_p?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  top_k?: number | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  min_p?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt() @Min(0)
  min_tokens?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  seed?: number | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  presence_penalty?: number | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  frequency_penalty?: number | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  repetition_penalty?: number | null;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  user?: string | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  return_token_ids?: boolean | null;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  request_id?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) @IsOptional() @IsObject()
  response_format?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt() @Min(-1) @Max(20)
  prompt_logprobs?: number | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: "P/D disaggregation, as vLLM's NIXL connector reads it: do_remote_decode (prefill side), do_remote_prefill (decode side) and the prefill's remote_* fields" })
  @IsOptional() @IsObject()
  kv_transfer_params?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: 'number', nullable: true, minimum: 0, maximum: 1, description: "llm-d-inference-sim's: below this prefix-cache hit rate (0..1) the request ends at once with finish_reason cache_threshold (honoured with --enable-kvcache)" })
  @IsOptional() @IsNumber() @Min(0) @Max(1)
  cache_hit_threshold?: number | null;
}
