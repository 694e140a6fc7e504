import type { DirectoryEntry, FileSystem } from '../../engine/ports';

/**
 * The file system as discovery should see it when the pipeline files are already known (found by
 * VS Code's file search, which runs outside the extension host): listing a folder returns only
 * the known pipeline files in it and the subfolders that lead to one. Every other call goes to
 * `base`. So `loadWorkspace` walks a handful of folders instead of the whole workspace on every
 * keystroke, and the extension host never walks a big repository.
 */
export function pipelineDiscoveryFileSystem(
  base: FileSystem,
  root: string,
  pipelineFiles: readonly string[],
): FileSystem {
  const listing = new Map<string, Map<string, DirectoryEntry>>();
  const add = (folder: string, entry: DirectoryEntry) => {
    const entries = listing.get(folder) ?? new Map<string, DirectoryEntry>();
    entries.set(entry.name, entry);
    listing.set(folder, entries);
  };
  for (const file of pipelineFiles) {
    if (!file.startsWith(`${root}/`)) continue;
    const parts = file.slice(root.length + 1).split('/');
    let folder = root;
    parts.forEach((name, index) => {
      const isFile = index === parts.length - 1;
      add(folder, { name, kind: isFile ? 'file' : 'directory' });
      folder = `${folder}/${name}`;
    });
  }
  return {
    ...base,
    readDirectory: (path) => [...(listing.get(path.endsWith('/') ? path.slice(0, -1) : path)?.values() ?? [])],
  };
}
