// The experiments list: search by name, create, rename, delete and restore, and the deleted view.
import { useState } from 'preact/hooks';
import { post } from '../api';
import { ErrorBox, Loading, useAsync } from '../common';
import { fmtTime } from '../format';
import { href } from '../router';

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function ExperimentsView() {
  const [search, setSearch] = useState('');
  const [deleted, setDeleted] = useState(false);
  const [actionError, setActionError] = useState<Error>();
  const [newName, setNewName] = useState('');
  const [renaming, setRenaming] = useState<{ id: string; name: string }>();
  const list = useAsync(async () => {
    const all: any[] = [];
    let token: string | undefined;
    // Experiments are few (unlike runs): all pages are read, 1000 at a time.
    do {
      const r = await post('experiments/search', {
        max_results: 1000,
        page_token: token,
        view_type: deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
        filter: search ? `name ILIKE ${quote('%' + search + '%')}` : undefined,
      });
      all.push(...(r.experiments ?? []));
      token = r.next_page_token;
    } while (token);
    return all;
  }, [search, deleted]);

  const act = async (f: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await f();
      list.reload();
    } catch (e) {
      setActionError(e as Error);
    }
  };

  return (
    <section aria-labelledby="exp-h">
      <h1 id="exp-h">Experiments</h1>
      <div class="toolbar">
        <label>
          Search experiments{' '}
          <input type="search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} placeholder="name contains…" />
        </label>
        <label>
          <input type="checkbox" checked={deleted} onChange={(e) => setDeleted((e.target as HTMLInputElement).checked)} /> Show deleted
        </label>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (newName.trim()) act(() => post('experiments/create', { name: newName.trim() }).then(() => setNewName('')));
          }}
        >
          <label>
            New experiment <input value={newName} onInput={(e) => setNewName((e.target as HTMLInputElement).value)} required />
          </label>
          <button type="submit">Create</button>
        </form>
      </div>
      <ErrorBox error={actionError} />
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? (
        list.data.length === 0 ? (
          <p class="muted">No experiments{search ? ' match' : ''}.</p>
        ) : (
          <table class="grid" aria-label="Experiments">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">ID</th>
                <th scope="col">Created</th>
                <th scope="col">Artifact location</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((x) => (
                <tr key={x.experiment_id}>
                  <td>
                    {renaming?.id === x.experiment_id ? (
                      <form
                        class="inline"
                        onSubmit={(e) => {
                          e.preventDefault();
                          act(() => post('experiments/update', { experiment_id: x.experiment_id, new_name: renaming?.name }).then(() => setRenaming(undefined)));
                        }}
                      >
                        <input aria-label="New name" value={renaming?.name} onInput={(e) => setRenaming({ id: x.experiment_id, name: (e.target as HTMLInputElement).value })} />
                        <button type="submit">Save</button>
                        <button type="button" onClick={() => setRenaming(undefined)}>
                          Cancel
                        </button>
                      </form>
                    ) : (
                      <a href={href.runs(x.experiment_id)}>{x.name}</a>
                    )}
                  </td>
                  <td>{x.experiment_id}</td>
                  <td>{fmtTime(x.creation_time)}</td>
                  <td class="mono">{x.artifact_location}</td>
                  <td class="actions">
                    {deleted ? (
                      <button onClick={() => act(() => post('experiments/restore', { experiment_id: x.experiment_id }))}>Restore</button>
                    ) : (
                      <>
                        <button onClick={() => setRenaming({ id: x.experiment_id, name: x.name })} aria-label={`Rename ${x.name}`}>
                          Rename
                        </button>
                        <button
                          class="danger"
                          aria-label={`Delete ${x.name}`}
                          onClick={() => confirm(`Delete experiment "${x.name}"?`) && act(() => post('experiments/delete', { experiment_id: x.experiment_id }))}
                        >
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
}
