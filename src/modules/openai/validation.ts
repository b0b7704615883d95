import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { OpenAIError } from './openai-error';

function flatten(errors: ValidationError[], parent = ''): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  for (const e of errors) {
    const path = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    for (const message of Object.values(e.constraints ?? {})) out.push({ path, message: message.startsWith(e.property) ? message.replace(e.property, path) : `${path}: ${message}` });
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}

/**
 * Request bodies are validated by their DTOs; a failure is vLLM's 400 naming the field (never 422).
 * Unknown fields are ignored, as vLLM ignores extras.
 */
/** class-validator errors as one 400: every failing field named by its path (`messages[0].role`). */
export function validationFailure(errors: ValidationError[]): OpenAIError {
  const flat = flatten(errors);
  return OpenAIError.badRequest(flat.map((f) => f.message).join('; ') || 'Invalid request body', flat[0]?.path ?? null);
}

class OpenAIValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw OpenAIError.badRequest('The request body must be a JSON object');
    }
    return super.transform(value, metadata);
  }
}

export function openAIValidationPipe(): ValidationPipe {
  return new OpenAIValidationPipe({
    transform: true,
    whitelist: false,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
    exceptionFactory: validationFailure,
  });
}
