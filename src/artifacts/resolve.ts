/**
 * Artifact URI → the repository that holds it, and `runs:/` / `models:/` URIs → a plain artifact
 * location, as MLflow's `get_artifact_repository` and `_download_artifact_from_uri` pick them.
 *
 * - a path or `file:` URI: the local folder;
 * - `mlflow-artifacts:/p`: the proxy of the tracking server (`--tracking-uri` must be http(s));
 *   `mlflow-artifacts://host:port/p`: the proxy on that host;
 * - `http(s)://host/api/2.0/mlflow-artifacts/artifacts/p`: that proxy;
 * - `s3:`, `gs:`, `wasbs:`, `abfss:`, `hdfs:`, `dbfs:`, … : FEATURE_DISABLED, one line (mlf talks to
 *   object stores only through a tracking server's proxy, so no cloud SDK is a dependency).
 *
 * @example
 * const repo = repositoryFor('mlflow-artifacts:/1/abc/artifacts', store);
 */
import { MlfError } from '../lib/errors.js';
import type { TrackingStore } from '../stores/tracking-store.js';
import type { HttpClient } from '../stores/rest/http-client.js';
import { fileUriToPath, maskUri, uriScheme } from '../tracking/uri.js';
import type { ArtifactRepository } from './repository.js';

const PROXY_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts';

function unsupported(uri: string): MlfError {
  return new MlfError(
    `mlf cannot reach artifact root '${maskUri(uri)}': only local folders, file: URIs and a tracking server's mlflow-artifacts proxy are supported (serve this store with \`mlf server --serve-artifacts\` or \`mlflow server\` and use its http(s):// URI).`,
    'FEATURE_DISABLED',
  );
}

/** The HttpClient of a tracking store over HTTP, if it is one. */
function clientOf(store: TrackingStore | undefined): HttpClient | undefined {
  return store?.client;
}

async function clientFor(host: string): Promise<HttpClient> {
  const { defaultHostCreds } = await import('../stores/rest/credentials.js');
  const { HttpClient, retryPolicyFromEnv } = await import('../stores/rest/http-client.js');
  return new HttpClient(defaultHostCreds(host), retryPolicyFromEnv());
}

export async function repositoryFor(uri: string, store?: TrackingStore): Promise<ArtifactRepository> {
  const scheme = uriScheme(uri);
  if (scheme === '' || scheme === 'file') {
    const { LocalFolderRepository } = await import('./local-folder-repo.js');
    return new LocalFolderRepository(scheme === 'file' ? fileUriToPath(uri) : uri);
  }
  const { HttpArtifactRepository } = await import('./http-repo.js');
  if (scheme === 'mlflow-artifacts') {
    let rest = uri.slice('mlflow-artifacts:'.length).replace(/[?#].*$/, '');
    let host: string | undefined;
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      host = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
      rest = slash === -1 ? '' : rest.slice(slash);
    }
    const own = clientOf(store);
    if (host) {
      const protocol = own ? new URL(own.creds.host).protocol : 'http:';
      return new HttpArtifactRepository(await clientFor(`${protocol}//${host}`), decodeURIComponent(rest));
    }
    if (!own) {
      throw new MlfError(
        `Artifact root '${uri}' is served by a tracking server: give its http(s):// address with --tracking-uri (or MLFLOW_TRACKING_URI).`,
        'FEATURE_DISABLED',
      );
    }
    return new HttpArtifactRepository(own, decodeURIComponent(rest));
  }
  if (scheme === 'http' || scheme === 'https') {
    const u = new URL(uri);
    const i = u.pathname.indexOf(PROXY_ANCHOR);
    if (i === -1) throw unsupported(uri);
    const own = clientOf(store);
    const host = `${u.protocol}//${u.host}${u.pathname.slice(0, i)}`;
    const client = own && own.creds.host.replace(/\/+$/, '') === host ? own : await clientFor(host);
    return new HttpArtifactRepository(client, decodeURIComponent(u.pathname.slice(i + PROXY_ANCHOR.length)));
  }
  throw unsupported(uri);
}

/** `uri` split into its parent and last segment, as MLflow downloads a URI (`posixpath.split`). */
export function splitArtifactUri(uri: string): { parent: string; name: string } {
  const q = uri.search(/[?#]/);
  const body = (q === -1 ? uri : uri.slice(0, q)).replace(/\/+$/, '');
  const tail = q === -1 ? '' : uri.slice(q);
  const slash = body.lastIndexOf('/');
  const schemeEnd = uriScheme(body) ? body.indexOf(':') + 1 : 0;
  if (slash < schemeEnd) return { parent: uri, name: '' };
  return { parent: body.slice(0, slash) + tail || '/', name: decodeURIComponent(body.slice(slash + 1)) };
}
