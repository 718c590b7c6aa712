/**
 * The parsed form of MLflow's search grammar (SearchUtils / SearchExperimentsUtils), shared by every
 * store: the SQL store compiles it to SQL, the file store evaluates it in memory.
 */

/** Entity types after alias folding (`metrics` → `metric`, `params` → `param`, `attr`/`run` → `attribute`, ...). */
export type EntityType = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

/**
 * Run attribute keys after alias folding (`created`/`Created` → `start_time`, `run name` → `run_name`).
 * `run_name` filters on the `mlflow.runName` tag, as MLflow's SQL store does.
 */
export type RunAttributeKey =
  | 'run_id'
  | 'run_name'
  | 'user_id'
  | 'status'
  | 'start_time'
  | 'end_time'
  | 'artifact_uri'
  | 'lifecycle_stage';

/** Experiment attribute keys. */
export type ExperimentAttributeKey = 'experiment_id' | 'name' | 'creation_time' | 'last_update_time';

/** Dataset keys: `context` matches the input tag `mlflow.data.context`. */
export type DatasetKey = 'name' | 'digest' | 'context';

/**
 * One comparison. `value` is a number for metric and numeric-attribute comparisons, a string for
 * `=`/`!=`/`LIKE`/`ILIKE` on strings, and a list of strings for `IN`/`NOT IN`.
 */
export interface Comparison {
  type: EntityType;
  key: string;
  comparator: Comparator;
  value: number | string | string[];
}

/** An AND-ed list of comparisons (MLflow's grammar has no OR and no grouping). */
export type Filter = Comparison[];

export interface OrderByClause {
  type: 'metric' | 'param' | 'tag' | 'attribute';
  key: string;
  ascending: boolean;
}
