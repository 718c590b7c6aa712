/**
 * MLflow 3's assessments on the SQL schema (`assessments`, revision 770bee3ae1dd), as MLflow's
 * SqlAlchemyStore writes them: an override marks its target invalid, deleting the override makes the
 * target valid again, updates keep source and span and merge metadata. Each function runs inside the
 * caller's transaction.
 */
import { applyAssessmentChanges, assessmentFromRow, assessmentNotFound, assessmentTraceNotFound, assessmentRow, type Assessment } from '../../../tracking/assessments.js';
import { traceIdNotFound } from '../../../tracking/traces-v3.js';
import type { AssessmentChanges } from '../../trace-store.js';
import type { Db, Tx } from '../dialects/dialect.js';

/** The row with booleans as 0/1, which every driver binds (better-sqlite3 refuses JS booleans). */
function row(a: Assessment): Record<string, unknown> {
  const r = assessmentRow(a);
  return { ...r, valid: a.valid ? 1 : 0 };
}

async function traceExists(tx: Db | Tx, traceId: string): Promise<boolean> {
  return (await tx.selectFrom('trace_info').select('request_id').where('request_id', '=', traceId).executeTakeFirst()) !== undefined;
}

export async function insertAssessment(tx: Tx, a: Assessment): Promise<Assessment> {
  if (!(await traceExists(tx, a.traceId))) throw traceIdNotFound(a.traceId);
  if (a.overrides) {
    const res = await tx
      .updateTable('assessments')
      .set({ valid: 0 })
      .where('trace_id', '=', a.traceId)
      .where('assessment_id', '=', a.overrides)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw assessmentNotFound(a.overrides, a.traceId);
  }
  await tx.insertInto('assessments').values(row(a)).execute();
  return a;
}

export async function readAssessment(db: Db | Tx, traceId: string, assessmentId: string): Promise<Assessment> {
  const r = await db.selectFrom('assessments').selectAll().where('trace_id', '=', traceId).where('assessment_id', '=', assessmentId).executeTakeFirst();
  if (r) return assessmentFromRow(r as Record<string, unknown>);
  if (!(await traceExists(db, traceId))) throw assessmentTraceNotFound(traceId);
  throw assessmentNotFound(assessmentId, traceId);
}

export async function changeAssessment(tx: Tx, traceId: string, assessmentId: string, c: AssessmentChanges, now: number): Promise<Assessment> {
  const next = applyAssessmentChanges(await readAssessment(tx, traceId, assessmentId), c, now);
  const r = row(next);
  await tx
    .updateTable('assessments')
    .set({ name: r.name, value: r.value, error: r.error, last_updated_timestamp: now, rationale: r.rationale, assessment_metadata: r.assessment_metadata, valid: r.valid })
    .where('trace_id', '=', traceId)
    .where('assessment_id', '=', assessmentId)
    .execute();
  return next;
}

export async function removeAssessment(tx: Tx, traceId: string, assessmentId: string): Promise<void> {
  const r = (await tx.selectFrom('assessments').select(['assessment_id', 'overrides']).where('trace_id', '=', traceId).where('assessment_id', '=', assessmentId).executeTakeFirst()) as
    | { overrides: string | null }
    | undefined;
  if (!r) return;
  // The assessment it overrode counts again.
  if (r.overrides) await tx.updateTable('assessments').set({ valid: 1 }).where('assessment_id', '=', r.overrides).execute();
  await tx.deleteFrom('assessments').where('trace_id', '=', traceId).where('assessment_id', '=', assessmentId).execute();
}

/** Every assessment of the given traces, oldest first, by trace id. */
export async function assessmentsOf(db: Db | Tx, traceIds: string[]): Promise<Map<string, Assessment[]>> {
  const out = new Map<string, Assessment[]>();
  if (!traceIds.length) return out;
  const rows = await db.selectFrom('assessments').selectAll().where('trace_id', 'in', traceIds).orderBy('created_timestamp').orderBy('assessment_id').execute();
  for (const r of rows) {
    const a = assessmentFromRow(r as Record<string, unknown>);
    const list = out.get(a.traceId) ?? [];
    list.push(a);
    out.set(a.traceId, list);
  }
  return out;
}
