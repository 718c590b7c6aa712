/**
 * MLflow 3's assessments on the file store and every SQL dialect reachable here, request by request: create, get, update
 * with its mask, delete; feedback and expectation values, errors, sources, rationale, metadata,
 * overrides and validity, and their place inside trace info V3.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { apiCaller } from '../server/helpers.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase } from '../support/databases.js';
import { traceInfoBody } from '../support/otlp.js';

const V3 = '/api/3.0/mlflow';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

for (const dialect of ['file', ...testDialects()] as const) {
  describe(`assessments on ${dialect === 'file' ? 'the file store' : dialect}`, async () => {
    const skip = dialect === 'file' ? false : await skipUnlessAvailable(dialect);
    let db: TestDatabase | undefined;
    let dir: string | undefined;
    let store: TrackingStore;
    let call: ReturnType<typeof apiCaller>;
    let exp: string;
    let n = 0;
    beforeAll(async () => {
      if (skip) return;
      if (dialect === 'file') dir = tempDir('mlf-assess-file-');
      else db = await createTestDatabase(dialect);
      store = await openTrackingStore(dir ? path.join(dir, 'mlruns') : db!.uri, { artifactRoot: 'mlflow-artifacts:/' });
      call = apiCaller(createApp({ store, artifactsDestination: tempDir('mlf-assess-art-'), logger: createLogger('none') }));
      exp = (await call('POST', 'experiments/create', { name: 'assessments' })).json.experiment_id;
    });
    afterAll(async () => {
      if (skip) return;
      await store?.close();
      await db?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });
    const newTrace = async () => {
      const id = `tr-${String(++n).padStart(32, '0')}`;
      expect((await call('POST', `${V3}/traces`, traceInfoBody(exp, id))).status).toBe(200);
      return id;
    };
    const create = async (traceId: string, assessment: Record<string, unknown>) => call('POST', `${V3}/traces/${traceId}/assessments`, { assessment });
    const feedback = { assessment_name: 'relevance', source: { source_type: 'LLM_JUDGE', source_id: 'gpt' }, feedback: { value: 0.8 }, rationale: 'on topic', metadata: { judge: 'v1' } };

    it.skipIf(skip)('creates and reads feedback and expectations, and lists them in the trace info', async () => {
      const t = await newTrace();
      const fb = await create(t, feedback);
      expect(fb.status).toBe(200);
      const a = fb.json.assessment;
      expect(a.assessment_id).toMatch(/^a-[0-9a-f]{32}$/);
      expect(a).toMatchObject({ assessment_name: 'relevance', trace_id: t, source: { source_type: 'LLM_JUDGE', source_id: 'gpt' }, feedback: { value: 0.8 }, rationale: 'on topic', metadata: { judge: 'v1' }, valid: true });
      expect(a.create_time).toMatch(RFC3339);
      expect(a.last_update_time).toBe(a.create_time);

      const ex = (await create(t, { assessment_name: 'expected', source: { source_type: 'HUMAN', source_id: 'ada' }, span_id: '0123456789abcdef', expectation: { value: { facts: ['a', 'b'] } } })).json.assessment;
      // Lists and objects travel as JSON `serialized_value`, primitives as `value` (MLflow's Expectation.to_proto).
      expect(ex.expectation).toEqual({ serialized_value: { serialization_format: 'JSON_FORMAT', value: '{"facts":["a","b"]}' } });
      expect(ex.span_id).toBe('0123456789abcdef');
      const sx = (await create(t, { assessment_name: 'answer', source: { source_type: 'HUMAN' }, expectation: { serialized_value: { serialization_format: 'JSON_FORMAT', value: '"42"' } } })).json.assessment;
      expect(sx.expectation).toEqual({ value: '42' });
      const err = (await create(t, { assessment_name: 'judge', source: { source_type: 'CODE' }, feedback: { error: { error_code: 'RATE_LIMIT', error_message: 'slow down' } } })).json.assessment;
      expect(err.feedback).toEqual({ value: null, error: { error_code: 'RATE_LIMIT', error_message: 'slow down' } });

      const got = await call('GET', `${V3}/traces/${t}/assessments/${a.assessment_id}`);
      expect(got.json.assessment).toEqual(a);
      const info = (await call('GET', `${V3}/traces/${t}`)).json.trace.trace_info;
      expect(info.assessments.map((x: any) => x.assessment_name).sort()).toEqual(['answer', 'expected', 'judge', 'relevance']);
      const searched = (await call('POST', `${V3}/traces/search`, { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }], filter: `request_id = '${t}'` })).json.traces;
      expect(searched[0].assessments).toHaveLength(4);
    });

    it.skipIf(skip)('updates the fields the mask names, merging metadata, and refuses a value of the other kind', async () => {
      const t = await newTrace();
      const a = (await create(t, feedback)).json.assessment;
      await new Promise((r) => setTimeout(r, 5));
      const up = await call('PATCH', `${V3}/traces/${t}/assessments/${a.assessment_id}`, {
        assessment: { assessment_name: 'relevance2', feedback: { value: 'high' }, rationale: 'better', metadata: { extra: 'x' }, source: { source_type: 'HUMAN', source_id: 'eve' } },
        update_mask: 'assessment_name,feedback,metadata',
      });
      expect(up.status).toBe(200);
      const u = up.json.assessment;
      // Rationale was not in the mask; source is immutable.
      expect(u).toMatchObject({ assessment_name: 'relevance2', feedback: { value: 'high' }, rationale: 'on topic', metadata: { judge: 'v1', extra: 'x' }, source: { source_type: 'LLM_JUDGE', source_id: 'gpt' } });
      expect(u.create_time).toBe(a.create_time);
      expect(Date.parse(u.last_update_time)).toBeGreaterThan(Date.parse(a.last_update_time));
      expect((await call('GET', `${V3}/traces/${t}/assessments/${a.assessment_id}`)).json.assessment).toEqual(u);

      const wrongKind = await call('PATCH', `${V3}/traces/${t}/assessments/${a.assessment_id}`, { assessment: { expectation: { value: 1 } }, update_mask: 'expectation' });
      expect(wrongKind.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Cannot update expectation value on a Feedback assessment.' });
      const noMask = await call('PATCH', `${V3}/traces/${t}/assessments/${a.assessment_id}`, { assessment: { rationale: 'x' } });
      expect([noMask.status, noMask.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      const missing = await call('PATCH', `${V3}/traces/${t}/assessments/a-missing`, { assessment: { rationale: 'x' }, update_mask: 'rationale' });
      expect([missing.status, missing.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      // The object form of a FieldMask is read too.
      const valid = await call('PATCH', `${V3}/traces/${t}/assessments/${a.assessment_id}`, { assessment: { valid: false }, update_mask: { paths: ['valid'] } });
      expect(valid.json.assessment.valid).toBe(false);
    });

    it.skipIf(skip)('marks an overridden assessment invalid and valid again when the override goes', async () => {
      const t = await newTrace();
      const first = (await create(t, feedback)).json.assessment;
      const bad = await create(t, { ...feedback, overrides: 'a-nothere' });
      expect([bad.status, bad.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      expect((await call('GET', `${V3}/traces/${t}`)).json.trace.trace_info.assessments).toHaveLength(1);

      const over = (await create(t, { ...feedback, feedback: { value: 0.1 }, overrides: first.assessment_id })).json.assessment;
      expect(over).toMatchObject({ overrides: first.assessment_id, valid: true });
      expect((await call('GET', `${V3}/traces/${t}/assessments/${first.assessment_id}`)).json.assessment.valid).toBe(false);
      expect((await call('DELETE', `${V3}/traces/${t}/assessments/${over.assessment_id}`)).status).toBe(200);
      expect((await call('GET', `${V3}/traces/${t}/assessments/${first.assessment_id}`)).json.assessment.valid).toBe(true);
      // Deleting again is not an error (MLflow's delete is idempotent).
      expect((await call('DELETE', `${V3}/traces/${t}/assessments/${over.assessment_id}`)).status).toBe(200);
      const gone = await call('GET', `${V3}/traces/${t}/assessments/${over.assessment_id}`);
      expect(gone.json).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Assessment with ID '${over.assessment_id}' not found for trace '${t}'` });
    });

    it.skipIf(skip)('refuses bad assessments with MLflow codes', async () => {
      const t = await newTrace();
      const cases: [string, Record<string, unknown> | undefined, number][] = [
        [t, undefined, 400],
        [t, { source: { source_type: 'HUMAN' }, feedback: { value: 1 } }, 400],
        [t, { assessment_name: 'x', source: { source_type: 'HUMAN' } }, 400],
        [t, { assessment_name: 'x', source: { source_type: 'ROBOT' }, feedback: { value: 1 } }, 400],
        [t, { assessment_name: 'x'.repeat(251), feedback: { value: 1 } }, 400],
        [t, { assessment_name: 'x', feedback: { value: 1 }, metadata: { k: 1 } }, 400],
        ['tr-unknown', { assessment_name: 'x', feedback: { value: 1 } }, 404],
      ];
      for (const [trace, assessment, status] of cases) {
        const r = await call('POST', `${V3}/traces/${trace}/assessments`, assessment ? { assessment } : {});
        expect(r.status, JSON.stringify(assessment)).toBe(status);
      }
      expect((await call('GET', `${V3}/traces/${t}`)).json.trace.trace_info.assessments).toBeUndefined();
      // A value the database cannot hold (MySQL's TEXT is 64 KB) is a 400 there, never a 5xx; others store it.
      const huge = await create(t, { assessment_name: 'long', feedback: { value: 'x'.repeat(70_000) } });
      expect(huge.status).toBe(dialect === 'mysql' ? 400 : 200);
      const noTrace = await call('GET', `${V3}/traces/tr-unknown/assessments/a-1`);
      expect(noTrace.json).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Trace with request_id 'tr-unknown' not found" });
    });

    it.skipIf(skip)('stores assessments that come inside StartTraceV3', async () => {
      const id = `tr-${String(++n).padStart(32, '0')}`;
      const r = await call('POST', `${V3}/traces`, traceInfoBody(exp, id, { assessments: [{ assessment_name: 'inline', source: { source_type: 'HUMAN', source_id: 'ada' }, feedback: { value: 'yes' } }] }));
      expect(r.status).toBe(200);
      const [a] = r.json.trace.trace_info.assessments;
      expect(a).toMatchObject({ assessment_name: 'inline', trace_id: id, feedback: { value: 'yes' }, valid: true });
      expect(a.assessment_id).toMatch(/^a-/);
    });
  });
}
