import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

/** MLflow's `artifacts/list` response. */
export interface ArtifactsListResult {
  root_uri: string;
  files: { path: string; is_dir: boolean; file_size?: number }[];
}

export default class ArtifactsList extends BaseCommand<typeof ArtifactsList> {
  static override description = `List a run's artifacts, or those under a path inside them (MLflow's \`mlflow artifacts list\`).

Prints a table (path, folder or size); --json gives MLflow's artifacts/list shape.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --run-id "$RUN"',
    '<%= config.bin %> <%= command.id %> -r "$RUN" -a model --json | jq -r \'.files[].path\'',
  ];
  static override flags = {
    'artifact-path': Flags.string({ char: 'a', description: 'Folder inside the run\'s artifacts' }),
    'run-id': Flags.string({ char: 'r', description: 'The run', required: true }),
  };

  async run(): Promise<ArtifactsListResult> {
    const { flags } = await this.parse(ArtifactsList);
    const { repositoryFor } = await import('../../artifacts/resolve.js');
    const store = await this.openStore(flags['tracking-uri']);
    const run = await store.getRun(flags['run-id']);
    const files = await (await repositoryFor(run.info.artifactUri, store)).list(flags['artifact-path'] ?? '');
    if (!this.jsonEnabled()) {
      const { renderer } = await import('../../lib/render.js');
      this.log(files.length === 0 ? 'No artifacts found.' : renderer().table(['Path', 'Size'], files.map((f) => [f.path + (f.isDir ? '/' : ''), f.isDir ? '' : f.fileSize])));
    }
    return {
      root_uri: run.info.artifactUri,
      files: files.map((f) => (f.isDir ? { path: f.path, is_dir: true } : { path: f.path, is_dir: false, file_size: f.fileSize })),
    };
  }
}
