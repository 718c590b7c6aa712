/**
 * Model Registry endpoints (`ModelRegistryService` in model_registry.proto): parse the request as
 * MLflow's handlers do (their `_assert_*` schemas and messages), one registry store call, MLflow's
 * JSON. On a file store every endpoint answers NOT_IMPLEMENTED (501, which clients do not retry):
 * mlf's registry needs a database.
 */
import path from 'node:path';
import { MlfError } from '../../lib/errors.js';
import { modelVersionToJson, registeredModelToJson } from '../../tracking/registry-json.js';
import {
  SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
  type RegistryStore,
} from '../../stores/registry-store.js';
import type { TrackingStore } from '../../stores/tracking-store.js';
import { int, invalid, keyValues, readParams, str, stringList, type Params } from '../request.js';
import type { Handler, Json, RouteTable } from './tracking.js';
import { modelsOf } from './logged-models.js';
import { recordModelVersion } from '../../tracking/model-registrations.js';
import { pageToJson } from '../../tracking/entities.js';

/** MLflow's `IS_PROMPT_TAG_KEY`: a registry entry that is a prompt, not a model. */
const IS_PROMPT_TAG = 'mlflow.prompt.is_prompt';

/** [path after `/mlflow`, methods] as in model_registry.proto. */
export const REGISTRY_ENDPOINTS: readonly [string, string[]][] = [
  ['/registered-models/create', ['POST']],
  ['/registered-models/rename', ['POST']],
  ['/registered-models/update', ['PATCH']],
  ['/registered-models/delete', ['DELETE']],
  ['/registered-models/get', ['GET']],
  ['/registered-models/search', ['GET']],
  ['/registered-models/get-latest-versions', ['POST', 'GET']],
  ['/registered-models/set-tag', ['POST']],
  ['/registered-models/delete-tag', ['DELETE']],
  ['/registered-models/alias', ['POST', 'DELETE', 'GET']],
  ['/model-versions/create', ['POST']],
  ['/model-versions/update', ['PATCH']],
  ['/model-versions/transition-stage', ['POST']],
  ['/model-versions/delete', ['DELETE']],
  ['/model-versions/get', ['GET']],
  ['/model-versions/search', ['GET']],
  ['/model-versions/get-download-uri', ['GET']],
  ['/model-versions/set-tag', ['POST']],
  ['/model-versions/delete-tag', ['DELETE']],
];

/** Adds the registry endpoints to `table` when the registry store is a file store. */
export function addFileStoreRegistryRoutes(table: RouteTable, registryUri: string): void {
  const refuse = async (): Promise<never> => {
    throw new MlfError(
      `Model Registry functionality is unavailable; got unsupported URI '${registryUri}' for model registry data storage. The Model Registry needs a database-backed store (sqlite, postgresql, mysql or mssql). See https://mlflow.org/docs/latest/tracking.html#storage for how to run an MLflow server against one of the supported backend storage locations.`,
      // 501: MLflow's Python client retries 408, 429, 500 and 502-504, so this answer is final at once.
      'NOT_IMPLEMENTED',
    );
  };
  for (const [p, methods] of REGISTRY_ENDPOINTS) {
    const e = table.get(p) ?? {};
    for (const m of methods) e[m] = refuse;
    table.set(p, e);
  }
}

// ---------------------------------------------------------------- model version sources

/** Python's `urllib.parse.unquote_plus`, tolerant of malformed escapes as Python is. */
function unquotePlus(s: string): string {
  return s.replace(/\+/g, ' ').replace(/(?:%[0-9a-fA-F]{2})+/g, (m) => {
    try {
      return decodeURIComponent(m);
    } catch {
      return Buffer.from(m.split('%').slice(1).map((h) => parseInt(h, 16))).toString('utf8');
    }
  });
}

/** `urlparse(uri)`: scheme, netloc host and path, as far as the source checks need them. */
function urlParts(uri: string): { scheme: string; host: string | null; path: string } {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(uri);
  const scheme = m ? m[1]!.toLowerCase() : '';
  let rest = m ? m[2]! : uri;
  let host: string | null = null;
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    const netloc = end === -1 ? rest.slice(2) : rest.slice(2, 2 + end);
    host = netloc.replace(/^.*@/, '').replace(/:\d*$/, '').toLowerCase() || null;
    rest = end === -1 ? '' : rest.slice(2 + end);
  }
  const cut = rest.search(/[?#]/);
  return { scheme, host, path: cut === -1 ? rest : rest.slice(0, cut) };
}

/** MLflow's `is_local_uri` for a registry source: no scheme, or `file:` on this machine. */
function isLocalUri(uri: string): boolean {
  const { scheme, host } = urlParts(uri);
  if (scheme === '') return true;
  if (scheme !== 'file') return false;
  if (host && !(host === '.' || host.startsWith('localhost') || host.startsWith('127.0.0.1'))) {
    throw new MlfError(
      `${uri} is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>).`,
      'INTERNAL_ERROR',
    );
  }
  return true;
}

/** `local_file_uri_to_path` then `Path.resolve()` (symbolic links are not followed here). */
function localPath(uri: string): string {
  const p = /^file:/i.test(uri) ? unquotePlus(urlParts(uri).path) : uri;
  return path.resolve(p);
}

/**
 * MLflow's `_validate_source_run` / `_validate_source_model`: a local source must lie inside the
 * local artifact folder of the run (or, with `model_id`, the logged model) given with it; any other
 * source may not hide relative path parts (`..`), even percent-encoded.
 */
async function validateSource(source: string, runId: string, tracking?: TrackingStore, modelId?: string): Promise<void> {
  if (isLocalUri(source)) {
    let shown = source;
    const owner = modelId ? 'model_id' : 'run_id';
    let rootUri: string | undefined;
    if (modelId && tracking) rootUri = (await modelsOf(tracking).get(modelId)).info.artifactUri;
    else if (!modelId && runId && tracking) rootUri = (await tracking.getRun(runId)).info.artifactUri;
    if (rootUri !== undefined) {
      const resolved = localPath(source);
      const root = localPath(rootUri);
      if (resolved === root || resolved.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) return;
      shown = resolved;
    }
    throw new MlfError(
      `Invalid model version source: '${shown}'. To use a local path as a model version source, the ${owner} request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the ${owner}.`,
      'INVALID_PARAMETER_VALUE',
    );
  }
  let s = source;
  for (let next = unquotePlus(s); next !== s; next = unquotePlus(s)) s = next;
  const sourcePath = urlParts(s).path.replace(/\/+$/, '').replace(/\/+/g, '/');
  const refuse = () =>
    new MlfError(
      `Invalid model version source: '${s}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
      'INVALID_PARAMETER_VALUE',
    );
  // `..` anywhere in the decoded source counts, even after a `?` (`dbfs:/r/artifacts/a%3f/../..`).
  if (sourcePath.includes('\0') || s.split('/').includes('..')) throw refuse();
  if (path.posix.resolve(sourcePath) !== sourcePath) throw refuse();
}

// ---------------------------------------------------------------- handlers

/** A bool field (`_assert_bool`): JSON true/false; absent is false (proto default). */
function bool(p: Params, name: string): boolean {
  const v = p[name];
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  throw invalid(name, v);
}

/** An optional string field that is `None` unless present (the handlers' `HasField`). */
function optional(p: Params, name: string): string | null {
  const v = str(p, name);
  return v === undefined ? null : v;
}

/**
 * Adds the registry endpoints to `table`, answered by the store `registry()` resolves to.
 * `tracking` checks a local model version source against its run's artifact folder.
 */
export function registryRoutes(table: RouteTable, registry: () => Promise<RegistryStore>, tracking?: TrackingStore): void {
  const on = (p: string, methods: string[], h: Handler) => {
    const e = table.get(p) ?? {};
    for (const m of methods) e[m] = h;
    table.set(p, e);
  };
  const empty = (): Json => ({});

  // ---- registered models ----
  on('/registered-models/create', ['POST'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const tags = keyValues(p, 'tags');
    const description = str(p, 'description') ?? '';
    const m = await (await registry()).createRegisteredModel({ name, tags, description });
    return { registered_model: registeredModelToJson(m) };
  });
  on('/registered-models/get', ['GET'], async (req) => {
    const p = await readParams(req);
    return { registered_model: registeredModelToJson(await (await registry()).getRegisteredModel(str(p, 'name', true))) };
  });
  on('/registered-models/update', ['PATCH'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const m = await (await registry()).updateRegisteredModel(name, str(p, 'description') ?? '');
    return { registered_model: registeredModelToJson(m) };
  });
  on('/registered-models/rename', ['POST'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const m = await (await registry()).renameRegisteredModel(name, str(p, 'new_name', true));
    return { registered_model: registeredModelToJson(m) };
  });
  on('/registered-models/delete', ['DELETE'], async (req) => {
    await (await registry()).deleteRegisteredModel(str(await readParams(req), 'name', true));
    return empty();
  });
  on('/registered-models/search', ['GET'], async (req) => {
    const p = await readParams(req, ['order_by']);
    const filter = str(p, 'filter');
    const maxResults = int(p, 'max_results');
    if (maxResults !== undefined && maxResults > SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD) throw invalid('max_results', p.max_results);
    const page = await (await registry()).searchRegisteredModels({
      filter: filter || undefined,
      maxResults: maxResults ?? SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
      orderBy: stringList(p, 'order_by'),
      pageToken: str(p, 'page_token') || undefined,
    });
    return pageToJson('registered_models', page, registeredModelToJson);
  });
  on('/registered-models/get-latest-versions', ['POST', 'GET'], async (req) => {
    const p = await readParams(req, ['stages']);
    const name = str(p, 'name', true);
    const versions = await (await registry()).getLatestVersions(name, stringList(p, 'stages'));
    return versions.length ? { model_versions: versions.map(modelVersionToJson) } : {};
  });
  on('/registered-models/set-tag', ['POST'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const key = str(p, 'key', true);
    await (await registry()).setRegisteredModelTag(name, { key, value: str(p, 'value') ?? '' });
    return empty();
  });
  on('/registered-models/delete-tag', ['DELETE'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    await (await registry()).deleteRegisteredModelTag(name, str(p, 'key', true));
    return empty();
  });

  // ---- aliases ----
  on('/registered-models/alias', ['POST'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const alias = str(p, 'alias', true);
    await (await registry()).setRegisteredModelAlias(name, alias, str(p, 'version', true));
    return empty();
  });
  on('/registered-models/alias', ['DELETE'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    await (await registry()).deleteRegisteredModelAlias(name, str(p, 'alias', true));
    return empty();
  });
  on('/registered-models/alias', ['GET'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const v = await (await registry()).getModelVersionByAlias(name, str(p, 'alias', true));
    return { model_version: modelVersionToJson(v) };
  });

  // ---- model versions ----
  on('/model-versions/create', ['POST'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const source = str(p, 'source', true);
    // Unset proto strings read as '' in MLflow's handler, and are stored so.
    const runId = str(p, 'run_id') ?? '';
    const tags = keyValues(p, 'tags');
    const runLink = str(p, 'run_link') ?? '';
    const description = str(p, 'description') ?? '';
    // MLflow 3: the logged model the version comes from; prompts (tagged so) never carry one.
    const modelId = tags.some((t) => t.key === IS_PROMPT_TAG) ? undefined : str(p, 'model_id') || undefined;
    await validateSource(source, runId, tracking, modelId);
    // Checked before the version exists (MLflow checks after), so a refused request changes nothing.
    if (modelId && tracking) await modelsOf(tracking).get(modelId);
    const v = await (await registry()).createModelVersion({ name, source, runId, tags, runLink, description, modelId });
    if (modelId && tracking) await recordModelVersion(modelsOf(tracking), modelId, v.name, v.version);
    return { model_version: modelVersionToJson(v) };
  });
  on('/model-versions/get', ['GET'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    return { model_version: modelVersionToJson(await (await registry()).getModelVersion(name, str(p, 'version', true))) };
  });
  on('/model-versions/update', ['PATCH'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const version = str(p, 'version', true);
    const v = await (await registry()).updateModelVersion(name, version, optional(p, 'description'));
    return { model_version: modelVersionToJson(v) };
  });
  on('/model-versions/transition-stage', ['POST'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const version = str(p, 'version', true);
    const stage = str(p, 'stage', true);
    const v = await (await registry()).transitionModelVersionStage(name, version, stage, bool(p, 'archive_existing_versions'));
    return { model_version: modelVersionToJson(v) };
  });
  on('/model-versions/delete', ['DELETE'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    await (await registry()).deleteModelVersion(name, str(p, 'version', true));
    return empty();
  });
  on('/model-versions/get-download-uri', ['GET'], async (req) => {
    // MLflow's handler has no schema here: the store's own checks answer a missing field.
    const p = await readParams(req);
    const uri = await (await registry()).getModelVersionDownloadUri(str(p, 'name') ?? '', str(p, 'version') ?? '');
    return { artifact_uri: uri };
  });
  on('/model-versions/search', ['GET'], async (req) => {
    const p = await readParams(req, ['order_by']);
    const filter = str(p, 'filter');
    const maxResults = int(p, 'max_results');
    if (maxResults !== undefined && maxResults > SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD) throw invalid('max_results', p.max_results);
    const page = await (await registry()).searchModelVersions({
      filter: filter || undefined,
      // The proto's default when unset.
      maxResults: maxResults ?? SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
      orderBy: stringList(p, 'order_by'),
      pageToken: str(p, 'page_token') || undefined,
    });
    return pageToJson('model_versions', page, modelVersionToJson);
  });
  on('/model-versions/set-tag', ['POST'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const version = str(p, 'version', true);
    const key = str(p, 'key', true);
    await (await registry()).setModelVersionTag(name, version, { key, value: str(p, 'value') ?? '' });
    return empty();
  });
  on('/model-versions/delete-tag', ['DELETE'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const version = str(p, 'version', true);
    await (await registry()).deleteModelVersionTag(name, version, str(p, 'key', true));
    return empty();
  });
}
