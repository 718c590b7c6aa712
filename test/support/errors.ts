/** Catching the MlfError a call throws, for tests that check its code and message. */
import { expect } from 'vitest';
import { MlfError } from '../../src/lib/errors.js';

/** Runs fn and returns the MlfError it throws (fails if it throws nothing, or something else). */
export function errorOf(fn: () => unknown): MlfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MlfError);
    return e as MlfError;
  }
  throw new Error('expected an MlfError');
}
