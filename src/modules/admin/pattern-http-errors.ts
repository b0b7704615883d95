import { PatternError, PatternValidationError } from '../responses/pattern-errors';
import { ApiError } from '../api/api-error';

/** The Responses module's typed errors as the admin API answers them (400, 404, 409, 412, 500). */
function toAdminError(err: unknown): unknown {
  if (!(err instanceof PatternError)) return err;
  const param = err instanceof PatternValidationError ? (/^([^:\s]+):/.exec(err.issues[0] ?? '')?.[1] ?? null) : null;
  return new ApiError(err.status, err.message, param);
}

/** Runs a store operation, translating its errors for the client. */
export async function asAdmin<T>(op: () => Promise<T> | T): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw toAdminError(err);
  }
}
