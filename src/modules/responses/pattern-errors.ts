/**
 * Typed errors of the Responses module. `status` is the HTTP status the admin API answers with,
 * so the door maps them once (400 invalid, 404 unknown name, 409 duplicate name, 412 stale ETag).
 */
export abstract class PatternError extends Error {
  abstract readonly status: 400 | 404 | 409 | 412 | 500;
}

/** A document or pattern that does not satisfy the schema; `issues` name the field paths. */
export class PatternValidationError extends PatternError {
  readonly status = 400;
  constructor(readonly issues: readonly string[], prefix = 'invalid patterns') {
    super(`${prefix}: ${issues.join('; ')}`);
    this.name = 'PatternValidationError';
  }
}

export class PatternNotFoundError extends PatternError {
  readonly status = 404;
  constructor(readonly patternName: string) {
    super(`pattern '${patternName}' does not exist`);
    this.name = 'PatternNotFoundError';
  }
}

export class PatternConflictError extends PatternError {
  readonly status = 409;
  constructor(readonly patternName: string) {
    super(`pattern '${patternName}' already exists`);
    this.name = 'PatternConflictError';
  }
}

/** `If-Match` named an ETag that is no longer current. */
export class PatternPreconditionError extends PatternError {
  readonly status = 412;
  constructor(readonly expected: string, readonly current: string) {
    super(`the patterns changed: If-Match ${expected} does not match the current ETag ${current}`);
    this.name = 'PatternPreconditionError';
  }
}

/** Writing the responses file failed (disk full, permissions); nothing changed in memory. */
export class PatternPersistError extends PatternError {
  readonly status = 500;
  constructor(readonly path: string, cause: unknown) {
    super(`could not write ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'PatternPersistError';
  }
}

/**
 * The responses file cannot be used at start-up (missing, unreadable, bad YAML, invalid). Start-up
 * stops with this message; later reloads keep the last good patterns instead.
 */
export class ResponsesFileError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`responses file ${path}: ${reason}`);
    this.name = 'ResponsesFileError';
  }
}
