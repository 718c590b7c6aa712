import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import type { ArtifactsLogResult } from './log-artifact.js';

export default class ArtifactsLogArtifacts extends BaseCommand<typeof ArtifactsLogArtifacts> {
  static override description = `Upload a local folder's contents into a run's artifacts (MLflow's \`mlflow artifacts log-artifacts\`), under --artifact-path if given.

Works with local and file: artifact roots and, over an http(s) tracking URI, the server's mlflow-artifacts proxy. Files are streamed one by one.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --run-id "$RUN" --local-dir ./plots --artifact-path figures',
  ];
  static override flags = {
    'artifact-path': Flags.string({ char: 'a', description: 'Folder inside the run\'s artifacts' }),
    'local-dir': Flags.string({ char: 'l', description: 'The folder whose contents to upload', required: true }),
    'run-id': Flags.string({ char: 'r', description: 'The run', required: true }),
  };

  async run(): Promise<ArtifactsLogResult> {
    const { flags } = await this.parse(ArtifactsLogArtifacts);
    const { repositoryFor } = await import('../../artifacts/resolve.js');
    const { uploadFolder } = await import('../../artifacts/transfer.js');
    const store = await this.openStore(flags['tracking-uri']);
    const run = await store.getRun(flags['run-id']);
    const rels = await uploadFolder(await repositoryFor(run.info.artifactUri, store), flags['local-dir'], flags['artifact-path']);
    this.log(`Logged artifact from local dir ${flags['local-dir']} to artifact_path=${flags['artifact-path'] ?? 'None'}`);
    return { run_id: run.info.runId, artifact_paths: rels };
  }
}
