import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class RequestsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 50, description: 'How many of the most recent requests' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit?: number;
}
