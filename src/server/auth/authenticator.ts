/**
 * HTTP Basic sign-in against the auth database, built so that guessing passwords does not slow other
 * users down:
 * - a verified (username, password, stored hash) triple is remembered as a keyed digest, so a user's
 *   later requests cost one HMAC instead of a scrypt run (changing the password changes the stored
 *   hash, which invalidates the entry);
 * - each username has at most one password check in flight; further guesses for that name while one
 *   runs are refused at once (401), so a flood against one account queues nothing.
 * Passwords are never logged or kept in clear; digests are compared in constant time.
 */
import crypto from 'node:crypto';
import type { AuthStore, UserRow } from './auth-store.js';
import { checkPassword } from './passwords.js';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * The credentials of an `Authorization: Basic` header; `undefined` if absent, `null` if malformed
 * (not Basic, bad base64, or no colon).
 */
export function parseBasicAuth(header: string | undefined): Credentials | undefined | null {
  if (header === undefined || header === '') return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon === -1) return null;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

const MAX_CACHED = 10_000;

export class Authenticator {
  private readonly key = crypto.randomBytes(32);
  /** username → digest of a verified (password, stored hash) pair. */
  private readonly verified = new Map<string, Buffer>();
  private readonly inFlight = new Set<string>();
  /** Password hashes computed (a cache hit computes none). */
  checks = 0;
  /** Password checks refused because another one for the same user was running. */
  throttled = 0;

  constructor(private readonly store: AuthStore) {}

  private digest(c: Credentials, hash: string): Buffer {
    return crypto.createHmac('sha256', this.key).update(c.username).update('\0').update(c.password).update('\0').update(hash).digest();
  }

  /** The signed-in user, or undefined for an unknown user or a wrong password. */
  async authenticate(c: Credentials): Promise<UserRow | undefined> {
    const user = await this.store.findUser(c.username);
    if (!user) return undefined;
    const d = this.digest(c, user.passwordHash);
    const known = this.verified.get(c.username);
    if (known && crypto.timingSafeEqual(known, d)) return user;
    if (this.inFlight.has(c.username)) {
      this.throttled++;
      return undefined;
    }
    this.inFlight.add(c.username);
    this.checks++;
    try {
      if (!(await checkPassword(user.passwordHash, c.password))) return undefined;
    } finally {
      this.inFlight.delete(c.username);
    }
    if (this.verified.size >= MAX_CACHED) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(c.username, d);
    return user;
  }
}
