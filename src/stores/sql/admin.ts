/**
 * The one door of the `db` commands into the SQL store: connecting, reading and upgrading the schema
 * revision, checking a SQLite file's integrity and asking before a one-way migration. Commands import
 * only this module (lazily, so `--help` loads none of it); test/house/import-rules.test.ts holds them to it.
 */
export { connectSql, type SqlConnection } from './connect.js';
export { corruptDatabaseError, integrityProblem } from './integrity.js';
export { confirmOneWay } from './migrate/backup.js';
export { HEAD_REVISION, currentRevision, migrationLabel, oneWayNotes, releasesOf, resolveTarget, schemaStatus, upgrade } from './migrate/index.js';
