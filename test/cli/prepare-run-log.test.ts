import { describe, expect, it } from 'vitest';
import { prepareRunLog, runLogInputFromArgs, type RunLogInput } from '../../src/cli/log-run.js';
import { MlfError } from '../../src/lib/errors.js';

const base: RunLogInput = { params: [], metrics: [], tags: [], now: 1000 };

function refused(input: Partial<RunLogInput>): MlfError {
  try {
    prepareRunLog({ ...base, ...input });
  } catch (e) {
    expect(e).toBeInstanceOf(MlfError);
    return e as MlfError;
  }
  throw new Error('expected prepareRunLog to refuse');
}

describe('prepareRunLog', () => {
  it("refuses a key MLflow forbids, with MLflow's message", () => {
    const e = refused({ params: [{ key: 'bad!key', value: '1' }] });
    expect(e.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      `Invalid value "bad!key" for parameter 'key' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
    );
    expect(refused({ metrics: [{ key: '../up', value: 1, step: 0, timestamp: 1 }] }).message).toMatch(/must not resolve to other names/);
    expect(refused({ tags: [{ key: '', value: 'x' }] }).message).toMatch(/must not resolve/);
  });

  it('refuses a param given twice with different values, and keeps one of identical repeats', () => {
    expect(refused({ params: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }).message).toBe(
      "Duplicate parameter keys have been submitted: ['a']. Please ensure the request contains only one param value per param key.",
    );
    expect(prepareRunLog({ ...base, params: [{ key: 'a', value: '1' }, { key: 'a', value: '1' }] }).params).toEqual([{ key: 'a', value: '1' }]);
  });

  it('keeps the last value of a repeated tag', () => {
    expect(prepareRunLog({ ...base, tags: [{ key: 't', value: '1' }, { key: 'u', value: 'x' }, { key: 't', value: '2' }] }).tags).toEqual([
      { key: 'u', value: 'x' },
      { key: 't', value: '2' },
    ]);
  });

  it('refuses a malformed run id, a bad experiment id and a run name that contradicts the mlflow.runName tag', () => {
    expect(refused({ runId: 'no/slashes' }).message).toBe(`Invalid value "no/slashes" for parameter 'run_id' supplied.`);
    expect(refused({ experimentId: '../1' }).message).toBe("Invalid experiment ID: '../1'");
    expect(refused({ runName: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] }).message).toMatch(/^Both 'run_name' argument and 'mlflow.runName' tag/);
  });

  it('truncates an over-long param value with a warning, as MLflow does by default', () => {
    const warnings: string[] = [];
    const plan = prepareRunLog({ ...base, params: [{ key: 'p', value: 'x'.repeat(7000) }], onWarning: (m) => warnings.push(m) });
    expect(plan.params[0]!.value).toHaveLength(6000);
    expect(warnings).toHaveLength(1);
  });
});

describe('runLogInputFromArgs', () => {
  it('applies --step to metrics without their own step and stamps every point with one time', async () => {
    const input = await runLogInputFromArgs({ metrics: ['a=1', 'b=2@9'], step: 4, now: 77, env: {} });
    expect(input.metrics).toEqual([
      { key: 'a', value: 1, step: 4, timestamp: 77 },
      { key: 'b', value: 2, step: 9, timestamp: 77 },
    ]);
  });

  it("reads MLflow's env vars when no flag is given, name before id, and ignores them when resuming a run", async () => {
    const env = { MLFLOW_EXPERIMENT_NAME: 'n', MLFLOW_EXPERIMENT_ID: '5' };
    expect(await runLogInputFromArgs({ env })).toMatchObject({ experimentName: 'n', experimentId: undefined });
    expect(await runLogInputFromArgs({ env: { MLFLOW_EXPERIMENT_ID: '5' } })).toMatchObject({ experimentId: '5' });
    expect(await runLogInputFromArgs({ env, experimentId: '3' })).toMatchObject({ experimentId: '3', experimentName: undefined });
    expect(await runLogInputFromArgs({ env: { ...env, MLFLOW_RUN_ID: 'abc' } })).toMatchObject({
      runId: 'abc',
      experimentId: undefined,
      experimentName: undefined,
    });
  });
});
