/**
 * MLflow's search grammar (parsed once in src/tracking/search) compiled to SQL for every dialect.
 * Each comparison becomes an EXISTS over the child table, so a run lacking the key never matches
 * (MLflow's inner-join semantics) and no join multiplies rows. Dialect differences (case-sensitive
 * comparison, ILIKE, paging) come from the dialect object.
 *
 * NaN: MLflow's SQL store compares a NaN metric as its stored 0; mlf compares it as NaN (only `!=`
 * matches), which is what the file store and Python do. Ordering: values first, then NaN, then
 * missing, whatever the direction (MLflow's SQL order).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Comparison, Filter, OrderByClause } from '../../tracking/search/ast.js';
import type { SqlDialect } from './dialects/dialect.js';
import { encodeMetricValue } from './rows.js';
import { MLFLOW_DATASET_CONTEXT, MLFLOW_RUN_NAME } from '../../tracking/entities.js';

type Sql = RawBuilder<unknown>;

const NUMERIC_OPS = new Set(['=', '!=', '<', '<=', '>', '>=']);

function numericOp(op: string): Sql {
  if (!NUMERIC_OPS.has(op)) throw new Error(`comparator ${op} is not numeric`);
  return sql.raw(op === '!=' ? '<>' : op);
}

/** A string comparison on `column`, case rules as MLflow has them on every dialect. */
function stringComparison(d: SqlDialect, column: Sql, c: Comparison): Sql {
  const v = c.value;
  switch (c.comparator) {
    case '=':
      return d.eqCaseSensitive(column, String(v));
    case '!=':
      return sql`not (${d.eqCaseSensitive(column, String(v))})`;
    case 'LIKE':
      return d.likeCaseSensitive(column, String(v));
    case 'ILIKE':
      return d.ilike(column, String(v));
    case 'IN':
    case 'NOT IN': {
      const list = Array.isArray(v) ? v : [String(v)];
      if (list.length === 0) return c.comparator === 'IN' ? sql`1 = 0` : sql`1 = 1`;
      const ors = sql.join(list.map((x) => d.eqCaseSensitive(column, x)), sql` or `);
      return c.comparator === 'IN' ? sql`(${ors})` : sql`not (${ors})`;
    }
    default:
      return sql`${column} ${numericOp(c.comparator)} ${v}`;
  }
}

/**
 * What a finite value compared with ±Infinity or NaN gives, whatever the value: IEEE rules, so
 * every dialect (and the file store) agrees and no `Infinity` or `NaN` word reaches the SQL.
 */
function constantComparison(op: string, v: number): boolean {
  if (Number.isNaN(v)) return op === '!=';
  const above = v > 0; // +Infinity: every finite value is below it
  switch (op) {
    case '<':
    case '<=':
      return above;
    case '>':
    case '>=':
      return !above;
    case '!=':
      return true;
    default:
      return false;
  }
}

const constant = (b: boolean): Sql => (b ? sql`1 = 1` : sql`1 = 0`);

/**
 * A child row's key equals `key`, case-sensitively, written so the (key, run_uuid) primary key can
 * still be used where the case-sensitive form alone hides the column from its index (MySQL's
 * `binary key = ...`).
 */
function keyIs(d: SqlDialect, column: string, key: string): Sql {
  const ref = sql.ref(column);
  return sql`${ref} = ${key} and ${d.eqCaseSensitive(ref, key)}`;
}

/** `exists (select 1 <body>)`, fenced where the dialect's planner would flatten it (see existsFence). */
function exists(d: SqlDialect, body: Sql): Sql {
  const fence = d.capabilities.existsFence;
  return fence ? sql`exists (select 1 ${body} ${sql.raw(fence)})` : sql`exists (select 1 ${body})`;
}

// Beyond this no BIGINT holds the value (and PostgreSQL refuses it as a BIGINT parameter).
const BIGINT_BOUND = 9.2e18;

/**
 * A comparison on an integer column (times, versions). The value is made an integer the column
 * can hold first, so every dialect gets a plain BIGINT parameter: `> 1.5` is `> 1`, `>= 1.5` is
 * `>= 2`, and a value past BIGINT's range (or ±Infinity, NaN) decides the comparison by itself.
 */
export function integerComparison(column: Sql, op: string, value: number): Sql {
  let v = value;
  if (Math.abs(v) >= BIGINT_BOUND) v = v > 0 ? Infinity : -Infinity;
  if (!Number.isFinite(v)) return sql`${column} is not null and ${constant(constantComparison(op, v))}`;
  if (!Number.isInteger(v)) {
    if (op === '=' || op === '!=') return sql`${column} is not null and ${constant(op === '!=')}`;
    // x > 1.5 ⇔ x > 1 and x >= 1.5 ⇔ x >= 2 (likewise below).
    v = op === '>' || op === '<=' ? Math.floor(v) : Math.ceil(v);
  }
  return sql`${column} ${numericOp(op)} ${v}`;
}

function numericComparison(column: Sql, c: Comparison): Sql {
  return integerComparison(column, c.comparator, Number(c.value));
}

/**
 * A condition on the row an ORDER BY term LEFT JOINed (a run without that row gives NULL, so no
 * match, as the EXISTS it replaces). Wrapped in CASE so no planner reads it as rejecting a missing
 * row and turns the LEFT JOIN into an inner join it may start from: SQLite then read the key's rows
 * of every experiment, then each one's run, instead of probing the experiment's runs.
 */
function onJoinedRow(cond: Sql): Sql {
  return sql`case when ${cond} then 1 else 0 end = 1`;
}

/** A metric comparison: on the row an ORDER BY term joined for the same key (`joined`, its alias), else an EXISTS probe. */
function metricComparison(d: SqlDialect, c: Comparison, joined?: string): Sql {
  // Compared as stored: ±Infinity as ±float max (a value logged as infinite equals 1e999), NaN
  // as its own flag; a NaN filter value matches only with `!=`.
  const raw = Number(c.value);
  const v = encodeMetricValue(raw).value;
  const m = (col: string) => sql.ref(`${joined ?? 'm'}.${col}`);
  const cmp = Number.isNaN(raw)
    ? constant(c.comparator === '!=')
    : c.comparator === '!='
      ? sql`(${m('is_nan')} = ${1} or ${m('value')} <> ${v})`
      : sql`${m('is_nan')} = ${0} and ${m('value')} ${numericOp(c.comparator)} ${v}`;
  if (joined) return onJoinedRow(Number.isNaN(raw) ? sql`${m('run_uuid')} is not null and ${cmp}` : cmp);
  return exists(d, sql`from latest_metrics m where m.run_uuid = runs.run_uuid and ${keyIs(d, 'm.key', c.key)} and ${cmp}`);
}

function keyValueComparison(d: SqlDialect, table: 'params' | 'tags', key: string, c: Comparison, joined?: string): Sql {
  if (joined) return onJoinedRow(stringComparison(d, sql.ref(`${joined}.value`), c));
  return exists(d, sql`from ${sql.table(table)} kv where kv.run_uuid = runs.run_uuid and ${keyIs(d, 'kv.key', key)} and ${stringComparison(d, sql.ref('kv.value'), c)}`);
}

const RUN_STRING_COLUMNS: Record<string, string> = {
  run_id: 'runs.run_uuid',
  user_id: 'runs.user_id',
  status: 'runs.status',
  artifact_uri: 'runs.artifact_uri',
  lifecycle_stage: 'runs.lifecycle_stage',
};
const RUN_NUMERIC_COLUMNS: Record<string, string> = { start_time: 'runs.start_time', end_time: 'runs.end_time' };

function attributeComparison(d: SqlDialect, c: Comparison): Sql {
  if (c.key === 'run_name') return keyValueComparison(d, 'tags', MLFLOW_RUN_NAME, c);
  const num = RUN_NUMERIC_COLUMNS[c.key];
  if (num) return numericComparison(sql.ref(num), c);
  const col = RUN_STRING_COLUMNS[c.key];
  if (!col) throw new Error(`unknown run attribute ${c.key}`);
  return stringComparison(d, sql.ref(col), c);
}

function datasetComparison(d: SqlDialect, c: Comparison): Sql {
  const base = sql`from inputs i join datasets ds on ds.dataset_uuid = i.source_id where i.destination_type = 'RUN' and i.source_type = 'DATASET' and i.destination_id = runs.run_uuid`;
  if (c.key === 'context') {
    return exists(d, sql`${base} and exists (select 1 from input_tags it where it.input_uuid = i.input_uuid and it.name = ${MLFLOW_DATASET_CONTEXT} and ${stringComparison(d, sql.ref('it.value'), c)})`);
  }
  const col = c.key === 'name' ? 'ds.name' : c.key === 'digest' ? 'ds.digest' : null;
  if (!col) throw new Error(`unknown dataset key ${c.key}`);
  return exists(d, sql`${base} and ${stringComparison(d, sql.ref(col), c)}`);
}

/**
 * WHERE conditions (AND-ed) for a parsed run filter; the outer query's table is `runs`. With the
 * search's `orderBy`, a comparison on a metric, param or tag the order already joined reads that
 * row instead of probing the table again (the joined row is the EXISTS's only candidate: the key
 * and run id are the child table's primary key).
 */
export function runFilterConditions(d: SqlDialect, filter: Filter, orderBy: OrderByClause[] = []): Sql[] {
  const joins = runOrderJoins(d, orderBy);
  const joined = (table: OrderJoin['table'], key: string) => joins.find((j) => j.table === table && j.key === key)?.alias;
  return filter.map((c) => {
    switch (c.type) {
      case 'metric':
        return metricComparison(d, c, joined('latest_metrics', c.key));
      case 'param':
        return keyValueComparison(d, 'params', c.key, c, joined('params', c.key));
      case 'tag':
        return keyValueComparison(d, 'tags', c.key, c, joined('tags', c.key));
      case 'attribute':
        return attributeComparison(d, c);
      case 'dataset':
        return datasetComparison(d, c);
    }
  });
}

const dir = (asc: boolean) => sql.raw(asc ? 'asc' : 'desc');

/** A child row an ORDER BY term reads through a LEFT JOIN (dialects with `orderByJoin`). */
export interface OrderJoin {
  alias: string;
  table: 'latest_metrics' | 'params' | 'tags';
  key: string;
  /** `alias.run_uuid = runs.run_uuid` and the key, case-sensitively: at most one row per run. */
  on: Sql;
}

const ORDER_TABLES = { metric: 'latest_metrics', param: 'params', tag: 'tags' } as const;

/** The LEFT JOINs `runOrderBy` refers to, one per metric/param/tag clause; none unless `orderByJoin`. */
export function runOrderJoins(d: SqlDialect, orderBy: OrderByClause[]): OrderJoin[] {
  if (!d.capabilities.orderByJoin) return [];
  const out: OrderJoin[] = [];
  orderBy.forEach((o, i) => {
    if (o.type !== 'metric' && o.type !== 'param' && o.type !== 'tag') return;
    const alias = `o${i}`;
    out.push({ alias, table: ORDER_TABLES[o.type], key: o.key, on: sql`${sql.ref(`${alias}.run_uuid`)} = runs.run_uuid and ${keyIs(d, `${alias}.key`, o.key)}` });
  });
  return out;
}

/** The slice of Kysely's select builder `joinOrderRows` uses. */
interface JoinableQuery<Q> {
  leftJoin(table: never, callback: never): Q;
  leftJoinLateral(table: never, callback: never): Q;
}

/**
 * `q` with the order joins of `orderBy`. Where the dialect fences its probes (`existsFence`) each
 * is a LEFT JOIN LATERAL of a fenced subquery, so the planner keeps it one (key, run_uuid) probe per
 * run: unfenced and without statistics, PostgreSQL read every row of the key once per run (490 ms
 * on a 2000-run table, against 26 ms).
 */
export function joinOrderRows<Q extends JoinableQuery<Q>>(q: Q, d: SqlDialect, orderBy: OrderByClause[]): Q {
  const fence = d.capabilities.existsFence;
  for (const j of runOrderJoins(d, orderBy)) {
    if (!fence) {
      q = q.leftJoin(`${j.table} as ${j.alias}` as never, ((join: any) => join.on(j.on)) as never);
      continue;
    }
    const cols = j.table === 'latest_metrics' ? 'run_uuid, is_nan, value' : 'run_uuid, value';
    const probe = sql`(select ${sql.raw(cols)} from ${sql.table(j.table)} ${sql.table(j.alias)} where ${j.on} ${sql.raw(fence)})`.as(j.alias);
    q = q.leftJoinLateral(probe as never, ((join: any) => join.onTrue()) as never);
  }
  return q;
}

/** ORDER BY terms for runs: each clause, then `start_time DESC` unless given, then `run_uuid ASC`. */
export function runOrderBy(d: SqlDialect, orderBy: OrderByClause[]): Sql[] {
  const out: Sql[] = [];
  const joined = !!d.capabilities.orderByJoin;
  let hasStart = false;
  let hasRunId = false;
  orderBy.forEach((o, i) => {
    if (o.type === 'metric') {
      if (joined) {
        const m = (c: string) => sql.ref(`o${i}.${c}`);
        out.push(sql`case when ${m('run_uuid')} is null then 2 when ${m('is_nan')} = ${1} then 1 else 0 end`);
        out.push(sql`${m('value')} ${dir(o.ascending)}`);
        return;
      }
      const where = sql`m.run_uuid = runs.run_uuid and ${keyIs(d, 'm.key', o.key)}`;
      out.push(sql`coalesce((select case when m.is_nan = ${1} then 1 else 0 end from latest_metrics m where ${where}), 2)`);
      out.push(sql`(select m.value from latest_metrics m where ${where}) ${dir(o.ascending)}`);
    } else if (o.type === 'param' || o.type === 'tag') {
      const table = o.type === 'param' ? 'params' : 'tags';
      const sub = joined
        ? sql.ref(`o${i}.value`)
        : sql`(select kv.value from ${sql.table(table)} kv where kv.run_uuid = runs.run_uuid and ${keyIs(d, 'kv.key', o.key)})`;
      out.push(sql`case when ${sub} is null then 1 else 0 end`);
      out.push(sql`${sub} ${dir(o.ascending)}`);
    } else {
      const col =
        o.key === 'run_name' ? 'runs.name' : (RUN_NUMERIC_COLUMNS[o.key] ?? RUN_STRING_COLUMNS[o.key]);
      if (!col) throw new Error(`unknown run attribute ${o.key}`);
      if (o.key === 'start_time') hasStart = true;
      if (o.key === 'run_id') hasRunId = true;
      out.push(sql`case when ${sql.ref(col)} is null then 1 else 0 end`);
      out.push(sql`${sql.ref(col)} ${dir(o.ascending)}`);
    }
  });
  if (!hasStart) out.push(sql`runs.start_time desc`);
  if (!hasRunId) out.push(sql`runs.run_uuid asc`);
  return out;
}

const EXPERIMENT_COLUMNS: Record<string, string> = {
  experiment_id: 'experiments.experiment_id',
  name: 'experiments.name',
  creation_time: 'experiments.creation_time',
  last_update_time: 'experiments.last_update_time',
};

export function experimentFilterConditions(d: SqlDialect, filter: Filter): Sql[] {
  return filter.map((c) => {
    if (c.type === 'tag') {
      return sql`exists (select 1 from experiment_tags et where et.experiment_id = experiments.experiment_id and ${d.eqCaseSensitive(sql.ref('et.key'), c.key)} and ${stringComparison(d, sql.ref('et.value'), c)})`;
    }
    const col = EXPERIMENT_COLUMNS[c.key];
    if (!col) throw new Error(`unknown experiment attribute ${c.key}`);
    if (c.key === 'name') return stringComparison(d, sql.ref(col), c);
    return numericComparison(sql.ref(col), c);
  });
}

/** ORDER BY for experiments; default `creation_time DESC, experiment_id ASC`; tie-break `experiment_id DESC` as MLflow. */
export function experimentOrderBy(orderBy: OrderByClause[]): Sql[] {
  const clauses = orderBy.length
    ? orderBy
    : ([
        { type: 'attribute', key: 'creation_time', ascending: false },
        { type: 'attribute', key: 'experiment_id', ascending: true },
      ] as OrderByClause[]);
  const out: Sql[] = [];
  let hasId = false;
  for (const o of clauses) {
    const col = EXPERIMENT_COLUMNS[o.key];
    if (!col) throw new Error(`unknown experiment attribute ${o.key}`);
    if (o.key === 'experiment_id') hasId = true;
    out.push(sql`case when ${sql.ref(col)} is null then 1 else 0 end`);
    out.push(sql`${sql.ref(col)} ${dir(o.ascending)}`);
  }
  if (!hasId) out.push(sql`experiments.experiment_id desc`);
  return out;
}

/** `LIMIT/OFFSET`, or `OFFSET … FETCH` where the dialect wants it. */
export function pagingClause(d: SqlDialect, limit: number, offset: number): Sql {
  return d.capabilities.offsetFetch
    ? sql`offset ${sql.lit(offset)} rows fetch next ${sql.lit(limit)} rows only`
    : sql`limit ${sql.lit(limit)} offset ${sql.lit(offset)}`;
}
