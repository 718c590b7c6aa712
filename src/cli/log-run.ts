/**
 * `mlf runs log`: create a run or continue one, log params, metrics and tags, optionally end it.
 *
 * Two steps, so bad input never writes anything on any store:
 * 1. {@link prepareRunLog} checks every key and value with MLflow's rules (no store needed);
 * 2. {@link logRun} resolves the experiment and run, checks the run's state and its logged params,
 *    and only then writes, inside `store.atomic()` (one transaction on SQL stores).
 *
 * @example
 * const plan = prepareRunLog({ params: [{ key: 'lr', value: '0.01' }], metrics: [], tags: [], now: Date.now() });
 * const runId = await logRun(store, plan);
 */
import { mustBeActive, paramsAlreadyLogged } from '../tracking/messages.js';
import { pyRepr } from '../tracking/py-format.js';
import { MlfError } from '../lib/errors.js';
import { currentUser } from '../stores/common.js';
import type { TrackingStore } from '../stores/tracking-store.js';
import {
  MLFLOW_RUN_NAME,
  type Experiment,
  type Metric,
  type Param,
  type Run,
  type RunTag,
} from '../tracking/entities.js';
import {
  validateExperimentId,
  validateExperimentName,
  validateMetric,
  validateParam,
  validateRunId,
  validateTag,
} from '../tracking/validation.js';
import { splitBatch } from './batch.js';
import { parseKeyValue, parseMetricArg } from './kv.js';
import { loadPayload } from './payload.js';

export type EndStatus = 'FINISHED' | 'FAILED' | 'KILLED';

export interface RunLogInput {
  /** Continue this run instead of creating one. */
  runId?: string;
  experimentId?: string;
  /** Created if missing. */
  experimentName?: string;
  runName?: string;
  params: Param[];
  metrics: Metric[];
  tags: RunTag[];
  /** Context tags for a new run (`sourceTags()`); ignored when continuing a run. */
  contextTags?: RunTag[];
  /** End the run with this status. */
  endStatus?: EndStatus;
  /** ms; start time of a new run and end time of an ended one. */
  now: number;
  /** Receives warnings (long values truncated). */
  onWarning?: (message: string) => void;
}

/** A validated request: what {@link logRun} writes. */
export interface RunLogPlan extends RunLogInput {
  readonly validated: true;
}

function invalid(message: string): MlfError {
  return new MlfError(message, 'INVALID_PARAMETER_VALUE');
}

/**
 * Check and normalise everything with MLflow's rules before any store is touched: keys, values
 * (long param and tag values truncated as MLflow does), metric steps and timestamps, the run id,
 * the experiment name. Repeated identical params collapse to one; a param given twice with
 * different values is refused with MLflow's duplicate-key message. For tags the last value wins,
 * as it would with MLflow's `set_tag` called in order.
 */
export function prepareRunLog(input: RunLogInput): RunLogPlan {
  if (input.runId !== undefined) validateRunId(input.runId);
  if (input.experimentName !== undefined) validateExperimentName(input.experimentName);
  if (input.experimentId !== undefined) validateExperimentId(input.experimentId);
  const lengthOpts = { onWarning: input.onWarning };

  const params: Param[] = [];
  const byKey = new Map<string, string>();
  const dupes: string[] = [];
  for (const raw of input.params) {
    const p = validateParam(raw, lengthOpts);
    const seen = byKey.get(p.key);
    if (seen === undefined) {
      byKey.set(p.key, p.value);
      params.push(p);
    } else if (seen !== p.value && !dupes.includes(p.key)) {
      dupes.push(p.key);
    }
  }
  if (dupes.length > 0) {
    throw invalid(
      `Duplicate parameter keys have been submitted: ${pyRepr(dupes)}. Please ensure the request contains only one param value per param key.`,
    );
  }

  const metrics = input.metrics.map((m) => validateMetric(m));

  const tagMap = new Map<string, string>();
  for (const raw of input.tags) {
    const t = validateTag(raw, lengthOpts);
    tagMap.delete(t.key); // keep the order of the last occurrence
    tagMap.set(t.key, t.value);
  }
  const tags = [...tagMap].map(([key, value]) => ({ key, value }));
  const nameTag = tagMap.get(MLFLOW_RUN_NAME);
  if (input.runName !== undefined && nameTag !== undefined && nameTag !== input.runName) {
    throw invalid(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${nameTag}').`,
    );
  }
  const contextTags = (input.contextTags ?? []).map((t) => validateTag(t, lengthOpts));
  return { ...input, params, metrics, tags, contextTags, validated: true };
}

/** MLflow's experiment resolution for a new run: explicit id or name, then the env vars, then Default ("0"). */
async function resolveExperiment(
  store: TrackingStore,
  plan: RunLogPlan,
): Promise<{ id?: string; createName?: string }> {
  if (plan.experimentId !== undefined) return { id: (await store.getExperiment(plan.experimentId)).experimentId };
  const name = plan.experimentName;
  if (name !== undefined) {
    const e = await store.getExperimentByName(name);
    return e ? { id: e.experimentId } : { createName: name };
  }
  return { id: '0' };
}

function checkActive(run: Run): void {
  if (run.info.lifecycleStage !== 'active') {
    throw mustBeActive('run', run.info.runId, run.info.lifecycleStage);
  }
}

/**
 * Params already logged with another value would make the store refuse the batch part-way on a
 * store without transactions; refuse them up front, with MLflow's `log_batch` message. Params
 * logged before with the same value are dropped: re-logging them is a no-op.
 */
function newParams(run: Run, params: Param[]): Param[] {
  const logged = new Map(run.data.params.map((p) => [p.key, p.value]));
  const changed: { key: string; old_value: string; new_value: string }[] = [];
  const out: Param[] = [];
  for (const p of params) {
    const old = logged.get(p.key);
    if (old === undefined) out.push(p);
    else if (old !== p.value) changed.push({ key: p.key, old_value: old, new_value: p.value });
  }
  if (changed.length > 0) {
    throw paramsAlreadyLogged(run.info.runId, changed);
  }
  return out;
}

/**
 * Write a prepared log. Returns the run id. On SQL stores everything (a new experiment, the new
 * run, every batch, the end) is one transaction; elsewhere the checks above make a failure
 * part-way unlikely (only an I/O error can still cause one).
 */
export async function logRun(store: TrackingStore, plan: RunLogPlan): Promise<string> {
  return store.atomic(async (s) => {
    let runId: string;
    let params = plan.params;
    let tags = plan.tags;
    if (plan.runId !== undefined) {
      const run = await s.getRun(plan.runId);
      if (plan.experimentId !== undefined && plan.experimentId !== run.info.experimentId) {
        throw invalid(`Run '${run.info.runId}' belongs to experiment ${run.info.experimentId}, not ${plan.experimentId}.`);
      }
      if (plan.experimentName !== undefined) {
        const e: Experiment = await s.getExperiment(run.info.experimentId);
        if (e.name !== plan.experimentName) {
          throw invalid(`Run '${run.info.runId}' belongs to experiment '${e.name}', not '${plan.experimentName}'.`);
        }
      }
      checkActive(run);
      params = newParams(run, params);
      runId = run.info.runId;
    } else {
      const exp = await resolveExperiment(s, plan);
      const experimentId = exp.id ?? (await s.createExperiment({ name: exp.createName! }));
      // User tags win over context tags; `mlflow.runName` goes in at creation so the name is settled once.
      const userKeys = new Set(tags.map((t) => t.key));
      const createTags = (plan.contextTags ?? []).filter((t) => !userKeys.has(t.key));
      const nameTag = tags.find((t) => t.key === MLFLOW_RUN_NAME);
      if (nameTag) createTags.push(nameTag);
      tags = tags.filter((t) => t.key !== MLFLOW_RUN_NAME);
      const run = await s.createRun({
        experimentId,
        userId: currentUser(),
        startTime: plan.now,
        tags: createTags,
        runName: plan.runName,
      });
      runId = run.info.runId;
    }
    for (const batch of splitBatch({ params, metrics: plan.metrics, tags })) {
      await s.logBatch(runId, batch);
    }
    const renaming = plan.runId !== undefined && plan.runName !== undefined;
    if (renaming || plan.endStatus) {
      await s.updateRunInfo(runId, {
        runName: renaming ? plan.runName : undefined,
        status: plan.endStatus,
        endTime: plan.endStatus ? plan.now : undefined,
      });
    }
    return runId;
  });
}

/** What `mlf runs log` reads from its flags and the environment. */
export interface RunLogArgs {
  runId?: string;
  experimentId?: string;
  experimentName?: string;
  runName?: string;
  /** `k=v` strings. */
  params?: string[];
  /** `k=v` or `k=v@step` strings. */
  metrics?: string[];
  tags?: string[];
  /** Default step for metrics that carry none. */
  step?: number;
  /** Path of a JSON/YAML file, or `-` for stdin. */
  file?: string;
  endStatus?: EndStatus;
  contextTags?: RunTag[];
  env?: NodeJS.ProcessEnv;
  now?: number;
  onWarning?: (message: string) => void;
}

/**
 * Flags + environment → a {@link RunLogInput}. The environment is MLflow's: `MLFLOW_RUN_ID`,
 * then `MLFLOW_EXPERIMENT_NAME` before `MLFLOW_EXPERIMENT_ID` (as MLflow's fluent API reads them);
 * flags always win. File values come first, flag values after, so a flag can add to a file.
 */
export async function runLogInputFromArgs(a: RunLogArgs): Promise<RunLogInput> {
  const env = a.env ?? process.env;
  const now = a.now ?? Date.now();
  const step = a.step ?? 0;
  const fromFile = a.file !== undefined ? await loadPayload(a.file, { step, timestamp: now }) : undefined;
  const params: Param[] = [...(fromFile?.params ?? []), ...(a.params ?? []).map((s) => parseKeyValue(s, 'param'))];
  const tags: RunTag[] = [...(fromFile?.tags ?? []), ...(a.tags ?? []).map((s) => parseKeyValue(s, 'tag'))];
  const metrics: Metric[] = [...(fromFile?.metrics ?? [])];
  for (const s of a.metrics ?? []) {
    const m = parseMetricArg(s);
    metrics.push({ key: m.key, value: m.value, step: m.step ?? step, timestamp: now });
  }
  const runId = a.runId ?? (env.MLFLOW_RUN_ID || undefined);
  let { experimentId, experimentName } = a;
  if (experimentId === undefined && experimentName === undefined) {
    experimentName = env.MLFLOW_EXPERIMENT_NAME || undefined;
    if (experimentName === undefined) experimentId = env.MLFLOW_EXPERIMENT_ID || undefined;
    // An env var must not contradict an explicit run: MLflow ignores the experiment when resuming one.
    if (runId !== undefined) experimentName = experimentId = undefined;
  }
  return {
    runId,
    experimentId,
    experimentName,
    runName: a.runName,
    params,
    metrics,
    tags,
    contextTags: a.contextTags,
    endStatus: a.endStatus,
    now,
    onWarning: a.onWarning,
  };
}
