/**
 * How MLflow 3 ties registry versions to logged models. A version registered with a `model_id`
 * (`mlflow.register_model("models:/m-…", name)`) is recorded on the logged model as the tag
 * `mlflow.modelVersions`: a JSON list of `{"name": …, "version": …}`, written as Python's
 * `json.dumps` writes it, one entry per version (MLflow's `set_model_versions_tags`).
 *
 * @example
 * await recordModelVersion(store.loggedModels!, 'm-0123…', 'churn', 3);
 * // tag mlflow.modelVersions = '[{"name": "churn", "version": 3}]'
 */
import { pyJsonDumps } from './py-format.js';
import type { LoggedModelStore } from './logged-models.js';

export const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

/** Python's default `json.dumps` (`", "` and `": "` separators, keys in their order, ensure_ascii). */
function pyDumps(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyJsonDumps(k)}: ${pyDumps(x)}`)
      .join(', ')}}`;
  }
  return pyJsonDumps(v);
}

function sameEntry(a: unknown, name: string, version: number): boolean {
  if (a === null || typeof a !== 'object') return false;
  const o = a as Record<string, unknown>;
  return o.name === name && o.version === version && Object.keys(o).length === 2;
}

/**
 * Adds `{name, version}` to the model's `mlflow.modelVersions` tag (once). The model must exist and
 * not be deleted (RESOURCE_DOES_NOT_EXIST). A tag value that is not a JSON list is replaced.
 */
export async function recordModelVersion(models: LoggedModelStore, modelId: string, name: string, version: number): Promise<void> {
  const model = await models.get(modelId);
  const current = model.info.tags.find((t) => t.key === MODEL_VERSIONS_TAG)?.value;
  let list: unknown[] = [];
  if (current) {
    try {
      const parsed: unknown = JSON.parse(current);
      if (Array.isArray(parsed)) list = parsed;
    } catch {
      /* not JSON: replaced below */
    }
  }
  if (list.some((e) => sameEntry(e, name, version))) return;
  list.push({ name, version });
  await models.setTags(modelId, [{ key: MODEL_VERSIONS_TAG, value: pyDumps(list) }]);
}
