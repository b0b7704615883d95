import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsInt, IsOptional, IsString } from 'class-validator';
import { SamplingDto } from '../../http/dto/sampling.dto';
import { IsPrompt } from '../../http/dto/validators';

/** POST /v1/completions, as vLLM's CompletionRequest accepts it (unknown extras are ignored). */
export class CompletionRequestDto extends SamplingDto {
  @ApiProperty({
    description: 'Text, texts, token ids or arrays of token ids',
    oneOf: [
      { type: 'string' },
      { type: 'array', items: { type: 'string' } },
      { type: 'array', items: { type: 'integer' } },
      { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
    ],
  })
  @IsDefined({ message: 'prompt: Field required' }) @IsPrompt()
  prompt!: string | string[] | number[] | number[][];

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  echo?: boolean | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'Number of most likely alternatives per token (0-20)' }) @IsOptional() @IsInt()
  logprobs?: number | null;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  suffix?: string | null;
}
