// The Model Registry: registered models, a model's versions, aliases and tags, and a version's
// stage. Where the store has no registry the server's message is shown.
import { useState } from 'preact/hooks';
import { del, get, post } from '../api';
import { ErrorBox, isNotFound, KeyValueTable, Loading, NotFound, useAsync } from '../common';
import { fmtTime, kv } from '../format';
import { href } from '../router';

const STAGES = ['None', 'Staging', 'Production', 'Archived'];

export function ModelsView() {
  const [search, setSearch] = useState('');
  const list = useAsync(
    () => get('registered-models/search', { max_results: 1000, filter: search ? `name ILIKE '%${search.replace(/'/g, "''")}%'` : undefined }),
    [search],
  );
  return (
    <section aria-labelledby="models-h">
      <h1 id="models-h">Registered models</h1>
      <label>
        Search models <input type="search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
      </label>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? (
        (list.data.registered_models ?? []).length === 0 ? (
          <p class="muted">No registered models.</p>
        ) : (
          <table class="grid" aria-label="Registered models">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Latest versions</th>
                <th scope="col">Aliases</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.data.registered_models.map((m: any) => (
                <tr>
                  <td>
                    <a href={href.model(m.name)}>{m.name}</a>
                  </td>
                  <td>{(m.latest_versions ?? []).map((v: any) => `v${v.version} (${v.current_stage})`).join(', ')}</td>
                  <td>{(m.aliases ?? []).map((a: any) => `@${a.alias} → v${a.version}`).join(', ')}</td>
                  <td>{fmtTime(m.last_updated_timestamp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
}

export function ModelView({ name }: { name: string }) {
  const m = useAsync(() => get('registered-models/get', { name }), [name]);
  const versions = useAsync(() => get('model-versions/search', { filter: `name='${name.replace(/'/g, "''")}'`, max_results: 1000 }), [name]);
  const [alias, setAlias] = useState({ alias: '', version: '' });
  const [error, setError] = useState<Error>();
  if (isNotFound(m.error)) return <NotFound what={`No registered model named "${name}".`} />;
  if (m.error) return <ErrorBox error={m.error} />;
  if (!m.data) return <Loading />;
  const model = m.data.registered_model;
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      m.reload();
      versions.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <section aria-labelledby="model-h">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.models()}>Models</a> / <span>{name}</span>
      </nav>
      <h1 id="model-h">{name}</h1>
      {model.description ? <p class="note">{model.description}</p> : null}
      <KeyValueTable caption="Model" rows={[['Created', fmtTime(model.creation_timestamp)], ['Updated', fmtTime(model.last_updated_timestamp)]]} />
      <h2>Tags</h2>
      <KeyValueTable caption="Tags" rows={Object.entries(kv(model.tags))} />
      <h2>Aliases</h2>
      <ul>
        {(model.aliases ?? []).map((a: any) => (
          <li>
            @{a.alias} → <a href={href.version(name, a.version)}>version {a.version}</a>{' '}
            <button class="small danger" aria-label={`Delete alias ${a.alias}`} onClick={() => act(() => del('registered-models/alias', { name, alias: a.alias }))}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          act(() => post('registered-models/alias', { name, alias: alias.alias, version: alias.version }));
        }}
      >
        <label>
          Alias <input value={alias.alias} onInput={(e) => setAlias({ ...alias, alias: (e.target as HTMLInputElement).value })} required />
        </label>
        <label>
          Version <input value={alias.version} onInput={(e) => setAlias({ ...alias, version: (e.target as HTMLInputElement).value })} required size={4} />
        </label>
        <button type="submit">Set alias</button>
      </form>
      <ErrorBox error={error} />
      <h2>Versions</h2>
      <ErrorBox error={versions.error} />
      {versions.data ? (
        <table class="grid" aria-label="Versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Stage</th>
              <th scope="col">Status</th>
              <th scope="col">Run</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {[...(versions.data.model_versions ?? [])]
              .sort((a: any, b: any) => Number(b.version) - Number(a.version))
              .map((v: any) => (
                <tr>
                  <td>
                    <a href={href.version(name, v.version)}>Version {v.version}</a>
                  </td>
                  <td>{v.current_stage}</td>
                  <td>{v.status}</td>
                  <td class="mono">{v.run_id}</td>
                  <td>{fmtTime(v.creation_timestamp)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      ) : (
        <Loading />
      )}
    </section>
  );
}

export function VersionView({ name, version }: { name: string; version: string }) {
  const v = useAsync(() => get('model-versions/get', { name, version }), [name, version]);
  const [error, setError] = useState<Error>();
  if (isNotFound(v.error)) return <NotFound what={`No version ${version} of model "${name}".`} />;
  if (v.error) return <ErrorBox error={v.error} />;
  if (!v.data) return <Loading />;
  const mv = v.data.model_version;
  const transition = async (stage: string) => {
    setError(undefined);
    try {
      await post('model-versions/transition-stage', { name, version, stage, archive_existing_versions: false });
      v.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <section aria-labelledby="ver-h">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.models()}>Models</a> / <a href={href.model(name)}>{name}</a> / <span>Version {version}</span>
      </nav>
      <h1 id="ver-h">
        {name} version {version}
      </h1>
      <KeyValueTable
        caption="Version"
        rows={[
          ['Stage', mv.current_stage],
          ['Status', mv.status],
          ['Source', <span class="mono">{mv.source}</span>],
          ['Run', mv.run_id ? <span class="mono">{mv.run_id}</span> : '—'],
          ['Aliases', (mv.aliases ?? []).map((a: string) => '@' + a).join(', ') || '—'],
          ['Created', fmtTime(mv.creation_timestamp)],
          ['Description', mv.description || '—'],
        ]}
      />
      <label>
        Stage{' '}
        <select value={mv.current_stage} onChange={(e) => transition((e.target as HTMLSelectElement).value)}>
          {STAGES.map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
      </label>
      <ErrorBox error={error} />
      <h2>Tags</h2>
      <KeyValueTable caption="Tags" rows={Object.entries(kv(mv.tags))} />
    </section>
  );
}
