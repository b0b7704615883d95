import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';

/** vLLM's LoadLoRAAdapterRequest. Names and paths are bounded: they are kept for as long as the adapter is. */
export class LoadLoraAdapterDto {
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'sql-lora' }) @IsOptional() @IsString() @MaxLength(256)
  lora_name?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: '/adapters/sql-lora' }) @IsOptional() @IsString() @MaxLength(4096)
  lora_path?: string | null;
}

/** vLLM's UnloadLoRAAdapterRequest. */
export class UnloadLoraAdapterDto {
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'sql-lora' }) @IsOptional() @IsString() @MaxLength(256)
  lora_name?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt() @Min(1)
  lora_int_id?: number | null;
}
