/**
 * MLflow's error codes (mlflow/protos/databricks.proto) and the one error class mlf throws.
 *
 * Every store, the server and the CLI throw `MlfError`; the server maps `errorCode` to MLflow's HTTP
 * status with {@link httpStatusFor}, the CLI maps `exitCode` to the process exit code.
 *
 * @example
 * throw new MlfError("Run with id=abc not found", "RESOURCE_DOES_NOT_EXIST");
 */
export type ErrorCode =
  | 'INTERNAL_ERROR'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'IO_ERROR'
  | 'BAD_REQUEST'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'RESOURCE_EXHAUSTED'
  | 'ABORTED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'UNAUTHENTICATED'
  | 'INVALID_PARAMETER_VALUE'
  | 'ENDPOINT_NOT_FOUND'
  | 'MALFORMED_REQUEST'
  | 'INVALID_STATE'
  | 'PERMISSION_DENIED'
  | 'FEATURE_DISABLED'
  | 'CUSTOMER_UNAUTHORIZED'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'RESOURCE_CONFLICT'
  | 'NOT_IMPLEMENTED'
  | 'DATA_LOSS'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'RESOURCE_DOES_NOT_EXIST';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  ABORTED: 409,
  RESOURCE_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  NOT_FOUND: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_DOES_NOT_EXIST: 404,
  PERMISSION_DENIED: 403,
  CUSTOMER_UNAUTHORIZED: 401,
  UNAUTHENTICATED: 401,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
};

/** MLflow's HTTP status for an error code (`ERROR_CODE_TO_HTTP_STATUS`); unmapped codes are 500. */
export function httpStatusFor(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 500;
}

/** Exit codes of the CLI: 1 a failed operation, 2 bad input or usage. */
export type ExitCode = 1 | 2;

/** Codes that mean "the caller sent something wrong", so the CLI exits 2. */
const USAGE_CODES = new Set<ErrorCode>(['INVALID_PARAMETER_VALUE', 'BAD_REQUEST', 'MALFORMED_REQUEST']);

/**
 * An error with MLflow's error code. `message` is one line, shown to users as it is, and never holds a
 * password (URIs are masked with `maskUri` before they reach a message).
 */
export class MlfError extends Error {
  readonly errorCode: ErrorCode;
  readonly exitCode: ExitCode;

  constructor(message: string, errorCode: ErrorCode = 'INTERNAL_ERROR', exitCode?: ExitCode) {
    super(message);
    this.name = 'MlfError';
    this.errorCode = errorCode;
    this.exitCode = exitCode ?? (USAGE_CODES.has(errorCode) ? 2 : 1);
  }

  get httpStatus(): number {
    return httpStatusFor(this.errorCode);
  }

  /** MLflow's error body: `{"error_code": "...", "message": "..."}`. */
  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

/** Shorthand for the most common error, a bad argument (`INVALID_PARAMETER_VALUE`, exit 2). */
export function invalidParameter(message: string): MlfError {
  return new MlfError(message, 'INVALID_PARAMETER_VALUE');
}

export function isMlfError(e: unknown): e is MlfError {
  return e instanceof MlfError;
}
