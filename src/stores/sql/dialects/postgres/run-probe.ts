/**
 * A page's child rows (params, tags, latest metrics, dataset inputs) read by one index probe per run
 * id. On a table without planner statistics (a new or just-restored database) PostgreSQL guesses
 * that `run_uuid in (...)` matches a fixed share of the table and scans all of it, so hydrating a
 * page cost time in proportion to the table (20 ms at 10k runs, 10x that at 100k). An `unnest` of
 * the ids with a fenced lateral subquery (`offset 0`, as the search's EXISTS probes) leaves it only
 * the run id's index, and one array parameter instead of one per id.
 */
import { sql, type RawBuilder } from 'kysely';

export function postgresRowsByRunIds(perRun: (id: RawBuilder<unknown>) => RawBuilder<unknown>, columns: readonly string[], ids: readonly string[]): RawBuilder<unknown> {
  const cols = sql.join(columns.map((c) => sql.ref(`t.${c}`)));
  return sql`select ${cols} from unnest(${ids}::text[]) as ids(id) cross join lateral (${perRun(sql.ref('ids.id'))} offset 0) t`;
}
