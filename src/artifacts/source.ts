/**
 * Where `mlf artifacts list/download` read from: a run (`--run-id` + `--artifact-path`), or a URI
 * (`runs:/<run_id>/<path>`, `models:/<name>/<version>`, `models:/<name>@<alias>`, MLflow 3's
 * `models:/<model_id>` (a logged model's artifacts), or any artifact
 * URI that {@link repositoryFor} reaches). Returns the repository and the path inside it.
 */
import { MlfError } from '../lib/errors.js';
import type { RegistryStore } from '../stores/registry-store.js';
import type { TrackingStore } from '../stores/tracking-store.js';
import { uriScheme } from '../tracking/uri.js';
import { loggedModelIdOfSource } from '../tracking/models-uri.js';
import type { ArtifactRepository } from './repository.js';
import { repositoryFor, splitArtifactUri } from './resolve.js';

export interface ArtifactSource {
  repo: ArtifactRepository;
  rel: string;
  /** A URI was given: it downloads to `<dst>/<its last segment>`, as MLflow does. */
  flatten: boolean;
}

export interface SourceArgs {
  runId?: string;
  artifactPath?: string;
  artifactUri?: string;
}

async function ofRun(store: TrackingStore, runId: string, rel: string, flatten: boolean): Promise<ArtifactSource> {
  const run = await store.getRun(runId);
  return { repo: await repositoryFor(run.info.artifactUri, store), rel, flatten };
}

/**
 * `models:/name/3`, `models:/name/<stage>`, `models:/name/latest` or `models:/name@alias` → the
 * version's download URI (MLflow's `ModelsArtifactRepository` resolution; a stage or `latest`
 * takes the newest version in it).
 */
async function modelLocation(uri: string, registry: () => Promise<RegistryStore>): Promise<string> {
  const body = uri.slice('models:'.length).replace(/^\/+/, '').replace(/\/+$/, '');
  const at = /^([^/]+)@([^/]+)$/.exec(body);
  const bySuffix = /^([^/@]+)\/([^/]+)$/.exec(body);
  if (!at && !bySuffix) {
    throw new MlfError(
      `Not a valid models URI: '${uri}'. Expected models:/<name>/<version>, models:/<name>/<stage> or models:/<name>@<alias>.`,
      'INVALID_PARAMETER_VALUE',
    );
  }
  const reg = await registry();
  const name = decodeURIComponent((at ?? bySuffix)![1]!);
  if (at) return reg.getModelVersionDownloadUri(name, (await reg.getModelVersionByAlias(name, decodeURIComponent(at[2]!))).version);
  const suffix = decodeURIComponent(bySuffix![2]!);
  if (/^\d+$/.test(suffix)) return reg.getModelVersionDownloadUri(name, suffix);
  const stage = suffix.toLowerCase() === 'latest' ? undefined : suffix;
  const latest = await reg.getLatestVersions(name, stage === undefined ? [] : [stage]);
  if (latest.length === 0) {
    throw new MlfError(`No versions of model with name '${name}'${stage === undefined ? '' : ` and stage '${stage}'`} found`, 'RESOURCE_DOES_NOT_EXIST');
  }
  const newest = latest.reduce((a, b) => (b.version > a.version ? b : a));
  return reg.getModelVersionDownloadUri(name, newest.version);
}

export async function resolveSource(
  store: TrackingStore,
  args: SourceArgs,
  registry: () => Promise<RegistryStore>,
): Promise<ArtifactSource> {
  if (args.runId) return ofRun(store, args.runId, args.artifactPath ?? '', false);
  const uri = args.artifactUri;
  if (!uri) throw new MlfError('Give --run-id or --artifact-uri.', 'INVALID_PARAMETER_VALUE');
  const scheme = uriScheme(uri);
  if (scheme === 'runs') {
    const m = /^runs:\/+([^/]+)\/?(.*)$/.exec(uri);
    if (!m) throw new MlfError(`Not a valid runs URI: '${uri}'. Expected runs:/<run_id>/<path>.`, 'INVALID_PARAMETER_VALUE');
    return ofRun(store, m[1]!, m[2]!.replace(/\/+$/, ''), true);
  }
  if (scheme === 'models') {
    // MLflow 3: `models:/<model_id>` is a logged model's artifact folder.
    const modelId = loggedModelIdOfSource(uri);
    if (modelId && store.loggedModels) return resolveSource(store, { artifactUri: (await store.loggedModels.get(modelId)).info.artifactUri }, registry);
    // A version registered from `runs:/<id>/model` keeps that as its location: resolve it in turn.
    return resolveSource(store, { artifactUri: await modelLocation(uri, registry) }, registry);
  }
  const { parent, name } = splitArtifactUri(uri);
  return { repo: await repositoryFor(parent, store), rel: name, flatten: true };
}
