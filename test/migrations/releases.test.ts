/** Which MLflow releases run on each revision, as `db current` shows it (see revisions.ts for the sources). */
import { describe, expect, it } from 'vitest';
import { headOfRelease, MLFLOW_REVISIONS, releasesOf } from '../../src/stores/sql/migrate/revisions.js';

describe('MLflow releases of the revisions', () => {
  it('anchors 3.14 at b7e4c1a90f23 (a 3.14.0 deployment expects it as its head)', () => {
    expect(releasesOf('b7e4c1a90f23')).toBe('MLflow 3.14');
    expect(headOfRelease('3.14')).toBe('b7e4c1a90f23');
    expect(headOfRelease('3.14.2')).toBe('b7e4c1a90f23');
  });

  it('places the steps after it inside 3.15 and the ones before it between 3.12 and 3.14', () => {
    expect(releasesOf('c5d9e1f3a7b2')).toBe('no MLflow release (a step inside MLflow about 3.15, which runs on 6f8d9c3b2a1e)');
    expect(releasesOf('e2c4a6b80d15')).toMatch(/inside MLflow about 3\.15/);
    expect(releasesOf('da6fb0208061')).toBe('no MLflow release known (a step between MLflow 3.12 and MLflow 3.14)');
    expect(releasesOf('89d3d66ed43f')).toBe('no MLflow release (a step inside MLflow 3.14, which runs on b7e4c1a90f23)');
  });

  it('places the gateway and online-scoring steps in 3.9 and 3.10 by their merge dates', () => {
    expect(releasesOf('5d2d30f0abce')).toBe('no MLflow release (a step inside MLflow about 3.9, which runs on 2c33131f4dae)');
    expect(releasesOf('2c33131f4dae')).toBe('MLflow about 3.9');
    expect(headOfRelease('3.9')).toBe('2c33131f4dae');
    // Its release is not known: between 3.9 and 3.10, as before.
    expect(releasesOf('d3e4f5a6b7c8')).toBe('no MLflow release known (a step between MLflow about 3.9 and MLflow 3.10)');
    expect(releasesOf('d0e1f2a3b4c5')).toBe('no MLflow release (a step inside MLflow 3.10, which runs on 1b5f0d9ad7c1)');
    expect(releasesOf('1b5f0d9ad7c1')).toBe('MLflow 3.10');
    expect(headOfRelease('3.8')).toBe('b7c8d9e0f1a2');
  });

  it('keeps releases in chain order', () => {
    let last = '0';
    for (const r of MLFLOW_REVISIONS) {
      if (!r.release) continue;
      expect(Number(r.release.split('.')[0]) * 1000 + Number(r.release.split('.')[1])).toBeGreaterThanOrEqual(Number(last.split('.')[0]) * 1000 + Number(last.split('.')[1] ?? 0));
      last = r.release;
    }
  });
});
