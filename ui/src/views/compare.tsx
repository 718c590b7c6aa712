// Comparing 2–10 runs: params, metrics and tags side by side (differences highlighted) and
// overlaid metric history charts.
import { useState } from 'preact/hooks';
import { get } from '../api';
import { WhenVisible, ErrorBox, Loading, useAsync } from '../common';
import { fmtNum, kv } from '../format';
import { href } from '../router';
import { ChartControls, MetricChart, type ChartOptions } from '../chart';
import { metricHistory } from './run';

function Overlay({ runs, metricKey, opts }: { runs: any[]; metricKey: string; opts: ChartOptions }) {
  const h = useAsync(
    () =>
      Promise.all(
        runs.map(async (r) => ({
          label: r.info.run_name || r.info.run_id,
          points: (await metricHistory(r.info.run_id, metricKey)).map((m) => ({ step: Number(m.step), timestamp: Number(m.timestamp), value: Number(m.value) })),
        })),
      ),
    [runs, metricKey],
  );
  if (h.error) return <ErrorBox error={h.error} />;
  if (!h.data) return <Loading />;
  return <MetricChart title={metricKey} series={h.data.filter((s) => s.points.length)} opts={opts} />;
}

function Section({ title, runs, kind, fmt }: { title: string; runs: any[]; kind: 'params' | 'metrics' | 'tags'; fmt?: (v: any) => string }) {
  const maps = runs.map((r) => kv(r.data?.[kind]));
  const keys = [...new Set(maps.flatMap((m) => Object.keys(m)))].filter((k) => !k.startsWith('mlflow.')).sort();
  const [onlyDiff, setOnlyDiff] = useState(false);
  const differs = (k: string) => new Set(maps.map((m) => m[k])).size > 1;
  const rows = keys.filter((k) => !onlyDiff || differs(k));
  return (
    <>
      <h2>
        {title} <label class="small-label"><input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff((e.target as HTMLInputElement).checked)} /> Only differences</label>
      </h2>
      {rows.length ? (
        <div class="table-wrap">
          <table class="grid compare" aria-label={title}>
            <thead>
              <tr>
                <th scope="col">{title}</th>
                {runs.map((r) => (
                  <th scope="col">{r.info.run_name || r.info.run_id}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((k) => (
                <tr class={differs(k) ? 'diff' : undefined}>
                  <th scope="row">{k}</th>
                  {maps.map((m) => (
                    <td>{m[k] === undefined ? '' : fmt ? fmt(m[k]) : String(m[k])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">None.</p>
      )}
    </>
  );
}

export function CompareView({ runIds }: { runIds: string[] }) {
  const ids = runIds.slice(0, 10);
  const data = useAsync(() => Promise.all(ids.map((id) => get('runs/get', { run_id: id }).then((r) => r.run))), [ids.join(',')]);
  const [opts, setOpts] = useState<ChartOptions>({ xAxis: 'step', logY: false, smoothing: 0 });
  if (ids.length < 2) return <ErrorBox error={{ message: 'Choose between 2 and 10 runs to compare.' }} />;
  if (data.error) return <ErrorBox error={data.error} />;
  if (!data.data) return <Loading />;
  const runs = data.data;
  const metricKeys = [...new Set(runs.flatMap((r) => (r.data?.metrics ?? []).map((m: any) => m.key)))].sort() as string[];
  return (
    <section aria-labelledby="cmp-h">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.experiments()}>Experiments</a> / <a href={href.runs(runs[0].info.experiment_id)}>Experiment {runs[0].info.experiment_id}</a> / <span>Compare</span>
      </nav>
      <h1 id="cmp-h">Comparing {runs.length} runs</h1>
      <p>
        {runs.map((r, i) => (
          <>
            {i ? ', ' : ''}
            <a href={href.run(r.info.experiment_id, r.info.run_id)}>{r.info.run_name || r.info.run_id}</a>
          </>
        ))}
      </p>
      <Section title="Parameters" runs={runs} kind="params" />
      <Section title="Metrics" runs={runs} kind="metrics" fmt={fmtNum} />
      <Section title="Tags" runs={runs} kind="tags" />
      <h2>Metric charts</h2>
      <ChartControls opts={opts} onChange={setOpts} />
      <div class="charts">
        {metricKeys.map((k) => (
          <WhenVisible key={k}>
            <Overlay runs={runs} metricKey={k} opts={opts} />
          </WhenVisible>
        ))}
      </div>
    </section>
  );
}
