/**
 * SQL Server has no server here: the registry store runs over Kysely's mssql compiler and a driver
 * that records statements, and the search SQL it sends is checked (paging, collation, tag EXISTS).
 */
import { describe, expect, it } from 'vitest';
import { mssqlDialect, MSSQL_CS_COLLATION } from '../../src/stores/sql/dialects/mssql/index.js';
import { SqlRegistryStore } from '../../src/stores/sql/registry/index.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { poolOptionsFromEnv } from '../../src/stores/sql/pool-options.js';
import type { SqlConnection } from '../../src/stores/sql/connect.js';
import { mssqlDb, norm } from '../support/mssql-recording.js';

function store() {
  const { db, driver } = mssqlDb();
  const conn: SqlConnection = {
    db,
    dialect: mssqlDialect,
    uri: parseDbUri('mssql://sa:secret@localhost:1433/mlflow'),
    pool: poolOptionsFromEnv({}),
    close: () => db.destroy(),
  };
  return { reg: new SqlRegistryStore(conn, true), driver };
}

describe('registry search SQL for SQL Server', () => {
  it('registered models: collated name and tag comparisons, ORDER BY then OFFSET … FETCH, no LIMIT', async () => {
    const { reg, driver } = store();
    await reg.searchRegisteredModels({
      filter: "name LIKE 'ch%' and tags.team = 'Risk' and tags.team != 'x'",
      orderBy: ['timestamp DESC'],
      maxResults: 10,
      pageToken: Buffer.from('{"offset": 20}').toString('base64'),
    });
    const text = norm(driver.log[0]!.sql);
    expect(text).toMatch(/^select .* from \[registered_models\] where /);
    expect(text).toContain(`[registered_models].[name] collate ${MSSQL_CS_COLLATION} like @`);
    // One EXISTS for the key `team`, both of its conditions on the same tag row.
    expect(text.match(/exists \(select 1 from registered_model_tags t/g)).toHaveLength(1);
    expect(text).toContain(`[t].[key] collate ${MSSQL_CS_COLLATION} = @`);
    expect(text).toContain(`not ([t].[value] collate ${MSSQL_CS_COLLATION} = @`);
    expect(text).toMatch(/order by \[registered_models\]\.\[last_updated_time\] desc, \[registered_models\]\.\[name\] asc offset 20 rows fetch next 11 rows only$/);
    expect(text).not.toMatch(/\blimit\b/);
    expect(driver.log[0]!.parameters).toEqual(['ch%', 'team', 'Risk', 'x']);
  });

  it('model versions: deleted ones excluded, run_id IN, numeric version, default order', async () => {
    const { reg, driver } = store();
    await reg.searchModelVersions({ filter: "run_id IN ('abc', 'def') and version_number > 2 and source_path ILIKE 's3://%'", maxResults: 5 });
    const c = driver.log[0]!;
    const text = norm(c.sql);
    expect(text).toMatch(/^select .* from \[model_versions\] where \[model_versions\]\.\[current_stage\] <> @1 and /);
    expect(text).toContain('[model_versions].[run_id] in (@2, @3)');
    expect(text).toContain('[model_versions].[version] > @4');
    expect(text).toContain('lower([model_versions].[source]) like lower(@5)');
    expect(text).toMatch(
      /order by \[model_versions\]\.\[last_updated_time\] desc, \[model_versions\]\.\[name\] asc, \[model_versions\]\.\[version\] desc offset 0 rows fetch next 6 rows only$/,
    );
    expect(c.parameters).toEqual(['Deleted_Internal', 'abc', 'def', 2, 's3://%']);
  });

  it('point lookups compare the name with the case-sensitive collation', async () => {
    const { reg, driver } = store();
    await expect(reg.getRegisteredModel('Churn')).rejects.toThrow('Registered Model with name=Churn not found');
    const text = norm(driver.log[0]!.sql);
    expect(text).toContain(`where [name] = @1 and [name] collate ${MSSQL_CS_COLLATION} = @2`);
  });
});
