import { join } from 'pathe';
import type { FileSystem } from '../ports';
import { type WalkOptions, walkWorkspace } from '../workspace/walkWorkspace';
import { isPipelineFileName } from './pipelineFileNames';

/**
 * Every pipeline file below `root`, nested projects included (dependency, VCS, .mlc and virtualenv
 * folders are skipped by walkWorkspace). Absolute paths, sorted.
 */
export function discoverPipelines(fs: FileSystem, root: string, options?: WalkOptions): string[] {
  const found: string[] = [];
  walkWorkspace(
    fs,
    root,
    (folder, entries) => {
      for (const entry of entries) {
        if ((entry.kind === 'file' || entry.kind === 'symlink') && isPipelineFileName(entry.name))
          found.push(join(folder, entry.name));
      }
    },
    options,
  );
  return found.sort();
}
