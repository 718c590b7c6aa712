import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export interface ArtifactsDownloadResult {
  local_path: string;
}

export default class ArtifactsDownload extends BaseCommand<typeof ArtifactsDownload> {
  static override description = `Download artifacts to a local folder and print the local path (MLflow's \`mlflow artifacts download\`).

From a run (--run-id, optionally --artifact-path), or from a URI (--artifact-uri): runs:/<run_id>/<path>, models:/<name>/<version or stage or latest>, models:/<name>@<alias>, mlflow-artifacts:/<path>, a file: URI or a folder. Without --dst-path, a new temp folder. An existing destination is refused unless --overwrite; a failed download leaves nothing behind.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --run-id "$RUN" --artifact-path model --dst-path ./out',
    '<%= config.bin %> <%= command.id %> --artifact-uri models:/churn/3 -d ./serving --overwrite',
    '<%= config.bin %> <%= command.id %> -u "runs:/$RUN/metrics.json" -d . --tracking-uri http://127.0.0.1:5000',
  ];
  static override flags = {
    'artifact-path': Flags.string({ char: 'a', description: 'Path inside the run\'s artifacts (with --run-id)', dependsOn: ['run-id'] }),
    'artifact-uri': Flags.string({ char: 'u', description: 'URI of the artifacts to download', exclusive: ['run-id'] }),
    'dst-path': Flags.string({ char: 'd', description: 'Local folder to download into (created if missing)' }),
    overwrite: Flags.boolean({ description: 'Replace the destination if it exists' }),
    'run-id': Flags.string({ char: 'r', description: 'The run' }),
  };

  async run(): Promise<ArtifactsDownloadResult> {
    const { flags } = await this.parse(ArtifactsDownload);
    if (!flags['run-id'] && !flags['artifact-uri']) this.error('Give --run-id or --artifact-uri', { exit: 2 });
    const { resolveSource } = await import('../../artifacts/source.js');
    const { download } = await import('../../artifacts/transfer.js');
    const store = await this.openStore(flags['tracking-uri']);
    const src = await resolveSource(
      store,
      { artifactPath: flags['artifact-path'], artifactUri: flags['artifact-uri'], runId: flags['run-id'] },
      () => store.openRegistry(),
    );
    const local = await download(src.repo, src.rel, { dstPath: flags['dst-path'], flatten: src.flatten, overwrite: flags.overwrite });
    this.log(local);
    return { local_path: local };
  }
}
