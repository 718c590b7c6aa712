/**
 * Guessing passwords does not slow other users: a user's verified credentials are remembered (no
 * scrypt run on later requests), and guesses against one account are checked one at a time, the rest
 * refused at once. Counted in hash computations, not in wall-clock time, so the test holds on a busy
 * machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../../../src/server/auth/authenticator.js';
import { ADMIN, makeAuthServer, type AuthTestServer } from './helpers.js';

describe('brute force of bad passwords', () => {
  let srv: AuthTestServer;
  let authn: Authenticator;

  beforeAll(async () => {
    srv = await makeAuthServer({ authenticator: (a) => (authn = new Authenticator(a)) });
    const admin = srv.as(ADMIN);
    for (const u of ['alice', 'bob', 'carol']) expect((await admin('POST', 'users/create', { username: u, password: `${u}-pw` })).status).toBe(200);
  });
  afterAll(() => srv?.close());

  it('costs one hash per account at a time, while signed-in users and new sign-ins go through', async () => {
    const bob = srv.as({ username: 'bob', password: 'bob-pw' });
    expect((await bob('GET', 'experiments/search', { max_results: 1 })).status).toBe(200); // bob's credentials are now known
    const before = authn.checks;

    const guesses = Array.from({ length: 60 }, (_, i) => srv.as({ username: 'alice', password: `guess-${i}` })('GET', 'experiments/search', { max_results: 1 }));
    const bobs = Array.from({ length: 20 }, () => bob('GET', 'experiments/search', { max_results: 1 }));
    const carol = srv.as({ username: 'carol', password: 'carol-pw' })('GET', 'experiments/search', { max_results: 1 });
    const [g, b, c] = await Promise.all([Promise.all(guesses), Promise.all(bobs), carol]);

    expect(g.every((r) => r.status === 401)).toBe(true);
    expect(b.every((r) => r.status === 200)).toBe(true);
    expect(c.status).toBe(200);
    // 60 guesses at once: one is hashed, the others are refused while it runs; bob costs nothing; carol one.
    const hashed = authn.checks - before;
    expect(hashed).toBeLessThanOrEqual(3);
    expect(authn.throttled).toBeGreaterThanOrEqual(57);
  });

  it('forgets a remembered password once it is changed', async () => {
    const admin = srv.as(ADMIN);
    const bob = srv.as({ username: 'bob', password: 'bob-pw' });
    expect((await bob('GET', 'users/get', { username: 'bob' })).status).toBe(200);
    expect((await admin('PATCH', 'users/update-password', { username: 'bob', password: 'bob-pw-2' })).status).toBe(200);
    expect((await bob('GET', 'users/get', { username: 'bob' })).status).toBe(401);
    expect((await srv.as({ username: 'bob', password: 'bob-pw-2' })('GET', 'users/get', { username: 'bob' })).status).toBe(200);
  });
});
