import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

class ErrorDetailDto {
  @ApiProperty() message!: string;
  @ApiProperty({ example: 'BadRequestError' }) type!: string;
  @ApiProperty({ nullable: true, type: String }) param!: string | null;
  @ApiProperty({ example: 400 }) code!: number;
}

/** vLLM's error body, `{"error": {message, type, param, code}}`, which every admin failure uses. */
export class ErrorBodyDto {
  @ApiProperty({ type: ErrorDetailDto }) error!: ErrorDetailDto;
}

/** The failures every admin route shares, for the OpenAPI document. */
export function ApiAdminErrors(...extra: Array<[number, string]>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiResponse({ status: 400, description: 'Invalid request; nothing changed', type: ErrorBodyDto }),
    ApiResponse({ status: 401, description: 'ADMIN_API_KEY set and the Bearer token missing or wrong', type: ErrorBodyDto }),
    ApiResponse({ status: 403, description: 'No ADMIN_API_KEY and the client is not on loopback', type: ErrorBodyDto }),
    ...extra.map(([status, description]) => ApiResponse({ status, description, type: ErrorBodyDto })),
  );
}
