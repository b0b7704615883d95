import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsOptional, IsString, registerDecorator, ValidationOptions } from 'class-validator';

const isPart = (p: unknown): boolean => typeof p === 'object' && p !== null && typeof (p as { type?: unknown }).type === 'string';

/** A message's content: a string, or an array of typed content parts. */
function IsMessageContent(options?: ValidationOptions) {
  return (target: object, propertyName: string): void =>
    registerDecorator({
      name: 'isMessageContent',
      target: target.constructor,
      propertyName,
      options: { message: '$property must be a string or an array of content parts', ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every(isPart)) },
    });
}

/** One chat message as vLLM's chat routes take it (chat completions, /tokenize). */
export class ChatMessageDto {
  @ApiProperty({ type: 'string', example: 'user' }) @IsString()
  role!: string;

  @ApiPropertyOptional({
    description: 'Text, or an array of content parts ({"type":"text","text":...})',
    nullable: true,
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, text: { type: 'string' } }, required: ['type'], additionalProperties: true } }],
  })
  @IsOptional() @IsMessageContent()
  content?: string | Array<{ type: string; text?: string }> | null;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  name?: string | null;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true }, nullable: true }) @IsOptional() @IsArray()
  tool_calls?: unknown[] | null;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  tool_call_id?: string | null;
}

/** The text of a message: its string content, or its text parts joined. */
export function messageText(message: ChatMessageDto): string {
  const content = message.content;
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('\n');
}
