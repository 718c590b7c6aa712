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
import fs from 'node:fs';
import path from 'node:path';
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

/**
 * HEAD's commit and the checkout's top-level folder, or null outside git (or without a git binary).
 * Read from the .git files, as MLflow's GitPython does (a `git` process costs more than the rest of
 * `runs log`); anything unusual (GIT_* settings, reftable, a folder owned by someone else, a path
 * inside .git) is asked of `git rev-parse` itself.
 */
export async function gitInfo(cwd: string = process.cwd()): Promise<GitInfo | null> {
  const read = readGitInfo(cwd);
  return read === undefined ? gitRevParse(cwd) : read;
}

function gitRevParse(cwd: string): Promise<GitInfo | null> {
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

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The checkout from its files: null when there is none, undefined when git itself should say. */
export function readGitInfo(cwd: string): GitInfo | null | undefined {
  if (GIT_DISCOVERY_ENV.some((k) => process.env[k] !== undefined)) return undefined;
  try {
    const device = fs.statSync(cwd).dev;
    for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
      // git stops looking at a file-system boundary (GIT_DISCOVERY_ACROSS_FILESYSTEM).
      if (fs.statSync(dir).dev !== device) return undefined;
      const dotGit = path.join(dir, '.git');
      const st = fs.statSync(dotGit, { throwIfNoEntry: false });
      if (st) {
        // git refuses a checkout owned by another user (safe.directory) unless configured: let it decide.
        if (process.getuid && st.uid !== process.getuid()) return undefined;
        const gitDir = st.isDirectory() ? dotGit : gitDirFromFile(dotGit);
        if (!gitDir || /^\s*worktree\s*=/m.test(readIfExists(path.join(gitDir, 'config')))) return undefined;
        const commit = resolveHead(gitDir);
        return commit === undefined ? undefined : commit === null ? null : { commit, topLevel: dir };
      }
      if (path.basename(dir) === '.git' || fs.existsSync(path.join(dir, 'HEAD'))) return undefined; // inside a git dir, or a bare repository
      if (path.dirname(dir) === dir) return null;
    }
  } catch {
    return undefined;
  }
}

/** Settings that change where git finds the repository, its work tree or its refs. */
const GIT_DISCOVERY_ENV = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM',
  'GIT_NAMESPACE', 'GIT_CONFIG', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_SYSTEM', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_PARAMETERS',
];

function readIfExists(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** A worktree's or submodule's `.git` file: `gitdir: <path>`. */
function gitDirFromFile(file: string): string | undefined {
  const m = /^gitdir: (.+)$/m.exec(fs.readFileSync(file, 'utf8'));
  return m ? path.resolve(path.dirname(file), m[1]!.trim()) : undefined;
}

/** HEAD's commit: a sha, null for a branch with no commit yet, undefined when unsure. */
function resolveHead(gitDir: string): string | null | undefined {
  const commonFile = path.join(gitDir, 'commondir');
  const commonDir = fs.existsSync(commonFile) ? path.resolve(gitDir, fs.readFileSync(commonFile, 'utf8').trim()) : gitDir;
  if (fs.existsSync(path.join(commonDir, 'reftable'))) return undefined;
  let content = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
  for (let hops = 0; hops < 5; hops++) {
    if (SHA.test(content)) return content;
    const m = /^ref: (refs\/\S+)$/.exec(content);
    if (!m) return undefined;
    const ref = m[1]!;
    const loose = [path.join(gitDir, ref), path.join(commonDir, ref)].find((f) => fs.existsSync(f));
    if (loose) {
      content = fs.readFileSync(loose, 'utf8').trim();
      continue;
    }
    const packed = path.join(commonDir, 'packed-refs');
    if (!fs.existsSync(packed)) return null;
    const line = fs.readFileSync(packed, 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`) && !l.startsWith('#'));
    return line ? (SHA.test(line.split(' ')[0]!) ? line.split(' ')[0]! : undefined) : null;
  }
  return undefined;
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
