// Hash routes, as MLflow's UI writes them (`#/experiments/1/runs/<id>`), so old bookmarks keep working.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { view: 'experiments' }
  | { view: 'runs'; experimentId: string; query: URLSearchParams }
  | { view: 'run'; experimentId: string; runId: string; tab?: string }
  | { view: 'compare'; runIds: string[] }
  | { view: 'models' }
  | { view: 'model'; name: string }
  | { view: 'version'; name: string; version: string }
  | { view: 'notfound'; path: string };

function parseJsonList(v: string | null): string[] {
  if (!v) return [];
  try {
    const x = JSON.parse(v);
    return Array.isArray(x) ? x.map(String) : [];
  } catch {
    return v.split(',').filter(Boolean);
  }
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [pathPart, queryPart = ''] = raw.split('?');
  const seg = pathPart!.split('/').filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(queryPart);
  if (seg.length === 0) return { view: 'experiments' };
  if (seg[0] === 'experiments') {
    if (seg.length === 1) return { view: 'experiments' };
    if (seg.length === 2) return { view: 'runs', experimentId: seg[1]!, query: q };
    if (seg[2] === 'runs' && seg[3]) return { view: 'run', experimentId: seg[1]!, runId: seg[3], tab: seg[4] };
  }
  if (seg[0] === 'compare-runs') return { view: 'compare', runIds: parseJsonList(q.get('runs')) };
  if (seg[0] === 'models') {
    if (seg.length === 1) return { view: 'models' };
    if (seg.length === 2) return { view: 'model', name: seg[1]! };
    if (seg[2] === 'versions' && seg[3]) return { view: 'version', name: seg[1]!, version: seg[3] };
  }
  return { view: 'notfound', path: raw };
}

export const href = {
  experiments: () => '#/',
  runs: (id: string) => `#/experiments/${encodeURIComponent(id)}`,
  run: (exp: string, run: string) => `#/experiments/${encodeURIComponent(exp)}/runs/${encodeURIComponent(run)}`,
  compare: (runIds: string[]) => `#/compare-runs?runs=${encodeURIComponent(JSON.stringify(runIds))}`,
  models: () => '#/models',
  model: (name: string) => `#/models/${encodeURIComponent(name)}`,
  version: (name: string, v: string) => `#/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(v)}`,
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Rewrites the current hash's query (no new history entry, no hashchange), so a view's state is bookmarkable. */
export function replaceQuery(params: Record<string, string | undefined>): void {
  const [pathPart] = location.hash.split('?');
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const qs = q.toString();
  history.replaceState(history.state, '', (pathPart || '#/') + (qs ? '?' + qs : ''));
}
