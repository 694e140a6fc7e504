import { join } from 'pathe';
import type { FileSystem } from '../ports';
import type { PlotRevisionFiles } from './ports';

/** Plot files as they are in the working tree now (the `workspace` revision of `dvc plots diff`). */
export function workspacePlotFiles(fs: FileSystem, workspaceRoot: string): PlotRevisionFiles {
  const isFile = (path: string) => fs.stat(join(workspaceRoot, path))?.kind === 'file';
  return {
    absentReason: () => 'not in the workspace',
    async readText(path) {
      if (!isFile(path)) return undefined;
      try {
        return fs.readText(join(workspaceRoot, path));
      } catch {
        return undefined; // removed or unreadable between the stat and the read
      }
    },
    async listFiles(folder) {
      if (fs.stat(join(workspaceRoot, folder))?.kind !== 'directory') return undefined;
      const files: string[] = [];
      const walk = (relativeFolder: string) => {
        let entries;
        try {
          entries = fs.readDirectory(join(workspaceRoot, relativeFolder));
        } catch {
          return;
        }
        for (const entry of entries) {
          const path = `${relativeFolder}/${entry.name}`;
          const kind = entry.kind === 'symlink' ? fs.stat(join(workspaceRoot, path))?.kind : entry.kind;
          if (kind === 'directory' && entry.kind !== 'symlink') walk(path);
          else if (kind === 'file') files.push(path);
        }
      };
      walk(folder.replace(/\/+$/, ''));
      return files.sort();
    },
    async hasFile(path) {
      return isFile(path);
    },
  };
}
