import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsNumber,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { registerDecorator, ValidationOptions } from 'class-validator';
import { RESPONSE_MODES, ResponseMode } from '../../../config/settings';
import { ScriptedToolCall } from '../responses.types';

const isName = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';
const isScripted = (v: unknown): boolean => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const { name, arguments: args, ...rest } = v as Record<string, unknown>;
  return isName(name) && Object.keys(rest).length === 0 && (args === undefined || (typeof args === 'object' && args !== null && !Array.isArray(args)));
};

function IsBooleanOrName(options?: ValidationOptions) {
  return (target: object, propertyName: string): void =>
    registerDecorator({
      name: 'isBooleanOrName',
      target: target.constructor,
      propertyName,
      options,
      validator: { validate: (v: unknown) => typeof v === 'boolean' || isName(v) || isScripted(v) || (Array.isArray(v) && v.length > 0 && v.every(isScripted)) },
    });
}

/*
 * The schema of `config/responses.yaml`, shared by the file loader, the admin API
 * (`/admin/patterns`) and Swagger. Messages are written without the field name: the validator
 * prefixes the field path (`patterns[2].responses: must contain at least 1 element`).
 * Rules a decorator cannot express (unique names, at least one rule, regexes that compile with
 * RE2) are checked by `validatePatternsDocument` / `validatePattern` in `pattern-schema.ts`.
 */

const MAX_RULE_LENGTH = 1000;

/** When a pattern applies. Any one keyword or any one regex is enough (OR). */
export class MatchRulesDto {
  @ApiPropertyOptional({
    type: [String],
    description:
      'Case-insensitive. A keyword that starts/ends with a letter or digit must start/end on a word boundary ' +
      '("code" matches "Code!" but not "decode" or "codes"); spaces match any run of whitespace.',
    example: ['code', 'function', 'python'],
  })
  @IsOptional()
  @IsArray({ message: 'must be a list of strings' })
  @IsString({ each: true, message: 'each keyword must be a string' })
  @IsNotEmpty({ each: true, message: 'keywords must not be empty strings' })
  @MaxLength(MAX_RULE_LENGTH, { each: true, message: `each keyword must be at most ${MAX_RULE_LENGTH} characters` })
  keywords?: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      'RE2 syntax (linear time, no backreferences or lookaround), case-insensitive, searched anywhere in the text. ' +
      '`.` does not match a newline unless the regex starts with `(?s)`.',
    example: ['\\bwrite\\b.*\\bfunction\\b'],
  })
  @IsOptional()
  @IsArray({ message: 'must be a list of strings' })
  @IsString({ each: true, message: 'each regex must be a string' })
  @IsNotEmpty({ each: true, message: 'regexes must not be empty strings' })
  @MaxLength(MAX_RULE_LENGTH, { each: true, message: `each regex must be at most ${MAX_RULE_LENGTH} characters` })
  regex?: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      'Match against the messages of these roles (all of them, joined) instead of only the last user message. ' +
      'A completions prompt counts as a "user" message.',
    example: ['system'],
  })
  @IsOptional()
  @IsArray({ message: 'must be a list of strings' })
  @IsString({ each: true, message: 'each role must be a string' })
  @IsNotEmpty({ each: true, message: 'roles must not be empty strings' })
  roles?: string[];
}

/** One named rule and the replies it can give. */
export class PatternDto {
  @ApiProperty({ description: 'Unique name; reported as the pattern that answered.', example: 'code' })
  @IsString({ message: 'must be a string' })
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  name!: string;

  @ApiPropertyOptional({ description: 'Higher is tried first; ties keep file order.', default: 0, example: 10 })
  @IsOptional()
  @IsInt({ message: 'must be an integer' })
  @Min(-1_000_000, { message: 'must be at least -1000000' })
  @Max(1_000_000, { message: 'must be at most 1000000' })
  priority?: number;

  @ApiProperty({ type: () => MatchRulesDto, description: 'At least one keyword or regex.' })
  @IsObject({ message: 'must be a mapping with keywords and/or regex' })
  @ValidateNested({ message: 'must be a mapping with keywords and/or regex' })
  @Type(() => MatchRulesDto)
  match!: MatchRulesDto;

  @ApiProperty({
    type: [String],
    description: 'Candidate replies (markdown allowed); one is chosen per answer, seeded.',
    example: ['Here is a function:\n\n```python\ndef add(a, b):\n    return a + b\n```'],
  })
  @IsArray({ message: 'must be a list of strings' })
  @ArrayMinSize(1, { message: 'must contain at least 1 element' })
  @IsString({ each: true, message: 'each reply must be a string' })
  @IsNotEmpty({ each: true, message: 'replies must not be empty strings' })
  responses!: string[];

  @ApiPropertyOptional({
    oneOf: [{ type: 'boolean' }, { type: 'string' }, { type: 'object' }, { type: 'array' }],
    description:
      'When the request offers tools (tool_choice auto): answer with a tool call instead of a reply. ' +
      'true: the tool the prompt names, else one of those offered; a name: that tool, when offered, its ' +
      'arguments generated from its parameter schema; {"name", "arguments"} (or a list of them): exactly ' +
      'these calls, string argument values being templates.',
    example: 'get_weather',
  })
  @IsOptional()
  @IsBooleanOrName({ message: 'must be true, false, a tool name, {name, arguments} or a list of {name, arguments}' })
  tool_call?: boolean | string | ScriptedToolCall | ScriptedToolCall[];

  @ApiPropertyOptional({
    type: [String],
    description: 'What a reasoning model (--reasoning-parser) thinks before this pattern\'s reply; templates like replies, one chosen per answer.',
    example: ['The user wants {{topic|this}} explained. I will start from the basics.'],
  })
  @IsOptional()
  @IsArray({ message: 'must be a list of strings' })
  @ArrayMinSize(1, { message: 'must contain at least 1 element' })
  @IsString({ each: true, message: 'each thought must be a string' })
  @IsNotEmpty({ each: true, message: 'thoughts must not be empty strings' })
  reasoning?: string[];
}

/** What answers when no pattern matches. */
export class FallbackDto {
  @ApiProperty({ type: [String], example: ["I'm a simulated model; no pattern matched your prompt."] })
  @IsArray({ message: 'must be a list of strings' })
  @ArrayMinSize(1, { message: 'must contain at least 1 element' })
  @IsString({ each: true, message: 'each reply must be a string' })
  @IsNotEmpty({ each: true, message: 'replies must not be empty strings' })
  responses!: string[];
}

/** A reasoning model's thinking for replies whose pattern gives none. */
export class ReasoningDto {
  @ApiProperty({ type: [String], example: ['Let me think about {{topic|the question}} step by step.'] })
  @IsArray({ message: 'must be a list of strings' })
  @ArrayMinSize(1, { message: 'must contain at least 1 element' })
  @IsString({ each: true, message: 'each thought must be a string' })
  @IsNotEmpty({ each: true, message: 'thoughts must not be empty strings' })
  responses!: string[];
}

/** Defaults of JSON generated from a schema (tool arguments, `response_format`). */
export class StructuredOutputDto {
  @ApiPropertyOptional({ type: [Number], description: 'Where an integer falls when its schema sets no bounds: [min, max].', example: [0, 100] })
  @IsOptional()
  @IsArray({ message: 'must be a list of two numbers [min, max]' })
  @ArrayMinSize(2, { message: 'must be a list of two numbers [min, max]' })
  @ArrayMaxSize(2, { message: 'must be a list of two numbers [min, max]' })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true, message: 'must be a list of two numbers [min, max]' })
  integer_range?: [number, number];

  @ApiPropertyOptional({ type: [Number], description: 'Where a number falls when its schema sets no bounds: [min, max].', example: [0, 100] })
  @IsOptional()
  @IsArray({ message: 'must be a list of two numbers [min, max]' })
  @ArrayMinSize(2, { message: 'must be a list of two numbers [min, max]' })
  @ArrayMaxSize(2, { message: 'must be a list of two numbers [min, max]' })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true, message: 'must be a list of two numbers [min, max]' })
  number_range?: [number, number];
}

/** The whole responses file (`GET`/`PUT /admin/patterns`). */
export class PatternsDocumentDto {
  @ApiPropertyOptional({
    enum: RESPONSE_MODES,
    description: 'Reply mode used when neither --response-mode nor the admin API chose one.',
  })
  @IsOptional()
  @IsIn(RESPONSE_MODES, { message: `must be one of ${RESPONSE_MODES.join(', ')}` })
  mode?: ResponseMode;

  @ApiPropertyOptional({ type: () => StructuredOutputDto, description: 'Defaults of JSON generated from a schema.' })
  @IsOptional()
  @IsObject({ message: 'must be a mapping' })
  @ValidateNested({ message: 'must be a mapping' })
  @Type(() => StructuredOutputDto)
  structured_output?: StructuredOutputDto;

  @ApiProperty({ type: () => [PatternDto] })
  @IsArray({ message: 'must be a list of patterns' })
  @ValidateNested({ each: true, message: 'each pattern must be a mapping' })
  @Type(() => PatternDto)
  patterns!: PatternDto[];

  @ApiProperty({ type: () => FallbackDto })
  @IsObject({ message: 'must be a mapping with responses' })
  @ValidateNested({ message: 'must be a mapping with responses' })
  @Type(() => FallbackDto)
  fallback!: FallbackDto;

  @ApiPropertyOptional({ type: () => ReasoningDto, description: "A reasoning model's thinking for replies whose pattern has none." })
  @IsOptional()
  @IsObject({ message: 'must be a mapping with responses' })
  @ValidateNested({ message: 'must be a mapping with responses' })
  @Type(() => ReasoningDto)
  reasoning?: ReasoningDto;
}

/**
 * The overlay file (`--responses-overlay-file`): admin edits kept apart from the tracked responses
 * file. Patterns here replace the base file's patterns of the same name or are added after them;
 * `removed` names base patterns deleted through the admin API; the other fields replace the base's.
 */
export class PatternsOverlayDto {
  @ApiPropertyOptional({ enum: RESPONSE_MODES })
  @IsOptional()
  @IsIn(RESPONSE_MODES, { message: `must be one of ${RESPONSE_MODES.join(', ')}` })
  mode?: ResponseMode;

  @ApiPropertyOptional({ type: () => StructuredOutputDto })
  @IsOptional()
  @IsObject({ message: 'must be a mapping' })
  @ValidateNested({ message: 'must be a mapping' })
  @Type(() => StructuredOutputDto)
  structured_output?: StructuredOutputDto;

  @ApiPropertyOptional({ type: () => [PatternDto] })
  @IsOptional()
  @IsArray({ message: 'must be a list of patterns' })
  @ValidateNested({ each: true, message: 'each pattern must be a mapping' })
  @Type(() => PatternDto)
  patterns?: PatternDto[];

  @ApiPropertyOptional({ type: [String], description: 'Names of base-file patterns deleted through the admin API.' })
  @IsOptional()
  @IsArray({ message: 'must be a list of pattern names' })
  @IsString({ each: true, message: 'each name must be a string' })
  removed?: string[];

  @ApiPropertyOptional({ type: () => FallbackDto })
  @IsOptional()
  @IsObject({ message: 'must be a mapping with responses' })
  @ValidateNested({ message: 'must be a mapping with responses' })
  @Type(() => FallbackDto)
  fallback?: FallbackDto;

  @ApiPropertyOptional({ type: () => ReasoningDto, description: "A reasoning model's thinking for replies whose pattern has none." })
  @IsOptional()
  @IsObject({ message: 'must be a mapping with responses' })
  @ValidateNested({ message: 'must be a mapping with responses' })
  @Type(() => ReasoningDto)
  reasoning?: ReasoningDto;
}
