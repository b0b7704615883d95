import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';

/** A function the model may call (vLLM's FunctionDefinition). */
export class FunctionDefinitionDto {
  @ApiProperty({ type: 'string', example: 'get_weather' }) @IsString() @IsNotEmpty()
  name!: string;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  description?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'JSON schema of the arguments', example: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } })
  @IsOptional() @IsObject()
  parameters?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  strict?: boolean | null;
}

/** One of chat's `tools` (vLLM's ChatCompletionToolsParam). */
export class ChatToolDto {
  @ApiPropertyOptional({ enum: ['function'], default: 'function' }) @IsOptional() @IsIn(['function'])
  type?: 'function';

  @ApiProperty({ type: FunctionDefinitionDto })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => FunctionDefinitionDto)
  function!: FunctionDefinitionDto;
}
