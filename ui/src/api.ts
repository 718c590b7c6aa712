// The one way the UI talks to the server: MLflow's REST API under `ajax-api/2.0/...`, by a URL
// relative to the page, so the UI works at `/` and under `--static-prefix` alike.

/** An error answered by the server (MLflow's `{error_code, message}`), or `UNREACHABLE` when none came. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

type Listener = (down: boolean) => void;
const listeners = new Set<Listener>();
/** Called with `true` when a request cannot reach the server, `false` when one gets through again. */
export function onServerState(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
let down = false;
function setDown(d: boolean) {
  if (d === down) return;
  down = d;
  for (const l of listeners) l(d);
}

async function request(method: string, url: string, body?: unknown): Promise<any> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    setDown(true);
    throw new ApiError('The server cannot be reached.', 'UNREACHABLE', 0);
  }
  // A proxy in front of a stopped server answers 502/503/504 with no MLflow body.
  if (res.status === 502 || res.status === 503 || res.status === 504) setDown(true);
  else setDown(false);
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (!res.ok) throw new ApiError(json?.message ?? (text || res.statusText), json?.error_code ?? 'HTTP_' + res.status, res.status);
  return json ?? text;
}

const base = 'ajax-api/2.0/mlflow/';

export function get(endpoint: string, params: Record<string, unknown> = {}): Promise<any> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const x of v) q.append(k, String(x));
    else if (v !== undefined && v !== null && v !== '') q.append(k, String(v));
  }
  const qs = q.toString();
  return request('GET', base + endpoint + (qs ? '?' + qs : ''));
}

export function post(endpoint: string, body: unknown): Promise<any> {
  return request('POST', base + endpoint, body);
}

export function patch(endpoint: string, body: unknown): Promise<any> {
  return request('PATCH', base + endpoint, body);
}

export function del(endpoint: string, body: unknown): Promise<any> {
  return request('DELETE', base + endpoint, body);
}

/** Where an artifact of a run downloads through the artifact proxy, or undefined if the run's root is not proxied. */
export function artifactUrl(artifactUri: string, path: string): string | undefined {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(artifactUri);
  if (!m) return undefined;
  const root = m[1]!.replace(/\/+$/, '');
  const parts = (root ? root + '/' : '') + path;
  return 'ajax-api/2.0/mlflow-artifacts/artifacts/' + parts.split('/').map(encodeURIComponent).join('/');
}

/** Fetches an artifact's bytes (for previews); throws ApiError as the API calls do. */
export async function fetchArtifact(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch {
    setDown(true);
    throw new ApiError('The server cannot be reached.', 'UNREACHABLE', 0);
  }
  if (!res.ok) throw new ApiError((await res.text()) || res.statusText, 'HTTP_' + res.status, res.status);
  return res;
}
