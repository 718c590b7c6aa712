/**
 * What the file and SQL stores share: each is its role files (`./<store>/tracking/experiments.ts`,
 * `runs.ts`, `search.ts`, `log-batch.ts`, `inputs.ts`, `metric-history.ts`, `purge.ts`), whose
 * functions take the store's executor first. This class hands every `TrackingStore` call to them,
 * so the two stores keep only opening, closing and `atomic`.
 */
import type { TrackingStore } from './tracking-store.js';

/** A `TrackingStore` method as a role file writes it: the executor first, then the method's arguments. */
type Role<X, M extends keyof TrackingStore> = TrackingStore[M] extends (...a: infer A) => infer R ? (x: X, ...a: A) => R : never;
type Roles<X, M extends keyof TrackingStore> = { [K in M]: Role<X, K> };

/** A store's role files, as `import * as …` namespaces (extra exports are ignored). */
export interface TrackingRoles<X> {
  experiments: Roles<
    X,
    'createExperiment' | 'getExperiment' | 'getExperimentByName' | 'deleteExperiment' | 'restoreExperiment' | 'renameExperiment' | 'setExperimentTag' | 'deleteExperimentTag'
  >;
  runs: Roles<X, 'createRun' | 'getRun' | 'updateRunInfo' | 'deleteRun' | 'restoreRun'>;
  search: Roles<X, 'searchExperiments' | 'searchRuns'>;
  logging: Roles<X, 'logBatch' | 'logMetric' | 'logParam' | 'setTag' | 'deleteTag' | 'recordLoggedModel'>;
  inputs: Roles<X, 'logInputs'>;
  history: Roles<X, 'getMetricHistory' | 'getMetricHistoryBulkInterval'>;
  purge: Roles<X, 'purgeRuns' | 'purgeExperiments'>;
}

type P<M extends keyof TrackingStore> = TrackingStore[M] extends (...a: infer A) => unknown ? A : never;
type R<M extends keyof TrackingStore> = TrackingStore[M] extends (...a: never[]) => infer T ? T : never;

export abstract class RoleStore<X> {
  protected constructor(
    /** The executor every role function runs on (the store's own, or an `atomic` view's). */
    protected readonly x: X,
    private readonly roles: TrackingRoles<X>,
  ) {}

  // experiments
  createExperiment(...a: P<'createExperiment'>): R<'createExperiment'> { return this.roles.experiments.createExperiment(this.x, ...a); }
  getExperiment(...a: P<'getExperiment'>): R<'getExperiment'> { return this.roles.experiments.getExperiment(this.x, ...a); }
  getExperimentByName(...a: P<'getExperimentByName'>): R<'getExperimentByName'> { return this.roles.experiments.getExperimentByName(this.x, ...a); }
  deleteExperiment(...a: P<'deleteExperiment'>): R<'deleteExperiment'> { return this.roles.experiments.deleteExperiment(this.x, ...a); }
  restoreExperiment(...a: P<'restoreExperiment'>): R<'restoreExperiment'> { return this.roles.experiments.restoreExperiment(this.x, ...a); }
  renameExperiment(...a: P<'renameExperiment'>): R<'renameExperiment'> { return this.roles.experiments.renameExperiment(this.x, ...a); }
  setExperimentTag(...a: P<'setExperimentTag'>): R<'setExperimentTag'> { return this.roles.experiments.setExperimentTag(this.x, ...a); }
  deleteExperimentTag(...a: P<'deleteExperimentTag'>): R<'deleteExperimentTag'> { return this.roles.experiments.deleteExperimentTag(this.x, ...a); }

  // runs
  createRun(...a: P<'createRun'>): R<'createRun'> { return this.roles.runs.createRun(this.x, ...a); }
  getRun(...a: P<'getRun'>): R<'getRun'> { return this.roles.runs.getRun(this.x, ...a); }
  updateRunInfo(...a: P<'updateRunInfo'>): R<'updateRunInfo'> { return this.roles.runs.updateRunInfo(this.x, ...a); }
  deleteRun(...a: P<'deleteRun'>): R<'deleteRun'> { return this.roles.runs.deleteRun(this.x, ...a); }
  restoreRun(...a: P<'restoreRun'>): R<'restoreRun'> { return this.roles.runs.restoreRun(this.x, ...a); }

  // search
  searchExperiments(...a: P<'searchExperiments'>): R<'searchExperiments'> { return this.roles.search.searchExperiments(this.x, ...a); }
  searchRuns(...a: P<'searchRuns'>): R<'searchRuns'> { return this.roles.search.searchRuns(this.x, ...a); }

  // logging
  logBatch(...a: P<'logBatch'>): R<'logBatch'> { return this.roles.logging.logBatch(this.x, ...a); }
  logMetric(...a: P<'logMetric'>): R<'logMetric'> { return this.roles.logging.logMetric(this.x, ...a); }
  logParam(...a: P<'logParam'>): R<'logParam'> { return this.roles.logging.logParam(this.x, ...a); }
  setTag(...a: P<'setTag'>): R<'setTag'> { return this.roles.logging.setTag(this.x, ...a); }
  deleteTag(...a: P<'deleteTag'>): R<'deleteTag'> { return this.roles.logging.deleteTag(this.x, ...a); }
  recordLoggedModel(...a: P<'recordLoggedModel'>): R<'recordLoggedModel'> { return this.roles.logging.recordLoggedModel(this.x, ...a); }
  logInputs(...a: P<'logInputs'>): R<'logInputs'> { return this.roles.inputs.logInputs(this.x, ...a); }

  // metric history
  getMetricHistory(...a: P<'getMetricHistory'>): R<'getMetricHistory'> { return this.roles.history.getMetricHistory(this.x, ...a); }
  getMetricHistoryBulkInterval(...a: P<'getMetricHistoryBulkInterval'>): R<'getMetricHistoryBulkInterval'> {
    return this.roles.history.getMetricHistoryBulkInterval(this.x, ...a);
  }

  // gc
  purgeRuns(...a: P<'purgeRuns'>): R<'purgeRuns'> { return this.roles.purge.purgeRuns(this.x, ...a); }
  purgeExperiments(...a: P<'purgeExperiments'>): R<'purgeExperiments'> { return this.roles.purge.purgeExperiments(this.x, ...a); }
}
