import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';

/** `response_format.json_schema` (vLLM's JsonSchemaResponseFormat). */
export class JsonSchemaFormatDto {
  @ApiProperty({ type: 'string', example: 'weather' }) @IsString()
  name!: string;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  description?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'The JSON schema the reply validates against' }) @IsOptional() @IsObject()
  schema?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  strict?: boolean | null;
}

/** `response_format` (vLLM's ResponseFormat); `structural_tag` is accepted and answered as text. */
export class ResponseFormatDto {
  @ApiProperty({ enum: ['text', 'json_object', 'json_schema', 'structural_tag'] })
  @IsIn(['text', 'json_object', 'json_schema', 'structural_tag'])
  type!: 'text' | 'json_object' | 'json_schema' | 'structural_tag';

  @ApiPropertyOptional({ type: JsonSchemaFormatDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => JsonSchemaFormatDto)
  json_schema?: JsonSchemaFormatDto | null;
}
