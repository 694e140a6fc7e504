import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { simpleGit } from 'simple-git';

/**
 * Git plumbing for sharing folders as commits (`mlc push` / `mlc pull`). Folders are staged into
 * a throw-away index (GIT_INDEX_FILE) with the folder as work tree, so the user's index, work tree
 * and branches are never touched. Those commands need their own GIT_* variables, which
 * simple-git's environment guard refuses, so they run through execFile; the rest through
 * simple-git.
 */
export interface FolderCommits {
  /** The tree of `folder`'s files (its objects written into the repository). */
  treeOf(folder: string): Promise<string>;
  /** The commit of `tree` with a fixed author, committer, date and message: the same everywhere. */
  commitOf(tree: string, message: string): Promise<string>;
  /** Remote refs under `prefix` -> commit ids. */
  remoteRefs(remote: string, prefix: string): Promise<Map<string, string>>;
  /** Creates refs on the remote (`commit:ref` each); never forced, so an existing ref never moves. */
  push(remote: string, updates: readonly { commit: string; ref: string }[]): Promise<void>;
  /** Fetches the remote's refs under `prefix` into the same local names; returns ref -> tree id. */
  fetch(remote: string, prefix: string): Promise<Map<string, string>>;
  /** Writes the files of `tree` into `folder` (which must not exist yet). */
  checkout(tree: string, folder: string): Promise<void>;
}

/** Author and date of every shared commit: content alone decides its id. */
const FIXED_IDENTITY = {
  GIT_AUTHOR_NAME: 'mlc',
  GIT_AUTHOR_EMAIL: 'mlc@localhost',
  GIT_AUTHOR_DATE: '1970-01-01T00:00:00+0000',
  GIT_COMMITTER_NAME: 'mlc',
  GIT_COMMITTER_EMAIL: 'mlc@localhost',
  GIT_COMMITTER_DATE: '1970-01-01T00:00:00+0000',
};

const execGit = promisify(execFile);

/** `git args` with extra environment variables; its stdout. */
async function gitWithEnvironment(cwd: string, args: readonly string[], environment: Record<string, string>) {
  const { stdout } = await execGit('git', args, { cwd, env: { ...process.env, ...environment }, maxBuffer: 64 << 20 });
  return stdout;
}

export async function openFolderCommits(cwd: string): Promise<FolderCommits | undefined> {
  const git = simpleGit({ baseDir: cwd });
  let gitDir: string;
  try {
    gitDir = (await git.raw(['rev-parse', '--absolute-git-dir'])).trim();
  } catch {
    return undefined;
  }
  if (gitDir === '') return undefined;
  /** A git for one folder as work tree and a fresh index, removed afterwards. */
  const withScratchIndex = async <T>(
    folder: string,
    use: (scratch: (args: readonly string[]) => Promise<string>) => Promise<T>,
  ): Promise<T> => {
    const indexFolder = mkdtempSync(join(tmpdir(), 'mlc-index-'));
    const environment = { GIT_DIR: gitDir, GIT_WORK_TREE: folder, GIT_INDEX_FILE: join(indexFolder, 'index') };
    try {
      return await use((args) => gitWithEnvironment(folder, args, environment));
    } finally {
      rmSync(indexFolder, { recursive: true, force: true });
    }
  };
  return {
    treeOf: (folder) =>
      withScratchIndex(folder, async (scratch) => {
        // --force: a .gitignore or info/exclude must not drop part of a record.
        await scratch(['-c', 'core.autocrlf=false', 'add', '--all', '--force', '--', '.']);
        return (await scratch(['write-tree'])).trim();
      }),
    async commitOf(tree, message) {
      return (await gitWithEnvironment(cwd, ['commit-tree', tree, '-m', message], FIXED_IDENTITY)).trim();
    },
    async remoteRefs(remote, prefix) {
      const listing = await git.raw(['ls-remote', '--refs', remote, `${prefix}*`]);
      return parseRefListing(listing);
    },
    async push(remote, updates) {
      if (updates.length === 0) return;
      await git.raw(['push', '--quiet', remote, ...updates.map(({ commit, ref }) => `${commit}:${ref}`)]);
    },
    async fetch(remote, prefix) {
      // Forced locally only: the local refs mirror the remote's; the run folders are the records.
      await git.raw(['fetch', '--quiet', '--no-tags', remote, `+${prefix}*:${prefix}*`]);
      const listing = await git.raw(['for-each-ref', '--format=%(objectname) %(refname)', prefix]);
      const trees = new Map<string, string>();
      for (const [ref, commit] of parseRefListing(listing))
        trees.set(ref, (await git.raw(['rev-parse', '--verify', `${commit}^{tree}`])).trim());
      return trees;
    },
    checkout: (tree, folder) =>
      withScratchIndex(folder, async (scratch) => {
        await scratch(['read-tree', tree]);
        await scratch(['checkout-index', '--all', `--prefix=${folder}/`]);
      }),
  };
}

/** `<id>\t<ref>` (ls-remote) or `<id> <ref>` (for-each-ref) lines -> ref -> id. */
function parseRefListing(listing: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of listing.split('\n')) {
    const match = /^([0-9a-f]{40,64})\s+(\S+)$/.exec(line.trim());
    if (match) refs.set(match[2]!, match[1]!);
  }
  return refs;
}
