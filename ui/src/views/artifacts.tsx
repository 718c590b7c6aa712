// A run's artifacts: the folder tree from `artifacts/list`, downloads and previews through the
// artifact proxy (text, JSON, images), as MLflow's UI shows them.
import { useState } from 'preact/hooks';
import { artifactUrl, fetchArtifact, get } from '../api';
import { ErrorBox, Loading, useAsync } from '../common';
import { fmtSize } from '../format';

const IMAGE = /\.(png|jpe?g|gif|svg|webp|bmp)$/i;
const TEXT = /\.(txt|log|md|csv|tsv|py|yaml|yml|json|html|xml|ini|toml|cfg|sh|js|ts|r|sql)$|(^|\/)MLmodel$|(^|\/)(requirements\.txt|conda\.yaml|python_env\.yaml)$/i;
const PREVIEW_LIMIT = 1024 * 1024;

function Folder({ runId, path, onOpen, openPath }: { runId: string; path: string; onOpen: (f: any) => void; openPath?: string }) {
  const l = useAsync(() => get('artifacts/list', { run_id: runId, path: path || undefined }), [runId, path]);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  if (l.error) return <ErrorBox error={l.error} />;
  if (!l.data) return <Loading />;
  const files: any[] = l.data.files ?? [];
  if (!files.length && !path) return <p class="muted">No artifacts.</p>;
  return (
    <ul class="tree" role="group">
      {files.map((f) => {
        const name = f.path.split('/').pop();
        if (f.is_dir) {
          const open = expanded.has(f.path);
          return (
            <li role="treeitem" aria-expanded={open}>
              <button
                class="link"
                onClick={() => {
                  const n = new Set(expanded);
                  if (open) n.delete(f.path);
                  else n.add(f.path);
                  setExpanded(n);
                }}
              >
                {open ? '▾' : '▸'} {name}/
              </button>
              {open ? <Folder runId={runId} path={f.path} onOpen={onOpen} openPath={openPath} /> : null}
            </li>
          );
        }
        return (
          <li role="treeitem" aria-selected={openPath === f.path}>
            <button class={openPath === f.path ? 'link current' : 'link'} onClick={() => onOpen(f)}>
              {name}
            </button>{' '}
            <span class="muted">{fmtSize(f.file_size)}</span>
          </li>
        );
      })}
    </ul>
  );
}

function Preview({ url, file }: { url: string; file: any }) {
  const isImage = IMAGE.test(file.path);
  const isText = TEXT.test(file.path);
  const body = useAsync(async () => {
    if (!isText || Number(file.file_size) > PREVIEW_LIMIT) return undefined;
    const text = await (await fetchArtifact(url)).text();
    if (/\.json$/i.test(file.path)) {
      try {
        return JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        return text;
      }
    }
    return text;
  }, [url]);
  if (isImage) return <img class="preview" src={url} alt={file.path} />;
  if (!isText) return <p class="muted">No preview for this file type.</p>;
  if (Number(file.file_size) > PREVIEW_LIMIT) return <p class="muted">Too large to preview; download it instead.</p>;
  if (body.error) return <ErrorBox error={body.error} />;
  if (body.data === undefined) return <Loading />;
  return <pre class="preview" tabIndex={0} aria-label={`Contents of ${file.path}`}>{body.data}</pre>;
}

export function Artifacts({ runId, artifactUri }: { runId: string; artifactUri: string }) {
  const [open, setOpen] = useState<any>();
  const url = open ? artifactUrl(artifactUri, open.path) : undefined;
  return (
    <div class="artifacts">
      <nav class="artifact-tree" aria-label="Artifact files">
        <Folder runId={runId} path="" onOpen={setOpen} openPath={open?.path} />
      </nav>
      <div class="artifact-view">
        {open ? (
          <>
            <h2>
              {open.path}{' '}
              {url ? (
                <a class="button" href={url} download={open.path.split('/').pop()}>
                  Download
                </a>
              ) : null}
            </h2>
            {url ? <Preview key={url} url={url} file={open} /> : <p class="muted">This run's artifact root ({artifactUri}) is not served through the artifact proxy, so it cannot be downloaded here.</p>}
          </>
        ) : (
          <p class="muted">Select a file to preview it.</p>
        )}
      </div>
    </div>
  );
}
