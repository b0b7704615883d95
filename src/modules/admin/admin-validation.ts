import { ValidationPipe } from '@nestjs/common';
import { validationFailure } from '../http/validation';

/**
 * Admin bodies are validated strictly (docs/admin.md): unknown fields are errors, not ignored as on /v1.
 * A failure is a 400 in vLLM's error shape, raised before anything changes.
 */
export function adminValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: validationFailure,
  });
}
