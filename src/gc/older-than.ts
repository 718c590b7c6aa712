/**
 * `--older-than` in MLflow's `#d#h#m#s` form: each part optional, in that order, fractions allowed
 * (`1.5d`, `2d8h5m20s`). Returns milliseconds, truncated as MLflow's `int(timedelta(...) * 1000)`.
 *
 * @example
 * parseOlderThan('1d2h') // 93_600_000
 */
import { MlfError } from '../lib/errors.js';

const FORM = /^(?:([.\d]+?)d)?(?:([.\d]+?)h)?(?:([.\d]+?)m)?(?:([.\d]+?)s)?$/;
const UNIT_SECONDS = [86_400, 3_600, 60, 1];

export function parseOlderThan(text: string): number {
  const bad = () =>
    new MlfError(
      `Could not parse any time information from '${text}'. Examples of valid strings: '8h', '2d8h5m20s', '2m4s'`,
      'INVALID_PARAMETER_VALUE',
    );
  const m = FORM.exec(text);
  // MLflow's regex also accepts '' (no parts) and '1.2.3d' (then float() fails): both are refused here.
  if (!m || text === '') throw bad();
  let seconds = 0;
  for (let i = 0; i < 4; i++) {
    const part = m[i + 1];
    if (part === undefined) continue;
    if (!/^(?:\d+\.?\d*|\.\d+)$/.test(part)) throw bad();
    seconds += Number(part) * UNIT_SECONDS[i]!;
  }
  // timedelta keeps whole microseconds; total_seconds() * 1000 is then truncated to an int.
  const micros = Math.round(seconds * 1e6);
  return Math.trunc(micros / 1000);
}
