/**
 * `mlf runs …` end to end: the built CLI in real processes against a temp file store and a temp
 * SQLite database, as a CI job or a person would use it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { BIN, cliBuilt, runCli, runJson, runOk } from './run-cli.js';
import { snapshot, tempStore, type CliStoreKind, type TempStore } from './store-helpers.js';

/** A minimal RFC 4180 reader, enough to read back what `--csv` writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}

beforeAll(() => {
  if (!cliBuilt()) throw new Error('The CLI is not built: run `npm run build` (npm test does) before these tests');
});

for (const kind of ['file', 'sqlite'] as CliStoreKind[]) {
  describe(`mlf runs on a ${kind} store`, () => {
    let s: TempStore;
    const env = () => ({ MLFLOW_TRACKING_URI: s.uri });
    const log = async (args: string[]) => (await runOk(['runs', 'log', ...args], { env: env() })).stdout.trim();

    beforeAll(() => {
      s = tempStore(kind);
    });
    afterAll(() => s.remove());

    it('logs from a shell script with RUN=$(mlf runs log ...), continues and ends the run, then lists it', async () => {
      const shim = path.join(s.dir, 'bin');
      fs.mkdirSync(shim, { recursive: true });
      fs.writeFileSync(path.join(shim, 'mlf'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
      const script = [
        'set -e',
        'RUN=$(mlf runs log --experiment-name shell --run-name nightly --param lr=0.01 --param layers=3 --metric loss=0.9 --tag team=cv)',
        'mlf runs log --run-id "$RUN" --metric loss=0.5@1 --metric loss=0.3@2 --end --status FINISHED > /dev/null',
        'echo "$RUN"',
      ].join('\n');
      const out = execFileSync('bash', ['-c', script], {
        env: { PATH: `${shim}:${process.env.PATH}`, HOME: process.env.HOME ?? '/tmp', MLFLOW_TRACKING_URI: s.uri },
        cwd: s.dir,
      }).toString();
      const runId = out.trim();
      expect(runId).toMatch(/^[0-9a-f]{32}$/);

      const list = await runJson(['runs', 'list', '--experiment-name', 'shell'], { env: env() });
      expect(list.runs).toHaveLength(1);
      const run = list.runs[0];
      expect(run.info).toMatchObject({ run_id: runId, run_uuid: runId, run_name: 'nightly', status: 'FINISHED', lifecycle_stage: 'active' });
      expect(run.info.end_time).toBeGreaterThanOrEqual(run.info.start_time);
      expect(run.data.params).toEqual([
        { key: 'layers', value: '3' },
        { key: 'lr', value: '0.01' },
      ]);
      expect(run.data.metrics).toEqual([{ key: 'loss', value: 0.3, step: 2, timestamp: expect.any(Number) }]);
      expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'cv' }, { key: 'mlflow.runName', value: 'nightly' }]));

      const store = await openTrackingStore(s.uri);
      const history = await store.getMetricHistory(runId, 'loss');
      await store.close();
      expect(history.map((m) => [m.step, m.value])).toEqual([
        [0, 0.9],
        [1, 0.5],
        [2, 0.3],
      ]);
    });

    it("reads MLflow's MLFLOW_EXPERIMENT_NAME and MLFLOW_RUN_ID, and --experiment-id beats them", async () => {
      const runId = (await runOk(['runs', 'log', '-p', 'a=1'], { env: { ...env(), MLFLOW_EXPERIMENT_NAME: 'from-env' } })).stdout.trim();
      await runOk(['runs', 'log', '-m', 'm=2', '--end'], { env: { ...env(), MLFLOW_RUN_ID: runId, MLFLOW_EXPERIMENT_NAME: 'other' } });
      const run = await runJson(['runs', 'describe', runId], { env: env() });
      expect(run.info.status).toBe('FINISHED');
      expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'm', value: 2 })]);
      const exp = await runJson(['experiments', 'describe', '--experiment-name', 'from-env'], { env: env() });
      expect(run.info.experiment_id).toBe(exp.experiment_id);
      const other = await runJson(['runs', 'log', '--experiment-id', '0'], { env: { ...env(), MLFLOW_EXPERIMENT_NAME: 'from-env' } });
      expect(other.info.experiment_id).toBe('0');
      const missing = await runCli(['experiments', 'describe', '-n', 'other'], { env: env() });
      expect(missing.code).toBe(1);
    });

    it('prints the whole run in MLflow runs/get shape with --json', async () => {
      const run = await runJson(['runs', 'log', '--experiment-name', 'json', '-p', 'a=1', '-m', 'm=NaN', '--no-source-tags'], { env: env() });
      expect(Object.keys(run)).toEqual(['info', 'data', 'inputs']);
      expect(Object.keys(run.info)).toEqual(
        expect.arrayContaining(['run_uuid', 'experiment_id', 'run_name', 'user_id', 'status', 'start_time', 'artifact_uri', 'lifecycle_stage', 'run_id']),
      );
      expect(run.data.metrics[0].value).toBe('NaN');
      expect(run.data.tags.map((t: { key: string }) => t.key)).toEqual(['mlflow.runName']);
      const described = await runJson(['runs', 'describe', '--run-id', run.info.run_id], { env: env() });
      expect(described).toEqual(run);
    });

    it('reads params, metrics with histories and tags from a YAML file and from stdin', async () => {
      const f = path.join(s.dir, 'log.yaml');
      fs.writeFileSync(f, 'params:\n  lr: 0.1\n  opt: adam\nmetrics:\n  loss: [3, 2, 1]\n  acc: { value: 0.7, step: 4 }\ntags:\n  src: yaml\n');
      const runId = await log(['--experiment-name', 'files', '--file', f]);
      await runOk(['runs', 'log', '--run-id', runId, '-'], { env: env(), input: '{"metrics": [{"key": "acc", "value": 0.8, "step": 5, "timestamp": 123}], "tags": {"stdin": "yes"}}' });
      const run = await runJson(['runs', 'describe', runId], { env: env() });
      expect(run.data.params).toEqual([
        { key: 'lr', value: '0.1' },
        { key: 'opt', value: 'adam' },
      ]);
      expect(run.data.metrics).toEqual([
        { key: 'acc', value: 0.8, step: 5, timestamp: 123 },
        { key: 'loss', value: 1, step: 2, timestamp: expect.any(Number) },
      ]);
      expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 'src', value: 'yaml' }, { key: 'stdin', value: 'yes' }]));
    });

    it("splits more than MLflow's batch limits into several batches by itself", async () => {
      const doc = {
        params: Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, i])),
        metrics: { curve: Array.from({ length: 2500 }, (_, i) => i / 10) },
        tags: Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`t${i}`, 'x'])),
      };
      const runId = (await runOk(['runs', 'log', '--experiment-name', 'big', '--file', '-'], { env: env(), input: JSON.stringify(doc) })).stdout.trim();
      const store = await openTrackingStore(s.uri);
      const run = await store.getRun(runId);
      const history = await store.getMetricHistory(runId, 'curve');
      await store.close();
      expect(run.data.params).toHaveLength(250);
      expect(run.data.tags.filter((t) => t.key.startsWith('t'))).toHaveLength(120);
      expect(history).toHaveLength(2500);
      expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'curve', step: 2499, value: 249.9 })]);
    });

    describe('refuses bad input with one line on stderr, a non-zero exit and nothing written', () => {
      let existing: string;
      beforeAll(async () => {
        existing = await log(['--experiment-name', 'bad', '-p', 'a=1', '-m', 'm=1']);
      });

      const cases: [string, () => string[], number, RegExp][] = [
        ['a malformed k=v', () => ['--experiment-name', 'bad-new', '-p', 'ok=1', '-p', 'novalue'], 2, /^Error: Invalid --param 'novalue': expected KEY=VALUE$/],
        ['a metric value that is not a number', () => ['--experiment-name', 'bad-new', '-m', 'loss=1', '-m', 'acc=high'], 2, /^Error: Invalid value 'high' for metric 'acc': expected a number$/],
        ['a key MLflow forbids', () => ['--experiment-name', 'bad-new', '-p', 'ok=1', '-t', 'bad*key=1'], 2, /^Error: Invalid value "bad\*key" for parameter 'key' supplied: Names may only contain/],
        ['a key that resolves to another path', () => ['--run-id', existing, '-m', 'a/../b=1'], 2, /must not resolve to other names/],
        ['an unknown run', () => ['--run-id', 'f'.repeat(32), '-p', 'x=1'], 1, /^Error: Run .*f{32}.* not found/],
        ['a changed param on an existing run (with other good values)', () => ['--run-id', existing, '-m', 'm=2', '-p', 'a=2'], 2, /^Error: Changing param values is not allowed\. Params were already logged='\[\{'key': 'a', 'old_value': '1', 'new_value': '2'\}\]'/],
        ['a param given twice with different values', () => ['--experiment-name', 'bad-new', '-p', 'a=1', '-p', 'a=2'], 2, /^Error: Duplicate parameter keys have been submitted: \['a'\]/],
        ['a bad step', () => ['--run-id', existing, '-m', 'm=1@1.5'], 2, /^Error: Invalid step '1.5'/],
        ['a bad --status', () => ['--run-id', existing, '--status', 'DONE'], 2, /^Error: Expected --status=DONE to be one of: FINISHED, FAILED, KILLED/],
        ['an unknown flag', () => ['--run-id', existing, '--paramz', 'a=1'], 2, /^Error: Nonexistent flag: --paramz/],
        ['a file with an unknown field', () => ['--run-id', existing, '--file', '-'], 2, /^Error: Invalid run-log input from stdin: unknown field 'metric'/],
      ];

      for (const [what, args, code, message] of cases) {
        it(what, async () => {
          const before = await snapshot(s.uri);
          const r = await runCli(['runs', 'log', ...args()], { env: env(), input: '{"metric": {"a": 1}}' });
          expect(r.code).toBe(code);
          expect(r.stdout).toBe('');
          expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
          expect(r.stderr.trimEnd()).toMatch(message);
          expect(await snapshot(s.uri)).toEqual(before);
        });
      }

      it('refuses to log to a deleted run', async () => {
        const runId = await log(['--experiment-name', 'bad', '-p', 'z=1']);
        await runOk(['runs', 'delete', runId], { env: env() });
        const before = await snapshot(s.uri);
        const r = await runCli(['runs', 'log', '--run-id', runId, '-m', 'x=1'], { env: env() });
        expect(r.code).toBe(2);
        expect(r.stderr.trim()).toBe(`Error: The run ${runId} must be in the 'active' state. Current state is deleted.`);
        expect(await snapshot(s.uri)).toEqual(before);
      });
    });

    describe('list', () => {
      const ids: string[] = [];
      beforeAll(async () => {
        for (let i = 0; i < 5; i++) {
          ids.push(await log(['--experiment-name', 'sweep', '--run-name', `r${i}`, '-p', `lr=0.${i}`, '-m', `loss=${i}`, '-t', `parity=${i % 2 ? 'odd' : 'even'}`, '--no-source-tags']));
        }
      });

      it('filters and orders with MLflow search grammar', async () => {
        const res = await runJson(['runs', 'list', '-n', 'sweep', '--filter', "metrics.loss < 4 and tags.parity = 'even'", '--order-by', 'metrics.loss DESC'], { env: env() });
        expect(res.runs.map((r: any) => r.info.run_name)).toEqual(['r2', 'r0']);
        const asc = await runJson(['runs', 'list', '-n', 'sweep', '--order-by', 'params.lr ASC'], { env: env() });
        expect(asc.runs.map((r: any) => r.info.run_name)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
      });

      it('pages over more than one page with --page-token, and --all follows every page', async () => {
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const res = await runJson(['runs', 'list', '-n', 'sweep', '--max-results', '2', ...(token ? ['--page-token', token] : [])], { env: env() });
          seen.push(...res.runs.map((r: any) => r.info.run_id));
          token = res.next_page_token;
          pages++;
        } while (token && pages < 10);
        expect(pages).toBeGreaterThanOrEqual(3);
        expect([...seen].sort()).toEqual([...ids].sort());
        const all = await runJson(['runs', 'list', '-n', 'sweep', '--max-results', '2', '--all'], { env: env() });
        expect(all.runs.map((r: any) => r.info.run_id)).toEqual(seen);
        expect(all.next_page_token).toBeUndefined();
      });

      it('tells where the next page is on stderr, keeping stdout a clean table', async () => {
        const r = await runOk(['runs', 'list', '-n', 'sweep', '--max-results', '2'], { env: env() });
        expect(r.stdout.trim().split('\n')).toHaveLength(3);
        expect(r.stderr).toMatch(/^More runs: --page-token \S+/);
      });

      it('prints a table with extra columns and no colour in a pipe', async () => {
        const r = await runOk(['runs', 'list', '-n', 'sweep', '--columns', 'metrics.loss,params.lr', '-c', 'tags.parity', '--order-by', 'metrics.loss'], { env: { ...env(), FORCE_COLOR: undefined } });
        const lines = r.stdout.trimEnd().split('\n');
        expect(lines[0]).toMatch(/^Start Time\s+Run Name\s+Run ID\s+Status\s+Duration\s+metrics\.loss\s+params\.lr\s+tags\.parity$/);
        expect(lines).toHaveLength(6);
        expect(lines[1]).toMatch(new RegExp(`r0\\s+${ids[0]}\\s+RUNNING\\s+0\\s+0\\.0\\s+even$`));
        expect(r.stdout).not.toMatch(/\x1b\[/);
      });

      it('writes CSV that parses back to the same runs', async () => {
        const r = await runOk(['runs', 'list', '-n', 'sweep', '--csv', '-c', 'metrics.loss,params.lr', '--order-by', 'metrics.loss'], { env: env() });
        const rows = parseCsv(r.stdout.trimEnd());
        expect(rows[0]).toEqual(['run_id', 'run_name', 'experiment_id', 'status', 'start_time', 'end_time', 'lifecycle_stage', 'metrics.loss', 'params.lr']);
        expect(rows.slice(1).map((row) => [row[0], row[1], row[7], row[8]])).toEqual(ids.map((id, i) => [id, `r${i}`, String(i), `0.${i}`]));
        expect(new Date(rows[1]![4]!).getTime()).toBeGreaterThan(0);
      });

      it('says so when nothing matches, in every format', async () => {
        const args = ['runs', 'list', '-n', 'sweep', '--filter', 'metrics.loss > 100'];
        expect((await runOk(args, { env: env() })).stdout.trim()).toBe('No runs found.');
        expect(await runJson(args, { env: env() })).toEqual({ runs: [] });
        expect((await runOk([...args, '--csv'], { env: env() })).stdout.trim()).toBe('run_id,run_name,experiment_id,status,start_time,end_time,lifecycle_stage');
      });

      it('lists deleted runs with --view, and restores them', async () => {
        const victim = ids[4]!;
        expect((await runOk(['runs', 'delete', '--run-id', victim], { env: env() })).stdout.trim()).toBe(`Run with ID ${victim} has been deleted.`);
        const deleted = await runJson(['runs', 'list', '-n', 'sweep', '--view', 'deleted_only'], { env: env() });
        expect(deleted.runs.map((r: any) => r.info.run_id)).toEqual([victim]);
        const active = await runJson(['runs', 'list', '-n', 'sweep'], { env: env() });
        expect(active.runs).toHaveLength(4);
        const restored = await runOk(['runs', 'restore', victim], { env: env() });
        expect(restored.stdout.trim()).toBe(`Run with id ${victim} has been restored.`);
        const back = await runJson(['runs', 'restore', victim], { env: env() });
        expect(back.info.lifecycle_stage).toBe('active');
      });

      it('refuses a bad filter, column or unknown experiment', async () => {
        const bad = await runCli(['runs', 'list', '-n', 'sweep', '--filter', 'metrics.loss <'], { env: env() });
        expect(bad.code).toBe(2);
        expect(bad.stderr.trim().split('\n')).toHaveLength(1);
        const col = await runCli(['runs', 'list', '-n', 'sweep', '-c', 'loss'], { env: env() });
        expect(col.code).toBe(2);
        expect(col.stderr.trim()).toBe("Error: Invalid column 'loss': expected metrics.KEY, params.KEY or tags.KEY (or metrics.*, params.*, tags.*)");
        const missing = await runCli(['runs', 'list', '-n', 'nope'], { env: env() });
        expect(missing.code).toBe(1);
        expect(missing.stderr.trim()).toBe("Error: Could not find experiment with name 'nope'");
      });
    });
  });
}
