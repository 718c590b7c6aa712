/**
 * A logged model's artifacts, read through the same artifact access (and path checks) as a run's:
 * - `GET /logged-models/{model_id}/artifacts/directories?artifact_directory_path=…` (service.proto's
 *   ListLoggedModelArtifacts, under every API prefix): `{root_uri, files}`, paths relative to the
 *   model's artifact root, as `artifacts/list` answers for a run;
 * - `GET /ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files?artifact_file_path=…` (the
 *   UI's download, only under the ajax prefix as in MLflow): the file as an attachment.
 * A deleted or unknown model answers RESOURCE_DOES_NOT_EXIST; the artifact root is
 * `logged_models.artifact_location`, so a proxied root (`mlflow-artifacts:/…`) is read from the
 * server's artifacts destination.
 */
import { MlfError } from '../../lib/errors.js';
import { validateArtifactPath } from '../../artifacts/local-repo.js';
import type { TrackingStore } from '../../stores/tracking-store.js';
import { readParams, str } from '../request.js';
import type { ReplyTable } from './ajax.js';
import type { ArtifactAccess } from './artifacts.js';
import { loggedModelPathParams, modelsOf } from './logged-models.js';
import type { Json, RouteTable } from './tracking.js';

/** Adds the listing to the API table and the download to the ajax-only table. */
export function addLoggedModelArtifactRoutes(api: RouteTable, ajaxOnly: ReplyTable, store: TrackingStore, access: ArtifactAccess): void {
  const listing = api.get('/logged-models/{model_id}/artifacts/directories') ?? {};
  listing.GET = async (req) => {
    const p = await readParams(req);
    // Checked before the model is read, as MLflow's handler does.
    const dir = str(p, 'artifact_directory_path');
    const rel = dir === undefined ? '' : validateArtifactPath(dir);
    str(p, 'page_token');
    const model = await modelsOf(store).get(loggedModelPathParams(req.path).modelId);
    const root = model.info.artifactUri;
    const files = await access.listRunArtifacts(root, rel);
    const out: Json = { root_uri: root };
    if (files.length) {
      out.files = files.map((f) => (f.isDir ? { path: f.path, is_dir: true } : { path: f.path, is_dir: false, file_size: f.fileSize }));
    }
    return out;
  };
  api.set('/logged-models/{model_id}/artifacts/directories', listing);

  ajaxOnly.set('/logged-models/{model_id}/artifacts/files', {
    GET: async (req) => {
      // MLflow reads this argument from the query string only (`request.args`).
      const rel = new URLSearchParams(req.query).get('artifact_file_path');
      if (!rel) throw new MlfError('Request must include the "artifact_file_path" query parameter.', 'BAD_REQUEST');
      validateArtifactPath(rel);
      const model = await modelsOf(store).get(loggedModelPathParams(req.path).modelId);
      return access.sendFile(model.info.artifactUri, rel);
    },
  });
}
