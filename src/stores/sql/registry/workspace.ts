/**
 * MLflow 3.10's `1b5f0d9ad7c1` keys every registry table by `workspace` first. mlf writes in the
 * `default` workspace (MLflow with workspaces off), so on such a database an upsert must name that
 * workspace in its row and its conflict key, or SQLite and PostgreSQL find no matching key.
 */
import type { Db } from '../dialects/dialect.js';
import { DEFAULT_WORKSPACE, currentRevision, hasWorkspaces } from '../migrate/head.js';

const keyedByWorkspace = new WeakMap<Db, Promise<boolean>>();

/** Whether this database's registry tables are keyed by workspace (read once per database handle). */
export function registryKeyedByWorkspace(db: Db): Promise<boolean> {
  let known = keyedByWorkspace.get(db);
  if (!known) {
    known = currentRevision(db).then(hasWorkspaces);
    known.catch(() => keyedByWorkspace.delete(db));
    keyedByWorkspace.set(db, known);
  }
  return known;
}

/**
 * Rows and conflict key of a registry upsert, with the `default` workspace where the schema has one
 * (`keyed`: from {@link registryKeyedByWorkspace}, read before the transaction opens, since a
 * single-connection SQLite handle cannot be queried from inside its own transaction).
 */
export function inWorkspace<R extends Record<string, unknown>>(keyed: boolean, rows: R[], keys: string[]): { rows: R[]; keys: string[] } {
  if (!keyed) return { rows, keys };
  return { rows: rows.map((r) => ({ workspace: DEFAULT_WORKSPACE, ...r })), keys: ['workspace', ...keys] };
}
