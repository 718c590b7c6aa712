// mlf reads HEAD's commit from the .git files (no `git` process per `runs log`): whatever the
// layout, it must agree with `git rev-parse HEAD --show-toplevel`, or hand the question to git.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gitInfo, readGitInfo } from '../../src/cli/source-tags.js';

const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-source-tags-')));
const repo = path.join(base, 'repo');
const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
}

/** What git itself answers, or null where it fails. */
function revParse(cwd: string): { commit: string; topLevel: string } | null {
  try {
    const [commit, topLevel] = git(cwd, 'rev-parse', 'HEAD', '--show-toplevel').split('\n');
    return { commit: commit!, topLevel: topLevel! };
  } catch {
    return null;
  }
}

function commit(cwd: string, file: string): void {
  fs.writeFileSync(path.join(cwd, file), file);
  git(cwd, 'add', file);
  git(cwd, 'commit', '-q', '-m', file);
}

beforeAll(() => {
  fs.mkdirSync(path.join(repo, 'sub', 'deeper'), { recursive: true });
  git(repo, 'init', '-q');
  commit(repo, 'a.txt');
});

describe('HEAD from the .git files', () => {
  it('agrees with git on a branch with a loose ref, from the top and from a subfolder', () => {
    expect(readGitInfo(repo)).toEqual(revParse(repo));
    expect(readGitInfo(path.join(repo, 'sub', 'deeper'))).toEqual(revParse(path.join(repo, 'sub', 'deeper')));
    expect(readGitInfo(repo)?.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('agrees with git once refs are packed', () => {
    commit(repo, 'b.txt');
    git(repo, 'pack-refs', '--all');
    expect(readGitInfo(repo)).toEqual(revParse(repo));
  });

  it('agrees with git on a detached HEAD', () => {
    const first = git(repo, 'rev-list', '--max-parents=0', 'HEAD');
    git(repo, 'checkout', '-q', first);
    expect(readGitInfo(repo)).toEqual(revParse(repo));
    git(repo, 'checkout', '-q', '-');
  });

  it('agrees with git in a linked worktree (a .git file and a commondir)', () => {
    const wt = path.join(base, 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'other', wt);
    commit(wt, 'c.txt');
    expect(readGitInfo(wt)).toEqual(revParse(wt));
    expect(readGitInfo(wt)?.commit).not.toBe(readGitInfo(repo)?.commit);
  });

  it('has no commit on a branch with no commit yet, as git fails there', () => {
    const empty = path.join(base, 'empty');
    fs.mkdirSync(empty);
    git(empty, 'init', '-q');
    expect(revParse(empty)).toBeNull();
    expect(readGitInfo(empty)).toBeNull();
  });

  it('has no checkout outside one', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-source-tags-out-'));
    expect(readGitInfo(outside)).toBe(revParse(outside));
    expect(await gitInfo(outside)).toBeNull();
  });

  it('leaves a path inside .git, or GIT_DIR, to git itself', async () => {
    expect(readGitInfo(path.join(repo, '.git', 'refs'))).toBeUndefined();
    expect(await gitInfo(path.join(repo, '.git', 'refs'))).toEqual(revParse(path.join(repo, '.git', 'refs')));
    process.env.GIT_DIR = path.join(repo, '.git');
    try {
      expect(readGitInfo(repo)).toBeUndefined();
    } finally {
      delete process.env.GIT_DIR;
    }
  });
});
