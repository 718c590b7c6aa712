// One run: overview (status, times, user, source, git commit), params, editable tags, datasets,
// logged models, metric history charts and the artifact browser.
import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { WhenVisible, ErrorBox, isNotFound, KeyValueTable, Loading, NotFound, Tabs, useAsync } from '../common';
import { fmtDuration, fmtNum, fmtTime, kv } from '../format';
import { href } from '../router';
import { ChartControls, MetricChart, type ChartOptions } from '../chart';
import { Artifacts } from './artifacts';

/** A metric's whole history, page by page (the server caps a page at 25,000 points). */
export async function metricHistory(runId: string, key: string): Promise<any[]> {
  const out: any[] = [];
  let token: string | undefined;
  do {
    const r = await get('metrics/get-history', { run_id: runId, metric_key: key, max_results: 25000, page_token: token });
    out.push(...(r.metrics ?? []));
    token = r.next_page_token;
  } while (token);
  return out;
}

function TagEditor({ runId, tags, onChange }: { runId: string; tags: Record<string, string>; onChange: () => void }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<Error>();
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      onChange();
    } catch (e) {
      setError(e as Error);
    }
  };
  const visible = Object.entries(tags).filter(([k]) => !k.startsWith('mlflow.'));
  return (
    <div>
      <table class="kv">
        <caption class="sr-only">Tags</caption>
        <tbody>
          {visible.map(([k, v]) => (
            <tr>
              <th scope="row">{k}</th>
              <td>{v}</td>
              <td>
                <button class="danger small" aria-label={`Delete tag ${k}`} onClick={() => act(() => post('runs/delete-tag', { run_id: runId, key: k }))}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          act(() => post('runs/set-tag', { run_id: runId, key, value })).then(() => {
            setKey('');
            setValue('');
          });
        }}
      >
        <label>
          Tag key <input value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} required />
        </label>
        <label>
          Value <input value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Set tag</button>
      </form>
      <ErrorBox error={error} />
    </div>
  );
}

function MetricPanel({ runId, metricKey, opts }: { runId: string; metricKey: string; opts: ChartOptions }) {
  const h = useAsync(() => metricHistory(runId, metricKey), [runId, metricKey]);
  if (h.error) return <ErrorBox error={h.error} />;
  if (!h.data) return <Loading />;
  return <MetricChart title={metricKey} series={[{ label: metricKey, points: h.data.map((m) => ({ step: Number(m.step), timestamp: Number(m.timestamp), value: Number(m.value) })) }]} opts={opts} />;
}

export function Metrics({ runId, keys }: { runId: string; keys: string[] }) {
  const [opts, setOpts] = useState<ChartOptions>({ xAxis: 'step', logY: false, smoothing: 0 });
  if (!keys.length) return <p class="muted">No metrics.</p>;
  return (
    <div>
      <ChartControls opts={opts} onChange={setOpts} />
      <div class="charts">
        {keys.map((k) => (
          <WhenVisible key={k}>
            <MetricPanel runId={runId} metricKey={k} opts={opts} />
          </WhenVisible>
        ))}
      </div>
    </div>
  );
}

/** Renaming sets the run's name (runs/update), which MLflow mirrors in the mlflow.runName tag. */
function RenameRun({ runId, name, onDone }: { runId: string; name: string; onDone: () => void }) {
  const [value, setValue] = useState<string>();
  const [error, setError] = useState<Error>();
  if (value === undefined) return <button class="small" onClick={() => setValue(name)}>Rename run</button>;
  return (
    <form
      class="inline"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(undefined);
        try {
          await post('runs/update', { run_id: runId, run_name: value });
          setValue(undefined);
          onDone();
        } catch (err) {
          setError(err as Error);
        }
      }}
    >
      <label>
        Run name <input value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} required />
      </label>
      <button type="submit">Save name</button>
      <button type="button" onClick={() => setValue(undefined)}>
        Cancel
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

function loggedModels(tags: Record<string, string>): any[] {
  try {
    const h = JSON.parse(tags['mlflow.log-model.history'] ?? '[]');
    return Array.isArray(h) ? h : [];
  } catch {
    return [];
  }
}

export function RunView({ experimentId, runId, tab }: { experimentId: string; runId: string; tab?: string }) {
  const r = useAsync(() => get('runs/get', { run_id: runId }), [runId]);
  const expName = useAsync(() => get('experiments/get', { experiment_id: experimentId }).then((e) => e.experiment?.name as string), [experimentId]);
  const [current, setCurrent] = useState(tab === 'artifacts' ? 'Artifacts' : tab === 'metrics' ? 'Metrics' : 'Overview');
  if (isNotFound(r.error)) return <NotFound what={`No run with ID ${runId}.`} />;
  if (r.error) return <ErrorBox error={r.error} />;
  if (!r.data) return <Loading />;
  const run = r.data.run;
  const info = run.info;
  const tags = kv(run.data?.tags);
  const params = run.data?.params ?? [];
  const metrics = run.data?.metrics ?? [];
  const datasets = run.inputs?.dataset_inputs ?? [];
  const models = loggedModels(tags);
  const expId = info.experiment_id ?? experimentId;
  return (
    <section aria-labelledby="run-h">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.experiments()}>Experiments</a> / <a href={href.runs(expId)}>{expName.data ?? `Experiment ${expId}`}</a> / <span>{info.run_name || runId}</span>
      </nav>
      <h1 id="run-h">{info.run_name || runId}</h1>
      <RenameRun runId={runId} name={info.run_name ?? ''} onDone={r.reload} />
      <Tabs tabs={['Overview', 'Metrics', 'Artifacts']} current={current} onSelect={setCurrent} />
      {current === 'Overview' ? (
        <div class="overview">
          <KeyValueTable
            caption="Overview"
            rows={[
              ['Run ID', <span class="mono">{info.run_id}</span>],
              ['Status', <span class={`status ${info.status}`}>{info.status}</span>],
              ['Lifecycle', info.lifecycle_stage],
              ['Started', fmtTime(info.start_time)],
              ['Ended', fmtTime(info.end_time)],
              ['Duration', fmtDuration(info.start_time, info.end_time)],
              ['User', info.user_id || tags['mlflow.user'] || '—'],
              ['Source', tags['mlflow.source.name'] ? `${tags['mlflow.source.name']} (${tags['mlflow.source.type'] ?? ''})` : '—'],
              ['Git commit', <span class="mono">{tags['mlflow.source.git.commit'] || '—'}</span>],
              ['Parent run', tags['mlflow.parentRunId'] ? <a href={href.run(expId, tags['mlflow.parentRunId'])}>{tags['mlflow.parentRunId']}</a> : '—'],
              ['Artifact URI', <span class="mono">{info.artifact_uri}</span>],
            ]}
          />
          {tags['mlflow.note.content'] ? (
            <>
              <h2>Description</h2>
              <p class="note">{tags['mlflow.note.content']}</p>
            </>
          ) : null}
          <h2>Parameters ({params.length})</h2>
          <KeyValueTable caption="Parameters" rows={params.map((p: any) => [p.key, p.value])} />
          <h2>Metrics ({metrics.length})</h2>
          <KeyValueTable caption="Metrics" rows={metrics.map((m: any) => [m.key, <span class="num">{fmtNum(m.value)}</span>])} />
          <h2>Tags</h2>
          <TagEditor runId={runId} tags={tags} onChange={r.reload} />
          <h2>Datasets ({datasets.length})</h2>
          {datasets.length ? (
            <table class="grid" aria-label="Datasets">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Digest</th>
                  <th scope="col">Source type</th>
                  <th scope="col">Context</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {datasets.map((d: any) => (
                  <tr>
                    <td>{d.dataset?.name}</td>
                    <td class="mono">{d.dataset?.digest}</td>
                    <td>{d.dataset?.source_type}</td>
                    <td>{kv(d.tags)['mlflow.data.context'] ?? ''}</td>
                    <td class="mono">{d.dataset?.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">No datasets.</p>
          )}
          <h2>Logged models ({models.length})</h2>
          {models.length ? (
            <ul>
              {models.map((m) => (
                <li>
                  <strong>{m.artifact_path}</strong> — {Object.keys(m.flavors ?? {}).join(', ')} {m.utc_time_created ? `(${m.utc_time_created})` : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">No logged models.</p>
          )}
        </div>
      ) : current === 'Metrics' ? (
        <Metrics runId={runId} keys={metrics.map((m: any) => m.key)} />
      ) : (
        <Artifacts runId={runId} artifactUri={info.artifact_uri} />
      )}
    </section>
  );
}
