import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { OutputFormat } from '../responses/responses.types';
import { ResponseFormatDto } from './dto/response-format.dto';
import { ApiError } from '../api/api-error';
import { validationFailure } from './validation';

/**
 * `response_format` (chat and /v1/completions, as in vLLM) as the reply's format, or undefined for
 * text. A `json_schema` without a schema is answered as `json_object`. Validated here, not by
 * decorators: the shared sampling DTO declares the field loosely.
 */
export function outputFormatOf(raw: unknown): OutputFormat | undefined {
  if (raw == null) return undefined;
  const format = plainToInstance(ResponseFormatDto, raw);
  const errors = validateSync(format, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const failure = validationFailure(errors);
    throw ApiError.badRequest(`response_format.${failure.message}`, `response_format.${failure.param ?? ''}`.replace(/\.$/, ''));
  }
  switch (format.type) {
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      if (!format.json_schema) throw ApiError.badRequest("response_format.json_schema: Field required when type is 'json_schema'", 'response_format.json_schema');
      return format.json_schema.schema ? { type: 'json_schema', schema: format.json_schema.schema } : { type: 'json_object' };
    default:
      return undefined;
  }
}
