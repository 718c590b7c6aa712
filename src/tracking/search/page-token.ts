/**
 * MLflow's page tokens (`SearchUtils.create_page_token` / `parse_start_offset_from_page_token`):
 * base64 of the JSON `{"offset": N}`, written byte for byte as Python's `json.dumps` writes it, so
 * tokens from mlf and from MLflow are interchangeable.
 *
 * @example
 * encodePageToken(5)            // 'eyJvZmZzZXQiOiA1fQ=='
 * decodePageToken('eyJvZmZzZXQiOiA1fQ==') // 5
 * decodePageToken(undefined)    // 0
 */
import { MlfError } from '../../lib/errors.js';
import { pyRepr, pyStr } from '../py-format.js';

const invalid = (message: string) => new MlfError(message, 'INVALID_PARAMETER_VALUE');

export function encodePageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

/** Python's repr of a bytes object, for MLflow's "decoded value=b'...'" message. */
function pyBytesRepr(buf: Buffer): string {
  const hasSingle = buf.includes(0x27);
  const hasDouble = buf.includes(0x22);
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let out = 'b' + quote;
  for (const b of buf) {
    if (b === 0x5c) out += '\\\\';
    else if (b === quote.charCodeAt(0)) out += '\\' + quote;
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b < 0x20 || b >= 0x7f) out += '\\x' + b.toString(16).padStart(2, '0');
    else out += String.fromCharCode(b);
  }
  return out + quote;
}

const B64_CHARS = /[A-Za-z0-9+/=]/;

/**
 * Python's lenient `base64.b64decode`: characters outside the alphabet are skipped, but the
 * padding must be complete. Returns null where Python raises `binascii.Error`.
 */
function pyB64Decode(token: string): Buffer | null {
  let data = '';
  let pad = 0;
  for (const ch of token) {
    if (!B64_CHARS.test(ch)) continue;
    if (ch === '=') {
      pad++;
      continue;
    }
    if (pad > 0) {
      // Data after padding: Python stops at a complete quantum; treat anything else as an error.
      if ((data.length + pad) % 4 === 0) break;
      return null;
    }
    data += ch;
  }
  if (data.length % 4 === 1) return null;
  if (data.length % 4 !== 0 && data.length % 4 + pad < 4) return null;
  return Buffer.from(data, 'base64');
}

/** The offset a page token carries; 0 when there is no token. MLflow's messages on bad tokens. */
export function decodePageToken(token?: string | null): number {
  if (!token) return 0;
  const decoded = pyB64Decode(token);
  if (decoded === null) throw invalid('Invalid page token, could not base64-decode');
  let parsed: unknown;
  try {
    // Python's json.loads accepts NaN/Infinity too, but an offset never is one.
    parsed = JSON.parse(decoded.toString('utf8'));
  } catch {
    throw invalid(`Invalid page token, decoded value=${pyBytesRepr(decoded)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    // MLflow fails here with an AttributeError (a 500); mlf reports the bad token instead.
    throw invalid(`Invalid page token, parsed value=${pyRepr(parsed)}`);
  }
  const raw = (parsed as Record<string, unknown>).offset;
  // MLflow treats every falsy offset (0, "", null, missing) as a bad token.
  if (raw === undefined || raw === null || raw === 0 || raw === '' || raw === false) {
    throw invalid(`Invalid page token, parsed value=${pyRepr(parsed)}`);
  }
  let offset: number;
  if (typeof raw === 'number' && Number.isFinite(raw)) offset = Math.trunc(raw);
  else if (typeof raw === 'string' && /^\s*[-+]?\d+\s*$/.test(raw)) offset = Number(raw.trim());
  else throw invalid(`Invalid page token, not stringable ${pyStr(raw)}`);
  if (offset < 0 || !Number.isSafeInteger(offset)) {
    // A negative offset would slice from the end in Python; nothing good can come of it.
    throw invalid(`Invalid page token, parsed value=${pyRepr(parsed)}`);
  }
  return offset;
}
