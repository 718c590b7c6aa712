/** Traces in the file store: MLflow 2.17's folder layout byte for byte, odd folders, purge. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/stores/file/file-store.js';
import { tempDir } from '../../support/databases.js';

let base: string;
let root: string;
let store: FileStore;
let warnings: string[];

beforeEach(async () => {
  base = tempDir('mlf-file-traces-');
  root = path.join(base, 'mlruns');
  warnings = [];
  store = await FileStore.open(root, { onWarning: (m) => warnings.push(m) });
});
afterEach(async () => {
  await store.close();
  fs.rmSync(base, { recursive: true, force: true });
});

const read = (...p: string[]) => fs.readFileSync(path.join(root, ...p), 'utf8');

describe('file store traces: layout', () => {
  it("writes trace_info.yaml, tags/ and request_metadata/ as MLflow's FileStore does", async () => {
    const info = await store.traces.startTrace('0', 1700000000123, { 'mlflow.sourceRun': 'abc' }, { 'a/b': 'nested', t: 'v' });
    const dir = ['0', 'traces', info.requestId];
    expect(read(...dir, 'trace_info.yaml')).toBe(
      `execution_time_ms: null\nexperiment_id: '0'\nrequest_id: ${info.requestId}\nstatus: IN_PROGRESS\ntimestamp_ms: 1700000000123\n`,
    );
    expect(read(...dir, 'request_metadata', 'mlflow.sourceRun')).toBe('abc');
    expect(read(...dir, 'tags', 't')).toBe('v');
    expect(read(...dir, 'tags', 'a', 'b')).toBe('nested');
    expect(read(...dir, 'tags', 'mlflow.artifactLocation')).toBe(`file://${root}/0/traces/${info.requestId}/artifacts`);

    await store.traces.endTrace(info.requestId, 1700000000500, 'OK', { m2: 'x' }, { t: 'w' });
    expect(read(...dir, 'trace_info.yaml')).toBe(
      `execution_time_ms: 377\nexperiment_id: '0'\nrequest_id: ${info.requestId}\nstatus: OK\ntimestamp_ms: 1700000000123\n`,
    );
    expect(read(...dir, 'tags', 't')).toBe('w');
    const got = await store.traces.getTraceInfo(info.requestId);
    expect(got.tags).toMatchObject({ 'a/b': 'nested', t: 'w' });
    expect(got.requestMetadata).toEqual({ 'mlflow.sourceRun': 'abc', m2: 'x' });
  });

  it('reads a trace folder as MLflow 2.17 wrote it (bytes captured from its FileStore)', async () => {
    const id = '57e92f0be18740979b3bf088374515b4';
    const dir = path.join(root, '0', 'traces', id);
    const put = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    put('trace_info.yaml', `execution_time_ms: 377\nexperiment_id: '0'\nrequest_id: ${id}\nstatus: OK\ntimestamp_ms: 1700000000123\n`);
    put('request_metadata/mlflow.sourceRun', 'abc');
    put('request_metadata/m2', 'x');
    put('tags/mlflow.traceName', 'root');
    put('tags/t', 'w');
    put(`tags/mlflow.artifactLocation`, `file://${root}/0/traces/${id}/artifacts`);
    expect(await store.traces.getTraceInfo(id)).toEqual({
      requestId: id,
      experimentId: '0',
      timestampMs: 1700000000123,
      executionTimeMs: 377,
      status: 'OK',
      requestMetadata: { 'mlflow.sourceRun': 'abc', m2: 'x' },
      tags: { 'mlflow.traceName': 'root', t: 'w', 'mlflow.artifactLocation': `file://${root}/0/traces/${id}/artifacts` },
    });
    expect((await store.traces.searchTraces({ experimentIds: ['0'], filter: "name = 'root'" })).items.map((t) => t.requestId)).toEqual([id]);
  });

  it('refuses a key MLflow cannot store as a file name, and writes nothing', async () => {
    await expect(store.traces.startTrace('0', 1, {}, { '../x': 'v' })).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    await expect(store.traces.startTrace('0', 1, { 'bad\u0001': 'v' }, {})).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    expect(fs.existsSync(path.join(root, '0', 'traces'))).toBe(false);
    const info = await store.traces.startTrace('0', 1, {}, {});
    await expect(store.traces.endTrace(info.requestId, 2, 'OK', {}, { '/abs': 'v' })).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    expect((await store.traces.getTraceInfo(info.requestId)).status).toBe('IN_PROGRESS');
    await expect(store.traces.setTraceTag(info.requestId, 'x/../../y', 'v')).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
  });

  it('treats request ids that are not folder names as unknown', async () => {
    for (const id of ['..', '../0', 'a/b', '.']) {
      await expect(store.traces.getTraceInfo(id)).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
    }
    expect(await store.traces.deleteTraces('0', { requestIds: ['..', '../0'] })).toBe(0);
    expect(fs.existsSync(path.join(root, '0', 'meta.yaml'))).toBe(true);
  });

  it('skips a malformed trace folder in searches with a warning, and names it on a direct read', async () => {
    const good = await store.traces.startTrace('0', 10, {}, {});
    const bad = await store.traces.startTrace('0', 20, {}, {});
    fs.writeFileSync(path.join(root, '0', 'traces', bad.requestId, 'trace_info.yaml'), 'status: [unclosed\n');
    fs.mkdirSync(path.join(root, '0', 'traces', 'empty-folder'));
    const page = await store.traces.searchTraces({ experimentIds: ['0'] });
    expect(page.items.map((t) => t.requestId)).toEqual([good.requestId]);
    expect(warnings.join('\n')).toContain(bad.requestId);
    await expect(store.traces.getTraceInfo(bad.requestId)).rejects.toMatchObject({
      errorCode: 'INVALID_STATE',
      message: `Trace with request ID '${bad.requestId}' metadata is in invalid state.`,
    });
    await expect(store.traces.getTraceInfo('empty-folder')).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('answers a request id whose trace_info.yaml names another trace with INVALID_STATE', async () => {
    const a = await store.traces.startTrace('0', 10, {}, {});
    fs.cpSync(path.join(root, '0', 'traces', a.requestId), path.join(root, '0', 'traces', 'copy'), { recursive: true });
    await expect(store.traces.getTraceInfo('copy')).rejects.toMatchObject({ errorCode: 'INVALID_STATE' });
  });

  it('orders and pages in memory like the SQL store: missing values last, next page only when one exists', async () => {
    const ids: string[] = [];
    for (const ts of [30, 10, 20]) ids.push((await store.traces.startTrace('0', ts, {}, {})).requestId);
    await store.traces.endTrace(ids[1]!, 15, 'OK', {}, {});
    const byExec = await store.traces.searchTraces({ experimentIds: ['0'], orderBy: ['execution_time_ms DESC'] });
    expect(byExec.items.map((t) => t.requestId)).toEqual([ids[1], ids[0], ids[2]]);
    const p1 = await store.traces.searchTraces({ experimentIds: ['0'], maxResults: 2 });
    expect(p1.items.map((t) => t.timestampMs)).toEqual([30, 20]);
    const p2 = await store.traces.searchTraces({ experimentIds: ['0'], maxResults: 2, pageToken: p1.nextPageToken });
    expect([p2.items.map((t) => t.timestampMs), p2.nextPageToken]).toEqual([[10], undefined]);
    const exact = await store.traces.searchTraces({ experimentIds: ['0'], maxResults: 3 });
    expect(exact.nextPageToken).toBeUndefined();
    await expect(store.traces.searchTraces({ experimentIds: ['0'], maxResults: 50001 })).rejects.toMatchObject({
      message: 'Invalid value for request parameter max_results. It must be at most 50000, but got value 50001',
    });
  });

  it('deletes by time oldest first, and a zero bound deletes nothing (as MLflow reads it)', async () => {
    const ids: string[] = [];
    for (const ts of [30, 10, 20]) ids.push((await store.traces.startTrace('0', ts, {}, {})).requestId);
    expect(await store.traces.deleteTraces('0', { maxTimestampMillis: 0 })).toBe(0);
    expect(await store.traces.deleteTraces('0', { maxTimestampMillis: 25, maxTraces: 1 })).toBe(1);
    expect(fs.existsSync(path.join(root, '0', 'traces', ids[1]!))).toBe(false);
    expect(await store.traces.deleteTraces('0', { maxTimestampMillis: 0, requestIds: [ids[0]!, ids[0]!, 'nope'] })).toBe(1);
    expect((await store.traces.searchTraces({ experimentIds: ['0'] })).items.map((t) => t.requestId)).toEqual([ids[2]]);
  });
});

describe('file store traces: purge', () => {
  it("counts a purged experiment's traces and hands their artifact folders to gc", async () => {
    const exp = await store.createExperiment({ name: 'traced', artifactLocation: `file://${base}/elsewhere` });
    const t1 = await store.traces.startTrace(exp, 1, {}, {});
    await store.traces.startTrace(exp, 2, {}, {});
    await store.deleteExperiment(exp);
    const res = await store.purgeExperiments([exp]);
    expect(res.rows.traces).toBe(2);
    expect(res.artifacts).toContainEqual({ kind: 'trace', id: t1.requestId, uri: `file://${base}/elsewhere/traces/${t1.requestId}/artifacts` });
    expect(res.artifacts).toHaveLength(2);
    await expect(store.traces.getTraceInfo(t1.requestId)).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
  });
});
