// Metric charts with uPlot: one or more series over step or wall time, linear or log y, with
// exponential-moving-average smoothing as MLflow's UI has it.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';

export interface Point {
  step: number;
  timestamp: number;
  value: number;
}
export interface Series {
  label: string;
  points: Point[];
}
export interface ChartOptions {
  xAxis: 'step' | 'time';
  logY: boolean;
  /** 0 (none) … 0.99 (heavy). */
  smoothing: number;
}

const COLORS = ['#2b6cb0', '#c05621', '#2f855a', '#b83280', '#6b46c1', '#c53030', '#2c7a7b', '#975a16', '#4a5568', '#d69e2e'];

export function smooth(values: number[], weight: number): number[] {
  if (weight <= 0) return values;
  const out = new Array<number>(values.length);
  let last = NaN;
  let debias = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = Number.isNaN(last) ? 0 : last;
    last = last * weight + (1 - weight) * v;
    debias = debias * weight + (1 - weight);
    out[i] = last / debias;
  }
  return out;
}

/** Aligns series onto one sorted x axis (uPlot's data shape); gaps are null. */
export function align(series: Series[], opts: ChartOptions): uPlot.AlignedData {
  const xOf = (p: Point) => (opts.xAxis === 'step' ? p.step : p.timestamp / 1000);
  if (series.length === 1) {
    const pts = [...series[0]!.points].sort((a, b) => xOf(a) - xOf(b));
    return [pts.map(xOf), smooth(pts.map((p) => p.value), opts.smoothing)];
  }
  const xs = new Set<number>();
  for (const s of series) for (const p of s.points) xs.add(xOf(p));
  const x = [...xs].sort((a, b) => a - b);
  const idx = new Map(x.map((v, i) => [v, i]));
  const ys = series.map((s) => {
    const y: (number | null)[] = new Array(x.length).fill(null);
    const pts = [...s.points].sort((a, b) => xOf(a) - xOf(b));
    const sm = smooth(pts.map((p) => p.value), opts.smoothing);
    pts.forEach((p, i) => (y[idx.get(xOf(p))!] = sm[i]!));
    return y;
  });
  return [x, ...ys] as uPlot.AlignedData;
}

export function MetricChart({ title, series, opts, height = 260 }: { title: string; series: Series[]; opts: ChartOptions; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const t0 = performance.now();
    const data = align(series, opts);
    const positive = !opts.logY || data.slice(1).every((ys) => (ys as (number | null)[]).every((v) => v === null || v > 0));
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height,
        title,
        scales: { x: { time: opts.xAxis === 'time' }, y: { distr: opts.logY && positive ? 3 : 1 } },
        axes: [{ stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.2)' } }, { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.2)' } }],
        series: [{ label: opts.xAxis === 'step' ? 'step' : 'time' }, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true }))],
      },
      data,
      el,
    );
    // Draw time up to the next frame (uPlot finishes its draw in a microtask before it), read by
    // the browser tests and the bench.
    const frame = requestAnimationFrame(() => {
      el.dataset.drawMs = (performance.now() - t0).toFixed(1);
      el.dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
    });
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      ro.disconnect();
      plot.destroy();
    };
  }, [series, opts.xAxis, opts.logY, opts.smoothing, title, height]);
  return <div class="chart" ref={box} role="img" aria-label={`Chart of ${title}`} />;
}

export function ChartControls({ opts, onChange }: { opts: ChartOptions; onChange: (o: ChartOptions) => void }) {
  return (
    <div class="controls">
      <label>
        X axis{' '}
        <select value={opts.xAxis} onChange={(e) => onChange({ ...opts, xAxis: (e.target as HTMLSelectElement).value as 'step' | 'time' })}>
          <option value="step">Step</option>
          <option value="time">Time</option>
        </select>
      </label>
      <label>
        <input type="checkbox" checked={opts.logY} onChange={(e) => onChange({ ...opts, logY: (e.target as HTMLInputElement).checked })} /> Log scale
      </label>
      <label>
        Smoothing{' '}
        <input
          type="range"
          min="0"
          max="0.99"
          step="0.01"
          value={opts.smoothing}
          onInput={(e) => onChange({ ...opts, smoothing: Number((e.target as HTMLInputElement).value) })}
        />{' '}
        {opts.smoothing.toFixed(2)}
      </label>
    </div>
  );
}
