/** How an HTTP answer becomes an `MlfError`: MLflow's status → error-code table and its `RestException`. */
import { MlfError, type ErrorCode } from '../../lib/errors.js';
import type { Json } from '../../tracking/entities.js';

const ERROR_CODES = new Set<string>([
  'INTERNAL_ERROR', 'TEMPORARILY_UNAVAILABLE', 'IO_ERROR', 'BAD_REQUEST', 'DEADLINE_EXCEEDED', 'CANCELLED',
  'RESOURCE_EXHAUSTED', 'ABORTED', 'NOT_FOUND', 'ALREADY_EXISTS', 'UNAUTHENTICATED', 'INVALID_PARAMETER_VALUE',
  'ENDPOINT_NOT_FOUND', 'MALFORMED_REQUEST', 'INVALID_STATE', 'PERMISSION_DENIED', 'FEATURE_DISABLED',
  'CUSTOMER_UNAUTHORIZED', 'REQUEST_LIMIT_EXCEEDED', 'RESOURCE_CONFLICT', 'NOT_IMPLEMENTED', 'DATA_LOSS',
  'RESOURCE_ALREADY_EXISTS', 'RESOURCE_DOES_NOT_EXIST',
] satisfies ErrorCode[]);

/**
 * MLflow's `HTTP_STATUS_TO_ERROR_CODE`: the inverse of its code → status table (the last code listed
 * for a status wins), with 400, 404 and 500 pinned to BAD_REQUEST, ENDPOINT_NOT_FOUND and INTERNAL_ERROR.
 */
const STATUS_TO_CODE: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'ENDPOINT_NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL_ERROR',
  501: 'NOT_IMPLEMENTED',
  503: 'TEMPORARILY_UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** MLflow's `get_error_code(http_status)`. */
export function errorCodeForStatus(status: number): ErrorCode {
  return STATUS_TO_CODE[status] ?? 'INTERNAL_ERROR';
}

/** A response body as it may appear in a one-line message. */
export function bodyForMessage(text: string): string {
  const one = text.replace(/\s*[\r\n]+\s*/g, ' ');
  return one.length > 1000 ? `${one.slice(0, 1000)}…` : one;
}

export function parseJsonObject(text: string): Json | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** MLflow's `RestException`: the body's code (or, for a numeric code, the code of that status). */
export function restError(body: Json): MlfError {
  const raw = body.error_code;
  let code: ErrorCode = 'INTERNAL_ERROR';
  if (typeof raw === 'string' && ERROR_CODES.has(raw)) code = raw as ErrorCode;
  else if ((typeof raw === 'number' || typeof raw === 'string') && /^\d+$/.test(String(raw))) code = errorCodeForStatus(Number(raw));
  const message = typeof body.message === 'string' ? body.message : `${String(raw ?? 'INTERNAL_ERROR')}: Response: ${JSON.stringify(body)}`;
  return new MlfError(message.split('\n')[0]!, code);
}

