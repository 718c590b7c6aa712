/**
 * MLflow's schema history in order: the initial tables, then one migration per alembic revision
 * through MLflow 2.17's head and on into MLflow 3's chain. Append-only: a new MLflow revision is a new file at the end.
 */
import type { Migration } from '../src/stores/sql/migrate/ddl.js';
import m0 from './0000-initial-tables.js';
import m1 from './0001-451aebb31d03-add-metric-step.js';
import m2 from './0002-90e64c465722-migrate-user-column-to-tags.js';
import m3 from './0003-181f10493468-allow-nulls-for-metric-values.js';
import m4 from './0004-df50e92ffc5e-add-experiment-tags-table.js';
import m5 from './0005-7ac759974ad8-update-run-tags-with-larger-limit.js';
import m6 from './0006-89d4b8295536-create-latest-metrics-table.js';
import m7 from './0007-2b4d017a5e9b-add-model-registry-tables-to-db.js';
import m8 from './0008-cfd24bdc0731-update-run-status-constraint-with-killed.js';
import m9 from './0009-0a8213491aaa-drop-duplicate-killed-constraint.js';
import m10 from './0010-728d730b5ebd-add-registered-model-tags-table.js';
import m11 from './0011-27a6a02d2cf1-add-model-version-tags-table.js';
import m12 from './0012-84291f40a231-add-run-link-to-model-version.js';
import m13 from './0013-a8c4a736bde6-allow-nulls-for-run-id.js';
import m14 from './0014-39d1c3be5f05-add-is-nan-constraint-for-metrics-tables-if-necessary.js';
import m15 from './0015-c48cb773bb87-reset-default-value-for-is-nan-in-metrics-table-for-mysql.js';
import m16 from './0016-bd07f7e963c5-create-index-on-run-uuid.js';
import m17 from './0017-0c779009ac13-add-deleted-time-field-to-runs-table.js';
import m18 from './0018-cc1f77228345-change-param-value-length-to-500.js';
import m19 from './0019-97727af70f4d-creation-time-last-update-time-experiments.js';
import m20 from './0020-3500859a5d39-add-model-aliases-table.js';
import m21 from './0021-7f2a7d5fae7d-add-datasets-inputs-input-tags-tables.js';
import m22 from './0022-2d6e25af4d3e-increase-max-param-val-length.js';
import m23 from './0023-acf3f17fdcc7-add-storage-location-field-to-model.js';
import m24 from './0024-867495a8f9d4-add-trace-tables.js';
import m25 from './0025-5b0e9adcef9c-add-cascade-deletion-to-trace-tables-fk.js';
import m26 from './0026-4465047574b1-increase-max-dataset-schema-size.js';
import m27 from './0027-f5a4f2784254-increase-run-tag-value-limit.js';
import m28 from './0028-0584bdc529eb-add-cascading-deletion-to-datasets-from-experiments.js';
import m29 from './0029-400f98739977-add-logged-model-tables.js';
import m30 from './0030-6953534de441-add-step-to-inputs-table.js';
import m31 from './0031-bda7b8c39065-increase-model-version-tag-value-limit.js';
import m32 from './0032-cbc13b556ace-add-v3-trace-schema-columns.js';
import m33 from './0033-770bee3ae1dd-add-assessments-table.js';
import m34 from './0034-a1b2c3d4e5f6-add-spans-table.js';
import m35 from './0035-de4033877273-create-entity-associations-table.js';
import m36 from './0036-1a0cddfcaa16-add-webhooks-and-webhook-events-tables.js';
import m37 from './0037-534353b11cbc-add-scorer-table.js';
import m38 from './0038-71994744cf8e-add-evaluation-datasets.js';
import m39 from './0039-3da73c924c2f-add-outputs-to-dataset-record.js';
import m40 from './0040-bf29a5ff90ea-add-jobs-table.js';
import m41 from './0041-1bd49d398cd23-add-secrets-tables.js';
import m42 from './0042-b7c8d9e0f1a2-add-trace-metrics-table.js';
import m43 from './0043-5d2d30f0abce-update-job-table.js';
import m44 from './0044-c9d4e5f6a7b8-add-routing-strategy-and-linkage-type.js';
import m45 from './0045-2c33131f4dae-add-online-scoring-configs-table.js';
import m46 from './0046-d3e4f5a6b7c8-add-display-name-to-endpoint-bindings.js';
import m47 from './0047-d0e1f2a3b4c5-add-experiment-id-and-usage-tracking-to-endpoints.js';
import m48 from './0048-c8d9e0f1a2b3-add-span-metrics-and-dimension-attributes.js';
import m49 from './0049-1b5f0d9ad7c1-add-workspace-columns-and-catalog.js';
import m50 from './0050-e1f2a3b4c5d6-add-budget-policies-table.js';
import m51 from './0051-76601a5f987d-add-issues-table.js';
import m52 from './0052-c3d6457b6d8a-add-status-details-column-to-jobs-table.js';
import m53 from './0053-a5b4c3d2e1f0-add-metrics-run-key-step-index.js';
import m54 from './0054-ae8bbe7743c9-add-guardrails-tables.js';
import m55 from './0055-7d34483879f0-add-model-version-tags-workspace-index.js';
import m56 from './0056-da6fb0208061-add-trace-archival-workspace-columns.js';
import m57 from './0057-89d3d66ed43f-add-label-schemas-table.js';
import m58 from './0058-b7e4c1a90f23-add-review-queue-tables.js';
import m59 from './0059-c5d9e1f3a7b2-add-is-default-to-label-schemas.js';
import m60 from './0060-e2c4a6b80d15-add-name-key-to-review-queues.js';
import m61 from './0061-c3d9e7f1a2b4-add-target-value-to-budget-policies.js';
import m62 from './0062-a8b9c0d1e2f3-add-mcp-server-registry-tables.js';
import m63 from './0063-6f8d9c3b2a1e-add-experiment-fk-cascades.js';
import m64 from './0064-1971f2d9a75b-add-trace-archival-candidate-index.js';
import m65 from './0065-17e22815139b-increase-experiment-tag-value-limit.js';
import m66 from './0066-b7e2c1a4d9f3-add-jobs-creator.js';
import m67 from './0067-7c4d9e2f1a86-pin-mcp-version-collation.js';

export const MIGRATIONS: readonly Migration[] = [
  m0,
  m1,
  m2,
  m3,
  m4,
  m5,
  m6,
  m7,
  m8,
  m9,
  m10,
  m11,
  m12,
  m13,
  m14,
  m15,
  m16,
  m17,
  m18,
  m19,
  m20,
  m21,
  m22,
  m23,
  m24,
  m25,
  m26,
  m27,
  m28,
  m29,
  m30,
  m31,
  m32,
  m33,
  m34,
  m35,
  m36,
  m37,
  m38,
  m39,
  m40,
  m41,
  m42,
  m43,
  m44,
  m45,
  m46,
  m47,
  m48,
  m49,
  m50,
  m51,
  m52,
  m53,
  m54,
  m55,
  m56,
  m57,
  m58,
  m59,
  m60,
  m61,
  m62,
  m63,
  m64,
  m65,
  m66,
  m67,
];
