/**
 * MLflow's auth database schema (mlflow/server/auth/db/migrations, revision 8606fa83a998, the only one
 * up to MLflow 2.17) and how an auth database is brought to it: an empty database gets the three tables
 * and `alembic_version`; a database written by MLflow is used as it is.
 */
import { sql } from 'kysely';
import { MlfError } from '../../lib/errors.js';
import type { Db, SqlDialect } from '../../stores/sql/dialects/dialect.js';
import { currentRevision } from '../../stores/sql/migrate/head.js';
import { col, Ddl, T, type TableSpec } from '../../stores/sql/migrate/ddl.js';

export const AUTH_HEAD_REVISION = '8606fa83a998';
/**
 * Later MLflow 3 revisions only add tables mlf does not use (scorer, workspace, ... permissions) and
 * leave these three alone, so a database at one of them is served as it is.
 */
const LATER_COMPATIBLE = new Set(['0965eb92f5f0']);

const userFk = { columns: ['user_id'], refTable: 'users', refColumns: ['id'] };

export const AUTH_TABLES: TableSpec[] = [
  {
    name: 'users',
    columns: [
      col('id', T.integer, { nullable: false, autoIncrement: true }),
      col('username', T.varchar(255)),
      col('password_hash', T.varchar(255)),
      col('is_admin', T.boolean),
    ],
    primaryKey: { name: 'users_pkey', columns: ['id'] },
    unique: [{ columns: ['username'] }],
  },
  {
    name: 'experiment_permissions',
    columns: [
      col('id', T.integer, { nullable: false, autoIncrement: true }),
      col('experiment_id', T.varchar(255), { nullable: false }),
      col('user_id', T.integer, { nullable: false }),
      col('permission', T.varchar(255)),
    ],
    primaryKey: { name: 'experiment_permissions_pkey', columns: ['id'] },
    foreignKeys: [{ ...userFk, name: 'fk_user_id' }],
    unique: [{ columns: ['experiment_id', 'user_id'] }],
  },
  {
    name: 'registered_model_permissions',
    columns: [
      col('id', T.integer, { nullable: false, autoIncrement: true }),
      col('name', T.varchar(255), { nullable: false }),
      col('user_id', T.integer, { nullable: false }),
      col('permission', T.varchar(255)),
    ],
    primaryKey: { name: 'registered_model_permissions_pkey', columns: ['id'] },
    // MLflow names this one fk_user_id too, which MySQL refuses (foreign key names are per database
    // there); left to the dialect's default name.
    foreignKeys: [userFk],
    unique: [{ columns: ['name', 'user_id'] }],
  },
];

/** Creates the schema on an empty auth database; refuses a revision mlf does not know. */
export async function migrateAuthDb(db: Db, dialect: SqlDialect, where: string): Promise<void> {
  const rev = await currentRevision(db);
  if (rev === AUTH_HEAD_REVISION || (rev && LATER_COMPATIBLE.has(rev))) return;
  if (rev !== null) {
    throw new MlfError(`The auth database ${where} is at revision ${rev}, which this mlf does not know; its head is ${AUTH_HEAD_REVISION}.`, 'INVALID_STATE', 1);
  }
  // In one write transaction (where the dialect has transactional DDL), so two workers starting
  // together create the schema once.
  await dialect.withMigrationLock(db, (lockConn) => dialect.writeTransaction(lockConn, async (conn) => {
    const ddl = new Ddl(conn, dialect);
    // Another process got there first. (Catalog lookups, not a failing select: PostgreSQL would abort the transaction.)
    if (await ddl.tableExists('alembic_version')) return;
    for (const t of AUTH_TABLES) await ddl.createTable(t);
    await ddl.createTable({
      name: 'alembic_version',
      columns: [col('version_num', T.varchar(32), { nullable: false })],
      primaryKey: { name: 'alembic_version_pkc', columns: ['version_num'] },
    });
    await sql`insert into alembic_version (version_num) values (${AUTH_HEAD_REVISION})`.execute(conn);
  }));
}
