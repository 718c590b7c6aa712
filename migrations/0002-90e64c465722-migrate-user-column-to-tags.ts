/** 90e64c465722: every run with a user_id and no `mlflow.user` tag gets that tag (data only). */
import { sql } from 'kysely';
import type { Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: '90e64c465722',
  downRevision: '451aebb31d03',
  slug: 'migrate-user-column-to-tags',
  async up({ db }) {
    // One INSERT ... SELECT; NOT EXISTS makes it re-runnable.
    await db
      .insertInto('tags')
      .columns(['key', 'value', 'run_uuid'])
      .expression(
        db
          .selectFrom('runs as r')
          .select([sql.lit('mlflow.user').as('key'), 'r.user_id', 'r.run_uuid'])
          .where('r.user_id', 'is not', null)
          .where('r.user_id', '<>', '')
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('tags as t').select(sql.lit(1).as('one')).whereRef('t.run_uuid', '=', 'r.run_uuid').where('t.key', '=', sql.lit('mlflow.user')))),
          ),
      )
      .execute();
  },
};
export default migration;
