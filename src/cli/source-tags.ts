/**
 * The tags MLflow's fluent API puts on a new run from its run context (DefaultRunContext and
 * GitRunContext): `mlflow.user`, `mlflow.source.name`, `mlflow.source.type` and, inside a git
 * checkout, `mlflow.source.git.commit`.
 *
 * MLflow takes the source name from the Python script that started the run. A shell has no such
 * script, so mlf uses the checkout's top-level folder (or the working folder outside git): the
 * place the job ran from, which is what the UI's "Source" column is for.
 */
import { execFile } from 'node:child_process';
import {
  MLFLOW_GIT_COMMIT,
  MLFLOW_SOURCE_NAME,
  MLFLOW_SOURCE_TYPE,
  MLFLOW_USER,
  type RunTag,
} from '../tracking/entities.js';
import { currentUser } from '../stores/common.js';

export interface GitInfo {
  commit: string;
  topLevel: string;
}

/** HEAD's commit and the checkout's top-level folder, or null outside git (or without a git binary). */
export function gitInfo(cwd: string = process.cwd()): Promise<GitInfo | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['rev-parse', 'HEAD', '--show-toplevel'],
      { cwd, timeout: 5000, windowsHide: true },
      (err, stdout) => {
        if (err) return resolve(null);
        const [commit, topLevel] = stdout.trim().split('\n');
        if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return resolve(null);
        resolve({ commit, topLevel: topLevel || cwd });
      },
    );
  });
}

/** The context tags for a new run, computed once per invocation. */
export async function sourceTags(cwd: string = process.cwd()): Promise<RunTag[]> {
  const git = await gitInfo(cwd);
  const tags: RunTag[] = [
    { key: MLFLOW_USER, value: currentUser() },
    { key: MLFLOW_SOURCE_NAME, value: git?.topLevel ?? cwd },
    { key: MLFLOW_SOURCE_TYPE, value: 'LOCAL' },
  ];
  if (git) tags.push({ key: MLFLOW_GIT_COMMIT, value: git.commit });
  return tags;
}
