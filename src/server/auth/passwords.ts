/**
 * Password hashes in werkzeug's format, which MLflow stores (`generate_password_hash` /
 * `check_password_hash`): `scrypt:N:r:p$salt$hex` (werkzeug 3's default, used for new hashes) and
 * `pbkdf2:<hash>:<iterations>$salt$hex`. So users created by MLflow sign in to mlf, and the other way
 * round. Hashing runs on libuv's thread pool (async), never on the event loop.
 *
 * @example
 * const h = await hashPassword('s3cret');        // 'scrypt:32768:8:1$Xy...$9f...'
 * await checkPassword(h, 's3cret');              // true
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (pw: Buffer, salt: Buffer, len: number, o: crypto.ScryptOptions) => Promise<Buffer>;
const pbkdf2 = promisify(crypto.pbkdf2);

const SALT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SALT_LENGTH = 16;
/** werkzeug's pbkdf2 default iterations (3.x). */
const PBKDF2_ITERATIONS = 600_000;

function genSalt(): string {
  const bytes = crypto.randomBytes(SALT_LENGTH);
  let s = '';
  // 256 % 62 bias is irrelevant for a salt; werkzeug uses secrets.choice.
  for (const b of bytes) s += SALT_CHARS[b % SALT_CHARS.length];
  return s;
}

/** werkzeug's `_hash_internal`: the hex digest and the method string as it is written back. */
async function hashInternal(method: string, salt: string, password: string): Promise<{ hex: string; method: string } | undefined> {
  const [name, ...args] = method.split(':');
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt, 'utf8');
  if (name === 'scrypt') {
    const n = args[0] ? Number(args[0]) : 2 ** 15;
    const r = args[1] ? Number(args[1]) : 8;
    const p = args[2] ? Number(args[2]) : 1;
    if (![n, r, p].every((x) => Number.isInteger(x) && x > 0)) return undefined;
    const key = await scrypt(pw, s, 64, { N: n, r, p, maxmem: 132 * n * r * p });
    return { hex: key.toString('hex'), method: `scrypt:${n}:${r}:${p}` };
  }
  if (name === 'pbkdf2') {
    const hash = args[0] || 'sha256';
    const iterations = args[1] ? Number(args[1]) : PBKDF2_ITERATIONS;
    if (!Number.isInteger(iterations) || iterations < 1 || !crypto.getHashes().includes(hash)) return undefined;
    const len = crypto.createHash(hash).digest().length;
    const key = await pbkdf2(pw, s, iterations, len, hash);
    return { hex: key.toString('hex'), method: `pbkdf2:${hash}:${iterations}` };
  }
  return undefined;
}

export async function hashPassword(password: string, method = 'scrypt'): Promise<string> {
  const salt = genSalt();
  const h = await hashInternal(method, salt, password);
  if (!h) throw new Error(`Unsupported password hash method '${method}'`);
  return `${h.method}$${salt}$${h.hex}`;
}

/** True if `password` matches `pwhash`; false for a malformed or unsupported hash. Constant-time compare. */
export async function checkPassword(pwhash: string, password: string): Promise<boolean> {
  const parts = pwhash.split('$');
  if (parts.length < 3) return false;
  const [method, salt] = parts as [string, string];
  const expected = parts.slice(2).join('$');
  let h: { hex: string } | undefined;
  try {
    h = await hashInternal(method, salt, password);
  } catch {
    return false;
  }
  if (!h) return false;
  const a = Buffer.from(h.hex, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
