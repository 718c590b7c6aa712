/**
 * Before anything is written: source rows of the copied tables that would collide with a different
 * target row on a unique key other than the primary key. A gateway secret or endpoint name, a
 * scorer, label schema or review queue name in an experiment, an evaluation record's input hash, an
 * endpoint's model mapping: the same key under another id is another entity, so the import is
 * refused naming them (nothing half-written) rather than stopped by the database halfway. Rows with
 * the same primary key are the same entity and are left alone by the copy, whatever their keys.
 * (Experiments are matched by name before this: a source experiment goes into the target's one of
 * its name; registered models are keyed by their name.)
 *
 * The unique keys are read from the target's catalog, so each revision's (and each dialect's) own
 * are checked; equality is the target's own (a MariaDB collation ignores case), since the target
 * finds the colliding rows. Where the target ignores case (name-fold.ts) the primary key is checked
 * too, and so are source rows that only the fold makes one (`Model` and `model` in a PostgreSQL
 * source): the target could hold only one of them. A target without MLflow's schema yet will be
 * created at mlf's head: its keys are read from an in-memory SQLite database at head (whatever the
 * source: a file store's trace and logged model tags are keyed too).
 */
import { connectSql, type SqlConnection } from '../stores/sql/connect.js';
import { upgrade } from '../stores/sql/migrate/index.js';
import { parseDbUri } from '../tracking/uri.js';
import type { Db } from '../stores/sql/dialects/dialect.js';
import { canonDefault } from '../stores/sql/dialects/schema.js';
import { Ddl } from '../stores/sql/migrate/ddl.js';
import type { ImportSource, TableCount } from './model.js';
import { foldedKey, type Fold } from './name-fold.js';
import { heldRows, keyOf, targetRow } from './table-copy.js';
import { COPIED_TABLES, copiedTable } from './tables.js';

type Row = Record<string, unknown>;

interface Checked {
  key: string[];
  uniques: string[][];
  /** Defaults of the unique columns, for source rows from a revision without them (`workspace`). */
  defaults: Map<string, string | null>;
}

const CHUNK = 100;
const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/**
 * The unique keys other than the primary key (with it, where the target folds names) of the tables
 * the source has rows in, from `conn`'s catalog.
 */
async function uniqueKeys(conn: SqlConnection, sourceTables: Set<string>, fold: Fold): Promise<Map<string, Checked>> {
  const catalog = new Ddl(conn.db, conn.dialect).catalog;
  const tables = new Set(await catalog.tables(conn.db));
  const out = new Map<string, Checked>();
  for (const { table } of COPIED_TABLES) {
    // Catalog reads are slow on MySQL: only tables with rows to copy.
    if (!tables.has(table) || !sourceTables.has(table)) continue;
    const key = (await catalog.primaryKey(conn.db, table)).columns;
    // A unique key holding the whole primary key cannot match a row with another primary key.
    const uniques = (await catalog.uniques(conn.db, table)).map((u) => u.columns).filter((cols) => !key.every((k) => cols.includes(k)));
    if (fold && key.length) uniques.unshift(key);
    if (!uniques.length) continue;
    const columns = await catalog.columns(conn.db, table);
    const defaults = new Map(columns.map((c) => [c.name, canonDefault(c.default)]));
    out.set(table, { key, uniques, defaults });
  }
  return out;
}

/** Runs `f` on an in-memory SQLite database at mlf's head: the keys a target about to be created will have. */
export async function withHeadSchema<T>(f: (conn: SqlConnection) => Promise<T>): Promise<T> {
  const conn = await connectSql(parseDbUri('sqlite:///:memory:'));
  try {
    await upgrade(conn, {});
    return await f(conn);
  } finally {
    await conn.close();
  }
}

/** Target rows with one of these unique-key values (the target's equality), with their primary key. */
async function targetMatches(db: Db, table: string, cols: string[], key: string[], rows: Row[]): Promise<Row[]> {
  const found: Row[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const got = await db
      .selectFrom(table)
      .select([...new Set([...key, ...cols])])
      .where((eb) => eb.or(part.map((r) => eb.and(cols.map((c) => eb(c, '=', r[c] as never))))))
      .execute();
    found.push(...got);
  }
  return found;
}

/**
 * One line per collision: table, key and values, the source's and the target's primary key, or the
 * two source rows the target's fold makes one. `keysFrom`: where a target without MLflow's schema
 * yet reads its keys (withHeadSchema); then only source rows among themselves are checked.
 */
export async function findUniqueCollisions(
  conn: SqlConnection,
  source: ImportSource,
  counts: Map<string, TableCount>,
  experimentIds: Map<string, number>,
  opts: { fold: Fold; keysFrom?: SqlConnection },
): Promise<{ other: string[]; folded: string[] }> {
  const { fold } = opts;
  const withTarget = !opts.keysFrom;
  const out = { other: [] as string[], folded: [] as string[] };
  if (!withTarget && !fold) return out;
  const checked = await uniqueKeys(opts.keysFrom ?? conn, new Set([...counts].filter(([, c]) => c.total > 0).map(([t]) => t)), fold);
  if (!checked.size) return out;
  const values = (r: Row, cols: string[]) => `(${cols.map((k) => text(r[k])).join(', ')})`;
  // Folded key → the first source row under it (exact key and primary key), across batches.
  const seen = new Map<string, { exact: string; pk: string }>();
  for await (const batch of source.extraTables(1000, new Set(checked.keys()))) {
    const t = checked.get(batch.table)!;
    const spec = copiedTable(batch.table);
    const rows = batch.rows.map((r) => targetRow(spec, r, experimentIds));
    const pk = (r: Row) => t.key.map((k) => `${k}=${text(r[k])}`).join(' ');
    for (const cols of t.uniques) {
      const candidates = rows
        .map((r) => {
          const filled = { ...r };
          for (const c of cols) if (!(c in filled)) filled[c] = t.defaults.get(c) ?? null;
          return filled;
        })
        .filter((r) => cols.every((c) => r[c] !== null && r[c] !== undefined)); // NULLs never collide
      if (!candidates.length) continue;
      const name = `${batch.table} (${cols.join(', ')})`;
      if (fold) {
        for (const r of candidates) {
          const id = `${batch.table}\u0001${cols.join(',')}\u0001${foldedKey(fold, r, cols)}`;
          const first = seen.get(id);
          if (!first) seen.set(id, { exact: keyOf(r, cols), pk: pk(r) });
          else if (first.exact !== keyOf(r, cols)) out.folded.push(`${name} = (${first.exact.split('\u0000').join(', ')}) and ${values(r, cols)}, both in the source (${first.pk}; ${pk(r)})`);
        }
      }
      if (!withTarget) continue;
      const exact = new Map(candidates.map((r) => [keyOf(r, cols), r]));
      const folded = fold ? new Map(candidates.map((r) => [foldedKey(fold, r, cols), r])) : undefined;
      const clashes: { source: Row; target: Row }[] = [];
      for (const found of await targetMatches(conn.db, batch.table, cols, t.key, candidates)) {
        const s = exact.get(keyOf(found, cols)) ?? folded?.get(foldedKey(fold, found, cols));
        if (s && keyOf(s, t.key) !== keyOf(found, t.key)) clashes.push({ source: s, target: found });
      }
      if (!clashes.length) continue;
      // Rows of these primary keys the target has are left alone by the copy: no insert, no collision.
      const present = await heldRows(conn.db, batch.table, t.key, clashes.map((c) => c.source), t.key);
      for (const c of clashes) {
        if (present.has(keyOf(c.source, t.key))) continue;
        if (keyOf(c.source, cols) === keyOf(c.target, cols)) out.other.push(`${name} = ${values(c.source, cols)}: source ${pk(c.source)}, target ${pk(c.target)}`);
        else out.folded.push(`${name} = ${values(c.source, cols)} in the source and ${values(c.target, cols)} in the target (source ${pk(c.source)}, target ${pk(c.target)})`);
      }
    }
  }
  return out;
}
