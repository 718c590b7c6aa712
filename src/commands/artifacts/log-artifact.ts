import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export interface ArtifactsLogResult {
  run_id: string;
  artifact_paths: string[];
}

export default class ArtifactsLogArtifact extends BaseCommand<typeof ArtifactsLogArtifact> {
  static override description = `Upload a local file into a run's artifacts (MLflow's \`mlflow artifacts log-artifact\`), under --artifact-path if given.

Works with local and file: artifact roots and, over an http(s) tracking URI, the server's mlflow-artifacts proxy. The file is streamed, never held in memory.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --run-id "$RUN" --local-file model.pkl --artifact-path model',
    '<%= config.bin %> <%= command.id %> -r "$RUN" -l report.html --tracking-uri http://127.0.0.1:5000',
  ];
  static override flags = {
    'artifact-path': Flags.string({ char: 'a', description: 'Folder inside the run\'s artifacts' }),
    'local-file': Flags.string({ char: 'l', description: 'The file to upload', required: true }),
    'run-id': Flags.string({ char: 'r', description: 'The run', required: true }),
  };

  async run(): Promise<ArtifactsLogResult> {
    const { flags } = await this.parse(ArtifactsLogArtifact);
    const { repositoryFor } = await import('../../artifacts/resolve.js');
    const { uploadFile } = await import('../../artifacts/transfer.js');
    const store = await this.openStore(flags['tracking-uri']);
    const run = await store.getRun(flags['run-id']);
    const rel = await uploadFile(await repositoryFor(run.info.artifactUri, store), flags['local-file'], flags['artifact-path']);
    this.log(`Logged artifact from local file ${flags['local-file']} to artifact_path=${flags['artifact-path'] ?? 'None'}`);
    return { run_id: run.info.runId, artifact_paths: [rel] };
  }
}
