/**
 * Request parsing as MLflow's `_get_request_message` does it: query string for GET, a JSON body
 * otherwise (Content-Type `application/json` required for POST and PUT, a double-encoded JSON string
 * accepted, unknown fields ignored), then MLflow's schema checks with MLflow's messages.
 *
 * Where mlf differs on purpose: a body that is not JSON at all, or JSON that is not an object, is
 * refused with INVALID_PARAMETER_VALUE (400, MLflow's code) and its own message, instead of being read
 * as `{}` (MLflow, which then fails on the first required field) or crashing into a 500.
 */
import { MlfError } from '../lib/errors.js';
import { floatFromJson } from '../tracking/rest-json.js';
import { parseJsonKeepingFloats, pyJsonDumps, pyTypeName } from '../tracking/py-format.js';
import { invalidValueMessage } from '../tracking/validation.js';
import type { Req } from './http.js';
import { jsonShape, MAX_JSON_DEPTH, MAX_JSON_VALUES, PARSED_BYTES_PER_VALUE } from './json-depth.js';

export type Params = Record<string, unknown>;

const API_DOCS = ' See the API docs for more information about request parameters.';

/** The largest JSON body read for any endpoint (log-batch has its own, smaller, MLflow limit). */
export const MAX_JSON_BODY_BYTES = 64 * 1024 * 1024;
/** MLflow's `MAX_BATCH_LOG_REQUEST_SIZE`. */
export const MAX_BATCH_LOG_REQUEST_SIZE = 1_000_000;

export function missing(name: string): MlfError {
  return new MlfError(`Missing value for required parameter '${name}'.${API_DOCS}`, 'INVALID_PARAMETER_VALUE');
}

/**
 * MLflow's "Invalid value" message: the value as Python's `json.dumps` prints it (`9.0`, `"foo"`), its
 * Python type as hint. `holder` is the object holding the value, so a `9.0` written in the body shows as a float.
 */
export function invalid(name: string, value: unknown, holder?: unknown, key: string | number = name): MlfError {
  return new MlfError(
    `${invalidValueMessage(name, value, ` Hint: Value was of type '${pyTypeName(value, holder, key)}'.`, pyJsonDumps(value, holder, key))}${API_DOCS}`,
    'INVALID_PARAMETER_VALUE',
  );
}

function checkContentType(req: Req): void {
  const m = req.method;
  if (m !== 'POST' && m !== 'PUT') return;
  const ct = req.header('content-type');
  if (ct === undefined) {
    throw new MlfError('Bad Request. Content-Type header is missing.', 'INVALID_PARAMETER_VALUE');
  }
  if (ct !== 'application/json' && ct.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    throw new MlfError("Bad Request. Content-Type must be one of ['application/json'].", 'INVALID_PARAMETER_VALUE');
  }
}

/** Reads the raw body as text with a size cap (Content-Length is checked first, then the bytes read). */
export async function readBodyText(req: Req, limit: number, tooLarge: (size: number) => MlfError): Promise<string> {
  const buf = await req.body(limit, tooLarge);
  try {
    return strictUtf8.decode(buf);
  } catch {
    // Replacing bad bytes with U+FFFD would store text the client never sent (Flask refuses it too).
    throw new MlfError('Bad Request. The request body is not valid UTF-8.', 'BAD_REQUEST');
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const bodyTooLarge = (size: number) =>
  new MlfError(`Request body is too large: ${size} bytes (at most ${MAX_JSON_BODY_BYTES}).`, 'INVALID_PARAMETER_VALUE');

/**
 * The request's parameters: query arguments for GET (fields in `repeated` as lists, the others as
 * their first value), the JSON body otherwise.
 */
export async function readParams(req: Req, repeated: readonly string[] = [], bodyText?: string): Promise<Params> {
  if (req.method === 'GET' || req.method === 'HEAD') {
    const out: Params = {};
    let any = false;
    if (req.query !== '') {
      for (const [k, v] of new URLSearchParams(req.query)) {
        any = true;
        if (repeated.includes(k)) ((out[k] ??= []) as unknown[]).push(v);
        else if (!(k in out)) out[k] = v;
      }
    }
    if (any || req.method === 'HEAD') return out;
    // MLflow reads a GET without a query string from its JSON body, if any.
  }
  checkContentType(req);
  const text = bodyText ?? (await readBodyText(req, MAX_JSON_BODY_BYTES, bodyTooLarge));
  return parseJsonBody(text, req);
}

/** Refuses JSON too deep or with too many values; else the parsed value's bytes beyond the text are held for `req`. */
async function checkShape(text: string, req?: Req): Promise<string> {
  const shape = jsonShape(text, MAX_JSON_DEPTH, MAX_JSON_VALUES);
  if (shape.depth > MAX_JSON_DEPTH) {
    throw new MlfError(`Bad Request. The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`, 'BAD_REQUEST');
  }
  if (shape.values > MAX_JSON_VALUES) {
    throw new MlfError(`Bad Request. The request body holds more than ${MAX_JSON_VALUES} JSON values.`, 'BAD_REQUEST');
  }
  await req?.hold?.(shape.values * PARSED_BYTES_PER_VALUE);
  return text;
}

/** The JSON object of a request body; with `req`, what parsing holds counts against its budget. */
export async function parseJsonBody(text: string, req?: Req): Promise<Params> {
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = parseJsonKeepingFloats(await checkShape(text, req));
    // Older clients post their JSON double-encoded as a string.
    if (typeof v === 'string') v = parseJsonKeepingFloats(await checkShape(v, req));
  } catch (e) {
    if (e instanceof MlfError) throw e;
    throw new MlfError('Bad Request. The request body is not valid JSON.', 'INVALID_PARAMETER_VALUE');
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new MlfError('Bad Request. The request body must be a JSON object.', 'INVALID_PARAMETER_VALUE');
  }
  return v as Params;
}

// ---- field readers (MLflow's `_assert_*` schema checks) ----

const absent = (v: unknown) => v === undefined || v === null;

/** A string field; `required` treats '' as missing (proto3 semantics). Numbers are refused like MLflow. */
export function str(p: Params, name: string, required: true): string;
export function str(p: Params, name: string, required?: false): string | undefined;
export function str(p: Params, name: string, required = false): string | undefined {
  let v = p[name];
  if (name === 'run_id' && absent(v)) v = p.run_uuid;
  if (absent(v) || v === '') {
    if (required) throw missing(name);
    return absent(v) ? undefined : '';
  }
  if (typeof v !== 'string') throw invalid(name, v, p);
  return v;
}

/** An int64 field: a JSON integer or a string holding one. */
export function int(p: Params, name: string, required = false): number | undefined {
  const v = p[name];
  if (absent(v) || v === '') {
    if (required) throw missing(name);
    return undefined;
  }
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number(v);
  throw invalid(name, v, p);
}

/** A double field: a number, a numeric string, or "NaN"/"Infinity"/"-Infinity". */
export function double(p: Params, name: string, required = false): number | undefined {
  const v = p[name];
  if (absent(v) || v === '') {
    if (required) throw missing(name);
    return undefined;
  }
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    try {
      return floatFromJson(v, name);
    } catch {
      throw invalid(name, v, p);
    }
  }
  throw invalid(name, v, p);
}

/** A repeated field: a JSON list (a single value in a query string becomes a one-item list). */
export function list(p: Params, name: string, required = false): unknown[] {
  const v = p[name];
  if (absent(v)) {
    if (required) throw missing(name);
    return [];
  }
  if (!Array.isArray(v)) throw invalid(name, v, p);
  if (required && v.length === 0) throw missing(name);
  return v;
}

export function stringList(p: Params, name: string, required = false): string[] {
  const v = list(p, name, required);
  for (const x of v) if (typeof x !== 'string' && typeof x !== 'number') throw invalid(name, v, p);
  return v.map(String);
}

/**
 * How an enum field takes a value the enum lacks: refused (`strict`); a name it lacks left unset, as
 * MLflow's parsing does where the handler only asserts a string (runs/update's `status`); or any value
 * it cannot read left unset, where the handler asserts nothing and protobuf's parser, told to ignore
 * what it does not know, drops it (search-runs' `run_view_type`, which then is its default).
 */
export type EnumLeniency = 'strict' | 'unknown-names' | 'anything';

/** An enum field, given by name (`"ALL"`) or number (`3`), as protobuf JSON accepts both. */
export function enumField<T extends string>(p: Params, name: string, codes: Record<T, number>, leniency: EnumLeniency = 'strict'): T | undefined {
  const v = p[name];
  if (absent(v) || v === '') return undefined;
  if (typeof v === 'string' && v in codes) return v as T;
  if (leniency === 'unknown-names' && typeof v === 'string' && !/^\d+$/.test(v)) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  const hit = (Object.keys(codes) as T[]).find((k) => codes[k] === n);
  if (hit) return hit;
  if (leniency === 'anything') return undefined;
  throw invalid(name, v, p);
}

/** Key/value pairs (tags, params): objects with a string key; values may be strings or numbers. */
export function keyValues(p: Params, name: string, keyRequired = false): { key: string; value: string }[] {
  return list(p, name).map((t, i) => {
    if (t === null || typeof t !== 'object' || Array.isArray(t)) throw invalid(name, p[name]);
    const o = t as Params;
    if (keyRequired && (absent(o.key) || o.key === '')) throw missing(`${name}[${i}].key`);
    return { key: scalarString(o.key, `${name}[${i}].key`), value: scalarString(o.value, `${name}[${i}].value`) };
  });
}

/** A string inside a nested message: absent is '' (proto3), numbers and booleans become text. */
export function scalarString(v: unknown, name: string): string {
  if (absent(v)) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalid(name, v);
}
