import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsInt, IsNumber, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { StreamOptionsDto } from '../../http/dto/sampling.dto';
import { IsStringOrStringArray, IsTokenIds } from '../../http/dto/validators';

/** vLLM's SamplingParams as /inference/v1/generate takes them (unknown extras are ignored). */
export class GenerateSamplingParamsDto {
  @ApiPropertyOptional({ type: 'integer', nullable: true, default: 16 }) @IsOptional() @IsInt()
  max_tokens?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, default: 1 }) @IsOptional() @IsInt()
  n?: number | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  temperature?: number | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  top_p?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  top_k?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  seed?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  min_tokens?: number | null;

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], nullable: true }) @IsOptional() @IsStringOrStringArray()
  stop?: string | string[] | null;

  @ApiPropertyOptional({ type: [Number] }) @IsOptional() @IsTokenIds()
  stop_token_ids?: number[] | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  ignore_eos?: boolean | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) @IsOptional() @IsObject()
  extra_args?: Record<string, unknown> | null;
}

/** POST /inference/v1/generate: vLLM's tokens-in, tokens-out request (GenerateRequest). */
export class GenerateRequestDto {
  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Default: a random UUID' }) @IsOptional() @IsString() @MaxLength(256)
  request_id?: string | null;

  @ApiProperty({ type: [Number] }) @IsDefined({ message: 'token_ids: Field required' }) @IsTokenIds()
  token_ids!: number[];

  @ApiProperty({ type: GenerateSamplingParamsDto })
  @IsDefined({ message: 'sampling_params: Field required' }) @IsObject() @ValidateNested() @Type(() => GenerateSamplingParamsDto)
  sampling_params!: GenerateSamplingParamsDto;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  model?: string | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  stream?: boolean | null;

  @ApiPropertyOptional({ type: StreamOptionsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto | null;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString() @MaxLength(256)
  cache_salt?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  priority?: number | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) @IsOptional() @IsObject()
  kv_transfer_params?: Record<string, unknown> | null;
}
