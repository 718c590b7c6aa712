/** `--to-revision`: any revision the migration index knows; an unknown one is refused before anything is written. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { HEAD_REVISION } from '../../src/stores/sql/migrate/index.js';
import { copyFixture, tempDir } from '../support/databases.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('db import --to-revision', () => {
  it('refuses an unknown revision with a usage error and leaves the target empty', async () => {
    const mlruns = copyFixture('mlruns');
    const dir = tempDir();
    dirs.push(path.dirname(mlruns), dir);
    const file = path.join(dir, 'm.db');
    await expect(importStore({ from: mlruns, to: `sqlite:///${file}`, toRevision: 'deadbeef0000' })).rejects.toMatchObject({
      errorCode: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining("Unknown --to-revision 'deadbeef0000'"),
    });
    expect(fs.existsSync(file) ? fs.statSync(file).size : 0).toBe(0);
  });

  it('refuses an older revision for a new target (the upgrade goes to head), and takes the head', async () => {
    const mlruns = copyFixture('mlruns');
    const dir = tempDir();
    dirs.push(path.dirname(mlruns), dir);
    const uri = `sqlite:///${path.join(dir, 'm.db')}`;
    await expect(importStore({ from: mlruns, to: uri, toRevision: '7f2a7d5fae7d' })).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    const r = await importStore({ from: mlruns, to: uri, toRevision: HEAD_REVISION, idMapFile: path.join(dir, 'ids.json') });
    expect(r.schema.to).toBe(HEAD_REVISION);
    expect(r.differences).toEqual([]);
  });
});
