/**
 * Experiment tag values are as long as the database's schema allows: 5,000 characters up to MLflow
 * 2.17's and MLflow 3's schemas before 17e22815139b (experiment_tags.value VARCHAR(5000)), 20,000 once
 * that revision makes the column TEXT — MLflow 3's own limit then.
 */
import { describe, expect, it } from 'vitest';
import { experimentTagValueLimit, HEAD_REVISION } from '../../src/stores/sql/migrate/head.js';
import { revisionIndex } from '../../src/stores/sql/migrate/revisions.js';
import { SqlStore } from '../../src/stores/sql/sql-store.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { validateExperimentTag } from '../../src/tracking/validation.js';
import { copyFixture, tempDir } from '../support/databases.js';
import { errorOf } from '../support/errors.js';

describe('experiment tag value limit by revision', () => {
  it('is 5,000 before 17e22815139b and 20,000 from it on', () => {
    expect(experimentTagValueLimit(null)).toBe(5000);
    expect(experimentTagValueLimit('f5a4f2784254')).toBe(5000);
    expect(experimentTagValueLimit('1971f2d9a75b')).toBe(5000);
    expect(experimentTagValueLimit('17e22815139b')).toBe(20_000);
    expect(experimentTagValueLimit('7c4d9e2f1a86')).toBe(20_000);
    expect(experimentTagValueLimit('not-a-revision')).toBe(5000);
  });

  it("refuses a longer value with MLflow's message", () => {
    const e = errorOf(() => validateExperimentTag({ key: 'k', value: 'x'.repeat(5001) }));
    expect(e.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toMatch(/'value' exceeds the maximum length of 5000 characters/);
    expect(validateExperimentTag({ key: 'k', value: 'x'.repeat(20_000) }, 20_000).value).toHaveLength(20_000);
  });

  it('holds 5,000 on an MLflow 2.17 database (VARCHAR(5000))', async () => {
    const store = await SqlStore.open(parseDbUri(`sqlite:///${copyFixture('sqlite-head.db')}`));
    try {
      const id = await store.createExperiment({ name: 'limits' });
      await store.setExperimentTag(id, { key: 'ok', value: 'x'.repeat(5000) });
      await expect(store.setExperimentTag(id, { key: 'long', value: 'x'.repeat(5001) })).rejects.toThrow(/exceeds the maximum length of 5000/);
    } finally {
      await store.close();
    }
  });

  it('takes 20,000 on a database at the head', async () => {
    expect(revisionIndex(HEAD_REVISION)).toBeGreaterThanOrEqual(revisionIndex('17e22815139b'));
    const store = await SqlStore.open(parseDbUri(`sqlite:///${tempDir()}/new.db`));
    try {
      const id = await store.createExperiment({ name: 'limits', tags: [{ key: 'long', value: 'y'.repeat(20_000) }] });
      expect((await store.getExperiment(id)).tags.find((t) => t.key === 'long')?.value).toHaveLength(20_000);
      await expect(store.setExperimentTag(id, { key: 'longer', value: 'y'.repeat(20_001) })).rejects.toThrow(/exceeds the maximum length of 20000/);
    } finally {
      await store.close();
    }
  });
});
