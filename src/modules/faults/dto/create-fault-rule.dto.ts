import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  Validate,
} from 'class-validator';
import { FAULT_TYPES, FaultRuleSpec, FaultType } from '../fault.types';

/** A type-specific field may only be given with its type (a `delay_ms` on a rate_limit is a mistake). */
@ValidatorConstraint({ name: 'onlyForType' })
class OnlyForType implements ValidatorConstraintInterface {
  validate(_value: unknown, args: ValidationArguments): boolean {
    return (args.object as CreateFaultRuleDto).type === args.constraints[0];
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} only applies to faults of type ${args.constraints[0]}`;
  }
}

/** POST /admin/faults: one fault rule (docs/admin.md, Faults). */
export class CreateFaultRuleDto implements FaultRuleSpec {
  @ApiProperty({ enum: FAULT_TYPES, example: 'rate_limit' })
  @IsIn(FAULT_TYPES, { message: `type must be one of: ${FAULT_TYPES.join(', ')}` })
  type!: FaultType;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 1, description: 'Chance that a matching request fails' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  probability?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'Only the next N matching requests fail; then the rule is removed' })
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000_000)
  count?: number;

  @ApiPropertyOptional({ example: '/v1/chat/completions', description: 'Only this route ("/v1/completions", "/v1/chat/completions" or "grpc")' })
  @IsOptional() @IsString() @Matches(/^(\/\S*|grpc)$/, { message: 'route must be a path starting with "/" or "grpc"' })
  route?: string;

  @ApiPropertyOptional({ description: 'Only requests for this served model name' })
  @IsOptional() @IsString() @MinLength(1)
  model?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 3600, default: 1, description: "rate_limit: seconds in the 429's Retry-After header" })
  @IsOptional() @IsInt() @Min(0) @Max(3600) @Validate(OnlyForType, ['rate_limit'])
  retry_after?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 600000, default: 30000, description: 'timeout: how long the request is held (ms)' })
  @IsOptional() @IsInt() @Min(0) @Max(600_000) @Validate(OnlyForType, ['timeout'])
  delay_ms?: number;

  @ApiPropertyOptional({ enum: ['error', 'answer'], default: 'error', description: 'timeout: then answer 504 ("error") or normally ("answer")' })
  @IsOptional() @IsIn(['error', 'answer']) @Validate(OnlyForType, ['timeout'])
  then?: 'error' | 'answer';

  @ApiPropertyOptional({ minimum: 0, default: 5, description: 'stream_abort: tokens sent before the stream is cut' })
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000) @Validate(OnlyForType, ['stream_abort'])
  after_tokens?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 4, description: 'slow: latency multiplier' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1) @Max(1000) @Validate(OnlyForType, ['slow'])
  factor?: number;
}

/** A stored rule as GET/POST /admin/faults answer it. */
export class FaultRuleDto extends CreateFaultRuleDto {
  @ApiProperty({ example: 'fault-1' })
  id!: string;

  @ApiProperty({ example: 1 })
  declare probability: number;

  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' })
  created_at!: string;

  @ApiPropertyOptional({ description: 'For counted rules: firings left' })
  remaining?: number;
}
