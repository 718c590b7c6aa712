import { describe, expect, it } from 'vitest';
import { checkPassword, hashPassword } from '../../../src/server/auth/passwords.js';

// Hashes in werkzeug's format, computed independently with Python's hashlib (scrypt / pbkdf2_hmac),
// as werkzeug's generate_password_hash writes them.
const SCRYPT = 'scrypt:32768:8:1$abcdefghij012345$107327715f2a07b1a15ab9d65ef13c7c1c6081602d0c3e74a0001372ebad095e1fdd953a7aa755822fa7e3b5fdc83f6348d3c4f6165a5c047c630224758a363b';
const PBKDF2 = 'pbkdf2:sha256:1000$abcdefghij012345$6a3c97d642a3dc0b933cac01c2e7a794a43a4913cba88cd82ce8b6897f4108e4';
const PBKDF2_SHA512 = 'pbkdf2:sha512:2000$XYZ$fcea11aa54ad2a3d7ba2dd8f681a05fcebe705c9d9efd516fa17472c61cedf449ac7f5bd387ff9c889d0babd1de47c9cdeffc1122277e548adb0938205082e94';

describe('werkzeug password hashes', () => {
  it('accepts the right password for scrypt and pbkdf2 hashes made by Python', async () => {
    expect(await checkPassword(SCRYPT, 's3crét')).toBe(true);
    expect(await checkPassword(PBKDF2, 's3crét')).toBe(true);
    expect(await checkPassword(PBKDF2_SHA512, 'admin')).toBe(true);
  });

  it('refuses a wrong password and malformed or unknown hashes', async () => {
    expect(await checkPassword(SCRYPT, 'secret')).toBe(false);
    expect(await checkPassword(PBKDF2, '')).toBe(false);
    expect(await checkPassword('garbage', 'x')).toBe(false);
    expect(await checkPassword('md5$salt$abc', 'x')).toBe(false);
    expect(await checkPassword('scrypt:x:8:1$salt$abc', 'x')).toBe(false);
  });

  it("writes new hashes as werkzeug 3 does: scrypt:32768:8:1, a 16-character salt, 128 hex digits", async () => {
    const h = await hashPassword('pw');
    expect(h).toMatch(/^scrypt:32768:8:1\$[A-Za-z0-9]{16}\$[0-9a-f]{128}$/);
    expect(await checkPassword(h, 'pw')).toBe(true);
    expect(await hashPassword('pw')).not.toBe(h);
  });
});
