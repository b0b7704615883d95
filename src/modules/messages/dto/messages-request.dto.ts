import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Min, MinLength, registerDecorator, ValidateNested, ValidationOptions } from 'class-validator';
import { MaxItems } from '../../http/validation';

/** A content block of a message (text, image, tool_use, tool_result, thinking), as vLLM's AnthropicContentBlock. */
export interface ContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: Record<string, unknown>;
  tool_use_id?: string;
  content?: string | Array<{ type?: string; text?: string }>;
  is_error?: boolean;
  thinking?: string;
  signature?: string;
}

const BLOCK_TYPES = ['text', 'image', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'document'];
const isBlock = (b: unknown): boolean => typeof b === 'object' && b !== null && BLOCK_TYPES.includes((b as { type?: unknown }).type as string);

function IsContent(options?: ValidationOptions) {
  return (target: object, propertyName: string): void =>
    registerDecorator({
      name: 'isAnthropicContent',
      target: target.constructor,
      propertyName,
      options: { message: `$property must be a string or an array of content blocks (${BLOCK_TYPES.join(', ')})`, ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every(isBlock)) },
    });
}

const CONTENT_SCHEMA = {
  oneOf: [
    { type: 'string' as const },
    { type: 'array' as const, items: { type: 'object' as const, properties: { type: { type: 'string' as const, enum: BLOCK_TYPES } }, required: ['type'], additionalProperties: true } },
  ],
};

export class AnthropicMessageDto {
  @ApiProperty({ type: 'string', enum: ['user', 'assistant'] }) @IsIn(['user', 'assistant'])
  role!: 'user' | 'assistant';

  @ApiProperty({ ...CONTENT_SCHEMA, example: 'Hello, Claude' }) @IsDefined() @IsContent()
  content!: string | ContentBlock[];
}

export class AnthropicToolDto {
  @ApiProperty({ type: 'string', example: 'get_weather' }) @IsString() @MinLength(1)
  name!: string;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  description?: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { type: 'object', properties: { city: { type: 'string' } } } }) @IsObject()
  input_schema!: Record<string, unknown>;
}

export class AnthropicToolChoiceDto {
  @ApiProperty({ type: 'string', enum: ['auto', 'any', 'tool', 'none'] }) @IsIn(['auto', 'any', 'tool', 'none'])
  type!: 'auto' | 'any' | 'tool' | 'none';

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  name?: string | null;

  @ApiPropertyOptional({ type: 'boolean' }) @IsOptional() @IsBoolean()
  disable_parallel_tool_use?: boolean;
}

/** The messages and what they are read with: what /v1/messages and count_tokens share. */
export class AnthropicPromptDto {
  @ApiProperty({ type: 'string', example: 'mistralai/Mistral-7B-Instruct-v0.3' }) @IsDefined({ message: 'model: Field required' }) @IsString() @MinLength(1, { message: 'Model is required' })
  model!: string;

  @ApiProperty({ type: [AnthropicMessageDto] })
  @IsDefined({ message: 'messages: Field required' }) @IsArray() @ArrayMinSize(1) @MaxItems('max_messages') @ValidateNested({ each: true }) @Type(() => AnthropicMessageDto)
  messages!: AnthropicMessageDto[];

  @ApiPropertyOptional({ ...CONTENT_SCHEMA, nullable: true }) @IsOptional() @IsContent()
  system?: string | ContentBlock[] | null;

  @ApiPropertyOptional({ type: [AnthropicToolDto], nullable: true })
  @IsOptional() @IsArray() @MaxItems('max_tools') @ValidateNested({ each: true }) @Type(() => AnthropicToolDto)
  tools?: AnthropicToolDto[] | null;

  @ApiPropertyOptional({ type: () => AnthropicToolChoiceDto, nullable: true }) @IsOptional() @IsObject() @ValidateNested() @Type(() => AnthropicToolChoiceDto)
  tool_choice?: AnthropicToolChoiceDto | null;
}

/** POST /v1/messages (vLLM's AnthropicMessagesRequest). */
export class AnthropicMessagesRequestDto extends AnthropicPromptDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 256 }) @IsDefined({ message: 'max_tokens: Field required' }) @IsInt() @Min(1, { message: 'max_tokens must be positive' })
  max_tokens!: number;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string' }, nullable: true }) @IsOptional() @IsArray() @IsString({ each: true })
  stop_sequences?: string[] | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, default: false }) @IsOptional() @IsBoolean()
  stream?: boolean | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  temperature?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  top_k?: number | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  top_p?: number | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) @IsOptional() @IsObject()
  metadata?: Record<string, unknown> | null;
}
