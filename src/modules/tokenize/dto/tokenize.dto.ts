import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsDefined, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsTokenIds } from '../../http/dto/validators';
import { MaxItems } from '../../http/validation';
import { ChatMessageDto } from '../../http/dto/chat-message.dto';

/** vLLM's TokenizeRequest: a completions `prompt` or a chat `messages` list. */
export class TokenizeRequestDto {
  @ApiPropertyOptional() @IsOptional() @IsString()
  model?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString()
  prompt?: string;

  @ApiPropertyOptional({ type: [ChatMessageDto] })
  @IsOptional() @IsArray() @ArrayMinSize(1) @MaxItems('max_messages') @ValidateNested({ each: true }) @Type(() => ChatMessageDto)
  messages?: ChatMessageDto[];

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean()
  add_special_tokens?: boolean;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean()
  add_generation_prompt?: boolean;

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean()
  return_token_strs?: boolean;
}

export class DetokenizeRequestDto {
  @ApiPropertyOptional() @IsOptional() @IsString()
  model?: string | null;

  @ApiPropertyOptional({ type: [Number] })
  @IsDefined({ message: 'tokens: Field required' }) @IsTokenIds()
  tokens!: number[];
}
