/**
 * Every alembic revision of MLflow's schema that mlf knows, oldest first, with the MLflow release
 * that first shipped it where that is known. Kept apart from the migrations (no migration module is
 * loaded to read it) and checked against them by test/migrations/revisions.test.ts.
 *
 * Releases of MLflow 3 revisions come from /work/shared/reference/mlflow3-schema-chain.md §2: some are
 * anchored (a release's notes or a deployment's alembic head), others inferred from Create Dates;
 * `approximate` marks the latter. One more anchor: a deployment review of Canonical's mlflow-server
 * charm (2026-08) reports MLflow 3.14.0's `_verify_schema` expecting head b7e4c1a90f23, so the two
 * revisions after it first shipped after 3.14, in 3.15 with the MCP registry that follows them.
 *
 * Releases read from the merge dates of the pull requests that added a revision (pages of
 * mlflow/mlflow's pull requests), set against release dates (3.8.0 on 2025-12-21, 3.9.0 at the turn
 * of January 2026, 3.10.1 running on 1b5f0d9ad7c1): c9d4e5f6a7b8 (#19483, merged 2025-12-25) is 3.9's;
 * d0e1f2a3b4c5 (#20358, merged 2026-02-04, after 3.9.0) and the two after it are 3.10's; 5d2d30f0abce
 * (#19430, merged 2025-12-18, three days before 3.8.0 came from its release branch) and
 * 2c33131f4dae (online scoring, announced for 3.9) are about 3.9; label schemas (89d3d66ed43f) need
 * MLflow 3.14 by the REST clients' documentation. Still unknown, shown between their neighbours:
 * d3e4f5a6b7c8 (3.9 or 3.10), c3d6457b6d8a and a5b4c3d2e1f0 (3.11 or 3.12), da6fb0208061 (3.13 or
 * 3.14): no source found names the release of those four.
 *
 * @example
 * revisionInfo('f5a4f2784254'); // { id: 'f5a4f2784254', release: '2.17', ... }
 * headOfRelease('3.0');         // '6953534de441'
 */

export interface MlflowRevision {
  /** alembic id (not always 12 hex digits: 1bd49d398cd23 has 13). */
  id: string;
  /** The MLflow release that first shipped this revision, where known. */
  release?: string;
  /** The release is inferred from dates, not read from a release. */
  approximate?: boolean;
  /** Tables this revision creates (listed from 2.17 on, where mlf checks them). */
  adds?: string[];
}

const r = (id: string, release?: string, approximate = false, adds?: string[]): MlflowRevision => ({
  id,
  release,
  ...(approximate ? { approximate } : {}),
  ...(adds ? { adds } : {}),
});

/** MLflow's chain after the initial tables, through MLflow 2.17's head. */
const MLFLOW_2: MlflowRevision[] = [
  r('451aebb31d03'),
  r('90e64c465722'),
  r('181f10493468'),
  r('df50e92ffc5e'),
  r('7ac759974ad8'),
  r('89d4b8295536'),
  r('2b4d017a5e9b'),
  r('cfd24bdc0731'),
  r('0a8213491aaa'),
  r('728d730b5ebd'),
  r('27a6a02d2cf1'),
  r('84291f40a231'),
  r('a8c4a736bde6'),
  r('39d1c3be5f05'),
  r('c48cb773bb87'),
  r('bd07f7e963c5'),
  r('0c779009ac13'),
  r('cc1f77228345'),
  r('97727af70f4d'),
  r('3500859a5d39'),
  r('7f2a7d5fae7d'),
  r('2d6e25af4d3e'),
  r('acf3f17fdcc7'),
  r('867495a8f9d4'),
  r('5b0e9adcef9c'),
  r('4465047574b1'),
  r('f5a4f2784254', '2.17', false, [
    'alembic_version',
    'experiments',
    'runs',
    'tags',
    'metrics',
    'params',
    'experiment_tags',
    'latest_metrics',
    'registered_models',
    'model_versions',
    'registered_model_tags',
    'model_version_tags',
    'registered_model_aliases',
    'datasets',
    'inputs',
    'input_tags',
    'trace_info',
    'trace_tags',
    'trace_request_metadata',
  ]),
];

/** After 2.17 (the reference's reconstructed master line). */
const MLFLOW_3: MlflowRevision[] = [
  r('0584bdc529eb', '2.18', true),
  r('400f98739977', '3.0', false, ['logged_models', 'logged_model_metrics', 'logged_model_params', 'logged_model_tags']),
  r('6953534de441', '3.0'),
  r('bda7b8c39065', '3.2', true),
  r('cbc13b556ace', '3.2', true),
  r('770bee3ae1dd', '3.2', true, ['assessments']),
  r('a1b2c3d4e5f6', '3.3', true, ['spans']),
  r('de4033877273', '3.3', true, ['entity_associations']),
  r('1a0cddfcaa16', '3.3', true, ['webhooks', 'webhook_events']),
  r('534353b11cbc', '3.4', true, ['scorers', 'scorer_versions']),
  r('71994744cf8e', '3.4', true, ['evaluation_datasets', 'evaluation_dataset_tags', 'evaluation_dataset_records']),
  r('3da73c924c2f', '3.4', true),
  r('bf29a5ff90ea', '3.5', true, ['jobs']),
  r('1bd49d398cd23', '3.7', true, ['secrets', 'endpoints', 'model_definitions', 'endpoint_model_mappings', 'endpoint_bindings', 'endpoint_tags']),
  r('b7c8d9e0f1a2', '3.7', true, ['trace_metrics']),
  r('5d2d30f0abce', '3.9', true),
  r('c9d4e5f6a7b8', '3.9'),
  r('2c33131f4dae', '3.9', true, ['online_scoring_configs']),
  r('d3e4f5a6b7c8'),
  r('d0e1f2a3b4c5', '3.10'),
  r('c8d9e0f1a2b3', '3.10', false, ['span_metrics']),
  r('1b5f0d9ad7c1', '3.10', false, ['workspaces']),
  r('e1f2a3b4c5d6', '3.11', false, ['budget_policies']),
  r('76601a5f987d', '3.11', false, ['issues']),
  r('c3d6457b6d8a'),
  r('a5b4c3d2e1f0'),
  r('ae8bbe7743c9', '3.12', false, ['guardrails', 'guardrail_configs']),
  r('7d34483879f0', '3.12'),
  r('da6fb0208061'),
  r('89d3d66ed43f', '3.14', false, ['label_schemas']),
  r('b7e4c1a90f23', '3.14', false, ['review_queues', 'review_queue_users', 'review_queue_items', 'review_queue_label_schemas']),
  r('c5d9e1f3a7b2', '3.15', true),
  r('e2c4a6b80d15', '3.15', true),
  r('c3d9e7f1a2b4', '3.15', true),
  r('a8b9c0d1e2f3', '3.15', true, [
    'mcp_servers',
    'mcp_server_versions',
    'mcp_server_tags',
    'mcp_server_version_tags',
    'mcp_server_aliases',
    'mcp_access_endpoints',
  ]),
  r('6f8d9c3b2a1e', '3.15', true),
  r('1971f2d9a75b', '3.16', true),
  r('17e22815139b', '3.16', true),
  r('b7e2c1a4d9f3', '3.16', true),
  r('7c4d9e2f1a86', '3.17', true),
];

/** Every revision mlf knows of, oldest first. */
export const MLFLOW_REVISIONS: readonly MlflowRevision[] = [...MLFLOW_2, ...MLFLOW_3];

/** The last revision MLflow 2.x servers open; everything after it is MLflow 3's. */
export const LAST_MLFLOW_2_REVISION = '0584bdc529eb';

/** Position of a revision in the chain, or -1. */
export function revisionIndex(id: string): number {
  return MLFLOW_REVISIONS.findIndex((x) => x.id === id);
}

export function revisionInfo(id: string): MlflowRevision | undefined {
  return MLFLOW_REVISIONS[revisionIndex(id)];
}

/** The tables a database at `id` must have (from 2.17's head on; empty before it). */
export function tablesAt(id: string): string[] {
  const i = revisionIndex(id);
  const from = revisionIndex('f5a4f2784254');
  if (i < from) return [];
  return MLFLOW_REVISIONS.slice(from, i + 1).flatMap((x) => x.adds ?? []);
}

/** `2.17` < `2.18` < `3.0` < `3.10`. */
export function compareReleases(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** `3.4`, `3.4.1`, `v3.4`: a release, as opposed to a revision id. */
export function isRelease(s: string): boolean {
  return /^v?\d+\.\d+(\.\d+)?$/.test(s);
}

/**
 * The schema revision a release runs on: the last revision first shipped in that release or before
 * (patch releases share their minor release's schema). Undefined before 2.17 or past what mlf knows.
 */
export function headOfRelease(release: string): string | undefined {
  const minor = release.replace(/^v/, '').split('.').slice(0, 2).join('.');
  let head: string | undefined;
  for (const x of MLFLOW_REVISIONS) if (x.release && compareReleases(x.release, minor) <= 0) head = x.id;
  return head;
}

/**
 * The MLflow releases that run on a revision, in words: "MLflow 3.12" when it is the last revision
 * of a release, "no MLflow release (a step inside MLflow 3.0, ...)" for a step inside a release's
 * development, with "about" where the release is inferred.
 */
export function releasesOf(id: string): string {
  const i = revisionIndex(id);
  if (i < 0) return 'no MLflow release mlf knows';
  const name = (x: MlflowRevision) => `MLflow ${x.approximate ? 'about ' : ''}${x.release}`;
  const cur = MLFLOW_REVISIONS[i]!;
  const next = MLFLOW_REVISIONS.slice(i + 1).find((x) => x.release);
  if (cur.release) {
    // The last revision of its release is what that release (and its patches) runs on.
    if (!next || next.release !== cur.release) return name(cur);
    const last = [...MLFLOW_REVISIONS].reverse().find((x) => x.release === cur.release)!;
    return `no MLflow release (a step inside ${name(cur)}, which runs on ${last.id})`;
  }
  const prev = [...MLFLOW_REVISIONS.slice(0, i)].reverse().find((x) => x.release);
  if (!prev) return 'MLflow releases before 2.17';
  return `no MLflow release known (a step between ${name(prev)} and ${next ? name(next) : 'the newest release'})`;
}
