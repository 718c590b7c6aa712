// An experiment's runs: MLflow's filter grammar, sort by any column, chosen param/metric/tag
// columns, server-side paging (only one page is ever loaded), bulk delete/restore, compare, CSV.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, post } from '../api';
import { ErrorBox, isNotFound, Loading, NotFound, useAsync } from '../common';
import { csvCell, download, fmtDuration, fmtNum, fmtTime, kv } from '../format';
import { href, replaceQuery } from '../router';

interface Col {
  kind: 'attr' | 'params' | 'metrics' | 'tags';
  key: string;
  label: string;
}
const ATTRS: Col[] = [
  { kind: 'attr', key: 'run_name', label: 'Run name' },
  { kind: 'attr', key: 'start_time', label: 'Created' },
  { kind: 'attr', key: 'duration', label: 'Duration' },
  { kind: 'attr', key: 'user_id', label: 'User' },
  { kind: 'attr', key: 'status', label: 'Status' },
];
const PAGE_SIZES = [25, 100, 500];

/** MLflow's order_by for a column; duration is not sortable server-side. */
function orderKey(c: Col): string | undefined {
  if (c.kind === 'attr') return c.key === 'duration' ? undefined : c.key === 'run_name' ? 'attributes.run_name' : `attributes.${c.key}`;
  return `${c.kind}.\`${c.key}\``;
}

function cellValue(run: any, c: Col): string {
  const i = run.info;
  if (c.kind === 'attr') {
    if (c.key === 'start_time') return fmtTime(i.start_time);
    if (c.key === 'duration') return fmtDuration(i.start_time, i.end_time);
    return String(i[c.key] ?? '');
  }
  const v = kv(run.data?.[c.kind])[c.key];
  return v === undefined ? '' : c.kind === 'metrics' ? fmtNum(v) : String(v);
}

export function RunsView({ experimentId, query }: { experimentId: string; query?: URLSearchParams }) {
  const exp = useAsync(() => get('experiments/get', { experiment_id: experimentId }), [experimentId]);
  // Filter and sort live in the URL with MLflow's UI parameter names, so a view can be bookmarked.
  const [filterText, setFilterText] = useState(query?.get('searchFilter') ?? '');
  const [filter, setFilter] = useState(query?.get('searchFilter') ?? '');
  const [order, setOrder] = useState<{ key: string; asc: boolean }>({
    key: query?.get('orderByKey') || 'attributes.start_time',
    asc: query?.get('orderByAsc') === 'true',
  });
  useEffect(() => replaceQuery({ searchFilter: filter, orderByKey: order.key, orderByAsc: String(order.asc) }), [filter, order.key, order.asc]);
  const [pageSize, setPageSize] = useState(100);
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [deleted, setDeleted] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [chosen, setChosen] = useState<Set<string> | undefined>();
  const [actionError, setActionError] = useState<Error>();
  const token = tokens[tokens.length - 1];

  const page = useAsync(
    () =>
      post('runs/search', {
        experiment_ids: [experimentId],
        filter,
        run_view_type: deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
        max_results: pageSize,
        order_by: [`${order.key} ${order.asc ? 'ASC' : 'DESC'}`],
        page_token: token,
      }),
    [experimentId, filter, deleted, pageSize, order.key, order.asc, token],
  );
  const runs: any[] = page.data?.runs ?? [];

  // Columns on offer: the keys present in this page (a 100,000-run experiment is never scanned whole).
  const available = useMemo(() => {
    const seen = { params: new Set<string>(), metrics: new Set<string>(), tags: new Set<string>() };
    for (const r of runs) {
      for (const m of r.data?.metrics ?? []) seen.metrics.add(m.key);
      for (const p of r.data?.params ?? []) seen.params.add(p.key);
      for (const t of r.data?.tags ?? []) if (!t.key.startsWith('mlflow.')) seen.tags.add(t.key);
    }
    const cols: Col[] = [];
    for (const kind of ['metrics', 'params', 'tags'] as const) for (const key of [...seen[kind]].sort()) cols.push({ kind, key, label: key });
    return cols;
  }, [runs]);
  const id = (c: Col) => `${c.kind}.${c.key}`;
  const shown = chosen ?? new Set(available.filter((c) => c.kind !== 'tags').slice(0, 8).map(id));
  const columns = [...ATTRS, ...available.filter((c) => shown.has(id(c)))];

  const resetPaging = () => {
    setTokens([undefined]);
    setSelected(new Set());
  };
  const sortBy = (c: Col) => {
    const key = orderKey(c);
    if (!key) return;
    setOrder((o) => ({ key, asc: o.key === key ? !o.asc : false }));
    resetPaging();
  };
  const bulk = async (endpoint: string) => {
    setActionError(undefined);
    try {
      for (const run_id of selected) await post(endpoint, { run_id });
      setSelected(new Set());
      page.reload();
    } catch (e) {
      setActionError(e as Error);
    }
  };
  const csv = () => {
    const lines = [['run_id', ...columns.map((c) => (c.kind === 'attr' ? c.key : `${c.kind}.${c.key}`))].map(csvCell).join(',')];
    for (const r of runs) lines.push([r.info.run_id, ...columns.map((c) => cellValue(r, c))].map(csvCell).join(','));
    download(`runs-${experimentId}.csv`, lines.join('\n') + '\n');
  };

  if (isNotFound(exp.error)) return <NotFound what={`No experiment with ID ${experimentId}.`} />;
  const name = exp.data?.experiment?.name ?? experimentId;
  return (
    <section aria-labelledby="runs-h">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.experiments()}>Experiments</a> / <span>{name}</span>
      </nav>
      <h1 id="runs-h">{name}</h1>
      <ErrorBox error={exp.error} />
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(filterText.trim());
          resetPaging();
          page.reload(); // Search again even when the filter is unchanged (new runs, or a retry).
        }}
      >
        <label class="grow">
          Filter runs{' '}
          <input
            class="filter"
            value={filterText}
            onInput={(e) => setFilterText((e.target as HTMLInputElement).value)}
            placeholder="metrics.rmse < 1 and params.model = 'tree'"
            aria-describedby="filter-error"
            aria-invalid={!!page.error}
          />
        </label>
        <button type="submit">Search</button>
        <label>
          <input
            type="checkbox"
            checked={deleted}
            onChange={(e) => {
              setDeleted((e.target as HTMLInputElement).checked);
              resetPaging();
            }}
          />{' '}
          Deleted runs
        </label>
      </form>
      <div id="filter-error">
        <ErrorBox error={page.error} />
      </div>
      <details class="columns">
        <summary>Columns ({shown.size} chosen)</summary>
        <fieldset>
          <legend class="sr-only">Columns to show</legend>
          {available.map((c) => (
            <label class="col-choice">
              <input
                type="checkbox"
                checked={shown.has(id(c))}
                onChange={(e) => {
                  const next = new Set(shown);
                  if ((e.target as HTMLInputElement).checked) next.add(id(c));
                  else next.delete(id(c));
                  setChosen(next);
                }}
              />{' '}
              <span class={`badge ${c.kind}`}>{c.kind.slice(0, -1)}</span> {c.key}
            </label>
          ))}
        </fieldset>
      </details>
      <div class="toolbar">
        <span class="muted">{selected.size} selected</span>
        {deleted ? (
          <button disabled={!selected.size} onClick={() => bulk('runs/restore')}>
            Restore
          </button>
        ) : (
          <button class="danger" disabled={!selected.size} onClick={() => confirm(`Delete ${selected.size} run(s)?`) && bulk('runs/delete')}>
            Delete
          </button>
        )}
        <a
          class={selected.size >= 2 && selected.size <= 10 ? 'button' : 'button disabled'}
          aria-disabled={!(selected.size >= 2 && selected.size <= 10)}
          href={selected.size >= 2 && selected.size <= 10 ? href.compare([...selected]) : undefined}
        >
          Compare
        </a>
        <button onClick={csv} disabled={!runs.length}>
          Download CSV
        </button>
      </div>
      <ErrorBox error={actionError} />
      {page.loading && !page.data ? <Loading /> : null}
      <div class="table-wrap">
        <table class="grid runs" aria-label="Runs" aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select all runs on this page"
                  checked={runs.length > 0 && runs.every((r) => selected.has(r.info.run_id))}
                  onChange={(e) => setSelected((e.target as HTMLInputElement).checked ? new Set(runs.map((r) => r.info.run_id)) : new Set())}
                />
              </th>
              {columns.map((c) => {
                const key = orderKey(c);
                const dir = key && order.key === key ? (order.asc ? 'ascending' : 'descending') : undefined;
                return (
                  <th scope="col" aria-sort={dir ?? 'none'} class={c.kind}>
                    {key ? (
                      <button class="sort" onClick={() => sortBy(c)} aria-label={`Sort by ${c.label}`}>
                        {c.label} {dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : ''}
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.info.run_id} class={selected.has(r.info.run_id) ? 'selected' : undefined}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${r.info.run_name || r.info.run_id}`}
                    checked={selected.has(r.info.run_id)}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if ((e.target as HTMLInputElement).checked) next.add(r.info.run_id);
                      else next.delete(r.info.run_id);
                      setSelected(next);
                    }}
                  />
                </td>
                {columns.map((c) =>
                  c.key === 'run_name' && c.kind === 'attr' ? (
                    <td>
                      <a href={href.run(experimentId, r.info.run_id)}>{r.info.run_name || r.info.run_id}</a>
                    </td>
                  ) : (
                    <td class={c.kind === 'metrics' ? 'num' : undefined}>{cellValue(r, c)}</td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {page.data && runs.length === 0 ? <p class="muted">No runs{filter ? ' match the filter' : ''}.</p> : null}
      <nav class="pager" aria-label="Pages">
        <button disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>
          ← Previous
        </button>
        <span>Page {tokens.length}</span>
        <button disabled={!page.data?.next_page_token} onClick={() => setTokens([...tokens, page.data.next_page_token])}>
          Next →
        </button>
        <label>
          Rows per page{' '}
          <select
            value={pageSize}
            onChange={(e) => {
              setPageSize(Number((e.target as HTMLSelectElement).value));
              resetPaging();
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option value={n}>{n}</option>
            ))}
          </select>
        </label>
      </nav>
    </section>
  );
}
