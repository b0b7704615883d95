import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsDefined, IsInt, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { SamplingDto } from '../../http/dto/sampling.dto';
import { MaxItems } from '../../http/validation';
import { ChatMessageDto } from '../../http/dto/chat-message.dto';
import { ChatToolDto } from './tools.dto';

/** POST /v1/chat/completions, as vLLM's ChatCompletionRequest accepts it (unknown extras are ignored). */
export class ChatCompletionRequestDto extends SamplingDto {
  @ApiProperty({ type: [ChatMessageDto] })
  @IsDefined({ message: 'messages: Field required' }) @IsArray() @ArrayMinSize(1) @MaxItems('max_messages') @ValidateNested({ each: true }) @Type(() => ChatMessageDto)
  messages!: ChatMessageDto[];

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'Preferred over max_tokens when both are set' }) @IsOptional() @IsInt()
  max_completion_tokens?: number | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  logprobs?: boolean | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  top_logprobs?: number | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  echo?: boolean | null;

  @ApiPropertyOptional({ type: [ChatToolDto] })
  @IsOptional() @IsArray() @MaxItems('max_tools') @ValidateNested({ each: true }) @Type(() => ChatToolDto)
  tools?: ChatToolDto[] | null;

  @ApiPropertyOptional({
    description: '"none", "auto" (default with tools), "required", or {"type": "function", "function": {"name": ...}}',
    oneOf: [{ type: 'string', enum: ['none', 'auto', 'required'] }, { type: 'object' }],
  })
  @IsOptional()
  tool_choice?: 'none' | 'auto' | 'required' | { type?: string; function?: { name?: string } } | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, description: 'false: at most one tool call per reply (default true, as in vLLM)' }) @IsOptional() @IsBoolean()
  parallel_tool_calls?: boolean | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  add_generation_prompt?: boolean | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'Passed to the chat template, e.g. {"enable_thinking": false} (Qwen3), {"thinking": true} (DeepSeek-V3.1)' })
  @IsOptional() @IsObject()
  chat_template_kwargs?: Record<string, unknown> | null;
}
