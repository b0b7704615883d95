import { ValidationError, ValidationPipe } from '@nestjs/common';
import { OpenAIError } from '../openai/openai-error';

function messages(errors: ValidationError[], parent = ''): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  for (const e of errors) {
    const path = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    for (const message of Object.values(e.constraints ?? {})) {
      out.push({ path, message: message.startsWith(e.property) ? path + message.slice(e.property.length) : `${path}: ${message}` });
    }
    if (e.children?.length) out.push(...messages(e.children, path));
  }
  return out;
}

/**
 * Admin bodies are validated strictly (SPEC §8): unknown fields are errors, not ignored as on /v1.
 * A failure is a 400 in vLLM's error shape, raised before anything changes.
 */
export function adminValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const flat = messages(errors);
      return OpenAIError.badRequest(flat.map((f) => f.message).join('; ') || 'Invalid request body', flat[0]?.path ?? null);
    },
  });
}
