// Small pieces every view uses: loading a value, showing an error, the not-found page.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Async<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change (and on `reload`), keeping only the latest answer. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      // The last good value stays on screen beside the error (a bad filter, a server gone away).
      (e) => live && setState((s) => ({ data: s.data, error: e instanceof ApiError ? e : new ApiError(String(e?.message ?? e), 'ERROR', 0), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { ...state, reload };
}

export function ErrorBox({ error }: { error?: { message: string; code?: string } }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {error.code && error.code !== 'ERROR' ? <strong>{error.code}: </strong> : null}
      {error.message}
    </div>
  );
}

export function NotFound({ what }: { what: string }) {
  return (
    <section class="notfound" aria-labelledby="nf">
      <h1 id="nf">Not found</h1>
      <p>{what}</p>
      <p>
        <a href="#/">Back to the experiments</a>
      </p>
    </section>
  );
}

export function isNotFound(e?: ApiError): boolean {
  return !!e && (e.code === 'RESOURCE_DOES_NOT_EXIST' || e.status === 404);
}

export function Loading() {
  return (
    <p class="muted" aria-live="polite">
      Loading…
    </p>
  );
}

export function Tabs({ tabs, current, onSelect }: { tabs: string[]; current: string; onSelect: (t: string) => void }) {
  return (
    <div role="tablist" class="tabs">
      {tabs.map((t) => (
        <button role="tab" aria-selected={t === current} class={t === current ? 'tab active' : 'tab'} onClick={() => onSelect(t)}>
          {t}
        </button>
      ))}
    </div>
  );
}

export function KeyValueTable({ rows, caption, highlight }: { rows: [string, ComponentChildren][]; caption: string; highlight?: Set<string> }) {
  if (rows.length === 0) return <p class="muted">No {caption.toLowerCase()}.</p>;
  return (
    <table class="kv">
      <caption class="sr-only">{caption}</caption>
      <tbody>
        {rows.map(([k, v]) => (
          <tr class={highlight?.has(k) ? 'diff' : undefined}>
            <th scope="row">{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Renders `children` once the placeholder scrolls near the viewport: a run with 200 metrics fetches only the charts in view. */
export function WhenVisible({ children, minHeight = 300 }: { children: ComponentChildren; minHeight?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setSeen(true), { rootMargin: '400px' });
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  return <div ref={ref} style={seen ? undefined : { minHeight }}>{seen ? children : null}</div>;
}
