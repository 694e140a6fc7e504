import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import type { PlotRevisionFiles } from '../../engine/plots/ports';
import type { FileSystem } from '../../engine/ports';
import { openGitRevision } from '../git/gitRevisionFiles';

/** A run's plot files, with the bytes (images) for the panel to show. */
export interface RunPlotFiles extends PlotRevisionFiles {
  readBytes(path: string): Promise<Uint8Array | undefined>;
}

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/**
 * The plot files as a run left them. mlc keeps no copy of a run's outputs, so each file is looked
 * for where that exact content may still be: when the run recorded the file's md5 (an out of one of
 * its stages), the working tree, then DVC's cache, then the run's git commit, each only if the
 * bytes hash to the recorded md5; without a recorded md5 (a plot that is not an out of a stage the
 * run ran, or another tool's run) the file as committed at the run's git commit. Anything else is
 * absent, with the reason.
 */
export async function openRunPlotFiles(options: {
  readonly fs: FileSystem;
  readonly workspaceRoot: string;
  readonly runId: string;
  /** The commit the run recorded (undefined: none, e.g. not a git repository). */
  readonly commit: string | undefined;
  /** Workspace-relative path -> md5 the run recorded (recordedOutHashes). */
  readonly recordedHashes: ReadonlyMap<string, string>;
}): Promise<RunPlotFiles> {
  const { fs, workspaceRoot, runId, recordedHashes } = options;
  const revision = options.commit === undefined ? undefined : await openGitRevision(workspaceRoot, options.commit);
  const git = simpleGit({ baseDir: workspaceRoot });
  const short = revision?.commit.slice(0, 7);
  const readLocal = (path: string): Uint8Array | undefined => {
    try {
      return fs.stat(path)?.kind === 'file' ? fs.readFile(path) : undefined;
    } catch {
      return undefined;
    }
  };
  const readCommitted = async (path: string): Promise<Uint8Array | undefined> => {
    if (!revision) return undefined;
    try {
      return new Uint8Array(await git.binaryCatFile(['blob', `${revision.commit}:./${path}`]));
    } catch {
      return undefined; // not in that commit
    }
  };
  const cached = new Map<string, Promise<Uint8Array | undefined>>();
  const lookUp = (path: string) => {
    let found = cached.get(path);
    if (!found) {
      found = (async () => {
        const recorded = recordedHashes.get(path);
        if (recorded === undefined) return readCommitted(path);
        const dvcCache = join(workspaceRoot, '.dvc', 'cache');
        const candidates = [
          () => readLocal(join(workspaceRoot, path)),
          () => readLocal(join(dvcCache, 'files', 'md5', recorded.slice(0, 2), recorded.slice(2))),
          () => readLocal(join(dvcCache, recorded.slice(0, 2), recorded.slice(2))),
          () => readCommitted(path),
        ];
        for (const candidate of candidates) {
          const bytes = await candidate();
          if (bytes && md5(bytes) === recorded) return bytes;
        }
        return undefined;
      })();
      cached.set(path, found);
    }
    return found;
  };
  return {
    absentReason(path) {
      if (recordedHashes.has(path)) {
        return `run ${runId} wrote md5 ${recordedHashes.get(path)!.slice(0, 8)}, and no copy with that content is left (working tree, DVC cache${short ? `, commit ${short}` : ''})`;
      }
      if (!revision) return `run ${runId} recorded no git commit and mlc keeps no copy of its outputs`;
      return `not in commit ${short} (the run's commit; mlc keeps no copy of outputs)`;
    },
    async readText(path) {
      const bytes = await lookUp(path);
      return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
    },
    async readBytes(path) {
      return lookUp(path);
    },
    async hasFile(path) {
      return (await lookUp(path)) !== undefined;
    },
    async listFiles(folder) {
      const prefix = `${folder.replace(/\/+$/, '')}/`;
      const files = new Set<string>();
      for (const path of recordedHashes.keys()) if (path.startsWith(prefix)) files.add(path);
      if (revision) {
        try {
          const listed = await git.raw(['ls-tree', '-r', '--name-only', '-z', revision.commit, '--', `./${prefix}`]);
          for (const path of listed.split('\0')) if (path !== '') files.add(path);
        } catch {
          // not a folder in that commit
        }
      }
      const isFolderNow = fs.stat(join(workspaceRoot, folder))?.kind === 'directory';
      return files.size > 0 || isFolderNow ? [...files].sort() : undefined;
    },
  };
}
