import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsDefined, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsTokenIds } from '../../http/dto/validators';
import { MaxItems } from '../../http/validation';
import { ChatMessageDto } from '../../http/dto/chat-message.dto';

/** vLLM's TokenizeRequest: a completions `prompt` or a chat `messages` list. */
export class TokenizeRequestDto {
  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  model?: string | null;

  @ApiPropertyOptional({ type: 'string' }) @IsOptional() @IsString()
  prompt?: string;

  @ApiPropertyOptional({ type: [ChatMessageDto] })
  @IsOptional() @IsArray() @ArrayMinSize(1) @MaxItems('max_messages') @ValidateNested({ each: true }) @Type(() => ChatMessageDto)
  messages?: ChatMessageDto[];

  @ApiPropertyOptional({ type: 'boolean', default: true }) @IsOptional() @IsBoolean()
  add_special_tokens?: boolean;

  @ApiPropertyOptional({ type: 'boolean', default: true }) @IsOptional() @IsBoolean()
  add_generation_prompt?: boolean;

  @ApiPropertyOptional({ type: 'boolean', default: false }) @IsOptional() @IsBoolean()
  return_token_strs?: boolean;
}

export class DetokenizeRequestDto {
  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  model?: string | null;

  @ApiPropertyOptional({ type: [Number] })
  @IsDefined({ message: 'tokens: Field required' }) @IsTokenIds()
  tokens!: number[];
}
