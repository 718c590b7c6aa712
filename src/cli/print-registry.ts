/** What `mlf models` prints for people: registered models and versions as tables and key-values. */
import { formatTime, renderer } from '../lib/render.js';
import type { ModelVersion, RegisteredModel } from '../stores/registry-store.js';

type Out = (s: string) => void;

export function printModels(models: RegisteredModel[], nextPageToken: string | undefined, out: Out, err: Out): void {
  if (models.length === 0) out('No registered models found.');
  else {
    const rows = models.map((m) => [
      m.name,
      m.latestVersions.map((v) => `${v.version} (${v.currentStage})`).join(', '),
      m.aliases.map((a) => `${a.alias}→${a.version}`).join(', '),
      formatTime(m.lastUpdatedTimestamp),
    ]);
    out(renderer().table(['Name', 'Latest Versions', 'Aliases', 'Last Updated'], rows));
  }
  if (nextPageToken) err(`More models: --page-token ${nextPageToken}`);
}

export function printVersions(versions: ModelVersion[], nextPageToken: string | undefined, out: Out, err: Out): void {
  if (versions.length === 0) out('No model versions found.');
  else {
    const rows = versions.map((v) => [v.name, v.version, v.currentStage, v.aliases.join(', '), v.runId, v.source, formatTime(v.creationTimestamp)]);
    out(renderer().table(['Name', 'Version', 'Stage', 'Aliases', 'Run ID', 'Source', 'Created'], rows));
  }
  if (nextPageToken) err(`More versions: --page-token ${nextPageToken}`);
}

export function printModel(m: RegisteredModel, out: Out): void {
  const r = renderer();
  const lines = [
    r.keyValues([
      ['Name', m.name],
      ['Description', m.description],
      ['Created', formatTime(m.creationTimestamp)],
      ['Last Updated', formatTime(m.lastUpdatedTimestamp)],
      ['Aliases', m.aliases.map((a) => `${a.alias}→${a.version}`).join(', ')],
      ['Tags', m.tags.map((t) => `${t.key}=${t.value}`).join(', ')],
    ]),
  ];
  if (m.latestVersions.length) {
    lines.push('', r.table(['Version', 'Stage', 'Run ID', 'Source'], m.latestVersions.map((v) => [v.version, v.currentStage, v.runId, v.source])));
  }
  out(lines.join('\n'));
}
