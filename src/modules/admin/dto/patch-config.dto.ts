import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { RuntimeValues } from '../../../config/runtime-config';
import { RESPONSE_MODES, ResponseMode } from '../../../config/settings';

const finite = { allowNaN: false, allowInfinity: false };
/** Absent = unchanged; null is only allowed where it means "no override". */
const present = (key: string) => ValidateIf((o: Record<string, unknown>) => o[key] !== undefined);

/** PATCH /admin/config: a JSON merge patch of the run-time settings (same bounds as start-up). */
export class PatchConfigDto implements Partial<RuntimeValues> {
  @ApiPropertyOptional({ minimum: 0, maximum: 1000, description: 'Multiplies every simulated delay; 0 answers at once' })
  @present('latency_scale') @IsNumber(finite) @Min(0) @Max(1000)
  latency_scale?: number;

  @ApiPropertyOptional({ type: 'number', minimum: 0, nullable: true, description: 'Fixed time to first token (ms); null = derived' })
  @IsOptional() @IsNumber(finite) @Min(0) @Max(3_600_000)
  ttft_ms?: number | null;

  @ApiPropertyOptional({ type: 'number', minimum: 0, nullable: true, description: 'Fixed inter-token latency (ms); null = derived' })
  @IsOptional() @IsNumber(finite) @Min(0) @Max(3_600_000)
  itl_ms?: number | null;

  @ApiPropertyOptional({ type: 'number', minimum: 0, nullable: true, description: 'Fixed prefill cost per prompt token (ms); null = derived' })
  @IsOptional() @IsNumber(finite) @Min(0) @Max(60_000)
  prefill_ms_per_token?: number | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 5, description: 'Relative standard deviation of every step time' })
  @present('latency_jitter') @IsNumber(finite) @Min(0) @Max(5)
  latency_jitter?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 65536, description: 'Running-batch limit of the engine' })
  @present('max_num_seqs') @IsInt() @Min(1) @Max(65536)
  max_num_seqs?: number;

  @ApiPropertyOptional({ enum: RESPONSE_MODES })
  @present('response_mode') @IsIn(RESPONSE_MODES)
  response_mode?: ResponseMode;
}
