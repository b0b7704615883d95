import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Min, registerDecorator, ValidateNested, ValidationOptions } from 'class-validator';
import { MaxItems } from '../../http/validation';

/** A function the model may call, in the Responses API's flat shape. */
export class ResponsesToolDto {
  @ApiProperty({ type: 'string', example: 'function', description: "Only 'function' tools are used; others are ignored, as vLLM ignores them without a tool server" })
  @IsString()
  type!: string;

  @ApiPropertyOptional({ type: 'string', example: 'get_weather' }) @IsOptional() @IsString()
  name?: string;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  description?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'JSON schema of the arguments' })
  @IsOptional() @IsObject()
  parameters?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  strict?: boolean | null;
}

/** `text.format`: plain text, or JSON that validates against a schema. */
export class ResponsesTextFormatDto {
  @ApiProperty({ type: 'string', enum: ['text', 'json_schema', 'json_object'] })
  @IsIn(['text', 'json_schema', 'json_object'])
  type!: 'text' | 'json_schema' | 'json_object';

  @ApiPropertyOptional({ type: 'string' }) @IsOptional() @IsString()
  name?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject()
  schema?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  description?: string | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  strict?: boolean | null;
}

export class ResponsesTextDto {
  @ApiPropertyOptional({ type: ResponsesTextFormatDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => ResponsesTextFormatDto)
  format?: ResponsesTextFormatDto;

  @ApiPropertyOptional({ type: 'string', nullable: true, enum: ['low', 'medium', 'high'] }) @IsOptional() @IsString()
  verbosity?: string | null;
}

export class ResponsesReasoningDto {
  @ApiPropertyOptional({ type: 'string', nullable: true, enum: ['minimal', 'low', 'medium', 'high'] }) @IsOptional() @IsString()
  effort?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  summary?: string | null;
}

/** An input item: a message (role, content), function_call, function_call_output, reasoning or item_reference. */
function IsResponsesInput(options?: ValidationOptions) {
  const isItem = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  return (target: object, propertyName: string): void =>
    registerDecorator({
      name: 'isResponsesInput',
      target: target.constructor,
      propertyName,
      options: { message: '$property must be a string or an array of input items', ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every(isItem)) },
    });
}

/** POST /v1/responses, as vLLM's ResponsesRequest accepts it (unknown extras are ignored). */
export class ResponsesRequestDto {
  @ApiProperty({
    description: 'Text, or input items: messages ({role, content}), function_call, function_call_output, reasoning, item_reference',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', additionalProperties: true } }],
    example: 'Tell me a joke.',
  })
  @IsDefined({ message: 'input: Field required' }) @IsResponsesInput() @MaxItems('max_messages')
  input!: string | Array<Record<string, unknown>>;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Served model name; defaults to the first served name' })
  @IsOptional() @IsString()
  model?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  instructions?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1 }) @IsOptional() @IsInt() @Min(1)
  max_output_tokens?: number | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  temperature?: number | null;

  @ApiPropertyOptional({ type: 'number', nullable: true }) @IsOptional() @IsNumber()
  top_p?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  top_k?: number | null;

  @ApiPropertyOptional({ type: [ResponsesToolDto] })
  @IsOptional() @IsArray() @MaxItems('max_tools') @ValidateNested({ each: true }) @Type(() => ResponsesToolDto)
  tools?: ResponsesToolDto[];

  @ApiPropertyOptional({
    description: '"auto" (default), "none", "required", or {"type": "function", "name": ...}',
    oneOf: [{ type: 'string', enum: ['auto', 'none', 'required'] }, { type: 'object', properties: { type: { type: 'string' }, name: { type: 'string' } } }],
  })
  @IsOptional()
  tool_choice?: 'auto' | 'none' | 'required' | { type?: string; name?: string };

  @ApiPropertyOptional({ type: 'boolean', nullable: true, default: true }) @IsOptional() @IsBoolean()
  parallel_tool_calls?: boolean | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Continue a stored response (needs the response store)' })
  @IsOptional() @IsString()
  previous_response_id?: string | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, default: true, description: 'Ignored unless the server runs the response store (VLLM_ENABLE_RESPONSES_API_STORE)' })
  @IsOptional() @IsBoolean()
  store?: boolean | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, default: false }) @IsOptional() @IsBoolean()
  stream?: boolean | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, default: false }) @IsOptional() @IsBoolean()
  background?: boolean | null;

  @ApiPropertyOptional({ type: ResponsesTextDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => ResponsesTextDto)
  text?: ResponsesTextDto | null;

  @ApiPropertyOptional({ type: ResponsesReasoningDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => ResponsesReasoningDto)
  reasoning?: ResponsesReasoningDto | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, nullable: true }) @IsOptional() @IsObject()
  metadata?: Record<string, string> | null;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string' }, nullable: true }) @IsOptional() @IsArray() @IsString({ each: true })
  include?: string[] | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt() @Min(0)
  top_logprobs?: number | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, enum: ['auto', 'disabled'] }) @IsOptional() @IsIn(['auto', 'disabled'])
  truncation?: 'auto' | 'disabled' | null;

  @ApiPropertyOptional({ type: 'string', enum: ['auto', 'default', 'flex', 'scale', 'priority'] }) @IsOptional() @IsIn(['auto', 'default', 'flex', 'scale', 'priority'])
  service_tier?: string;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  user?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  max_tool_calls?: number | null;

  @ApiPropertyOptional({ type: 'string', description: 'The response id (default resp_<random>)' }) @IsOptional() @IsString()
  request_id?: string;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  seed?: number | null;
}
