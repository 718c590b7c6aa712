/**
 * `models:/` URIs as MLflow's `_parse_model_uri` reads them (the optional `models://<profile>/`
 * form included): a registered model's version, stage or `latest` (`models:/churn/3`,
 * `models:/churn/Production`), an alias (`models:/churn@champion`), or, in MLflow 3, a logged
 * model by id (`models:/m-0123…`: one segment without `@`).
 *
 * @example
 * parseModelsUri('models:/churn/3');   // { name: 'churn', version: '3' }
 * parseModelsUri('models:/m-ab12');     // { modelId: 'm-ab12' }
 * loggedModelIdOfSource('models:/m-ab12'); // 'm-ab12'
 */
export type ParsedModelsUri =
  | { name: string; version?: string; stage?: string; alias?: string; modelId?: undefined }
  | { modelId: string; name?: undefined; version?: undefined; stage?: undefined; alias?: undefined };

/** The parts of a `models:/` URI, or null when it has none of MLflow's shapes. */
export function parseModelsUri(uri: string): ParsedModelsUri | null {
  const m = /^models:\/(?:\/[^/]*\/)?([^/]+)(?:\/([^/]+))?\/?$/.exec(uri);
  if (!m) return null;
  if (m[2] === undefined) {
    // MLflow splits at the last `@` and refuses a blank alias.
    const at = m[1]!.lastIndexOf('@');
    if (at === -1) return { modelId: m[1]! };
    const alias = m[1]!.slice(at + 1);
    if (at === 0 || alias.trim() === '') return null;
    return { name: m[1]!.slice(0, at), alias };
  }
  if (/^\d+$/.test(m[2])) return { name: m[1]!, version: m[2] };
  return { name: m[1]!, stage: m[2] };
}

/** The logged model a model version source names (`models:/<model_id>`), if it names one. */
export function loggedModelIdOfSource(source: string | null | undefined): string | undefined {
  if (!source || !/^models:/i.test(source)) return undefined;
  return parseModelsUri(source)?.modelId;
}
