import { type FSWatcher, watch } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Disposable } from '../../engine/ports';

/** A path below the watched folder that was created, changed, deleted or renamed. */
export interface FolderTreeChange {
  readonly path: string;
  /** A folder appeared or went away (with a created folder, its files are reported too). */
  readonly directory: boolean;
}

export interface FolderTreeWatchOptions {
  /** Folders (and files) not to watch, by path relative to the root (`node_modules`, `a/.git`). */
  readonly skip: (relativePath: string) => boolean;
  /** Changes arriving together are reported once (default 20 ms). */
  readonly coalesceMs?: number;
  /** How a created or removed path is told from a folder (default lstat); tests count the calls. */
  readonly examine?: (path: string) => Promise<{ isDirectory(): boolean }>;
}

export interface FolderTreeWatcher extends Disposable {
  /** Resolves once every folder that existed at the start is watched. */
  readonly ready: Promise<void>;
}

/**
 * Reports every change below `root`, from any process, with one inotify watch per folder
 * (`fs.watch`, not recursive). Why not VS Code's recursive watcher (parcel) alone: on Linux it
 * does not watch the inner folders of a `mkdir -p a/b/c` and misses files written into a new
 * folder before its watch starts (parcel-bundler/watcher#97, #243), and VS Code drops the deletes
 * of files inside a deleted folder, so a glob on file names never hears them. Here a new folder is
 * watched first and read second, and every file found in it is reported, so nothing written
 * between its creation and its watch is lost; deleting a folder reports each file in it, because
 * each of its folders is watched.
 */
export function watchFolderTree(
  root: string,
  options: FolderTreeWatchOptions,
  onChanges: (changes: readonly FolderTreeChange[]) => void,
): FolderTreeWatcher {
  const watchers = new Map<string, FSWatcher>();
  const pending = new Map<string, boolean>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const relative = (path: string) => path.slice(root.length + 1);

  const flush = () => {
    timer = undefined;
    if (disposed || pending.size === 0) return;
    const changes = [...pending].map(([path, directory]) => ({ path, directory }));
    pending.clear();
    onChanges(changes);
  };
  const report = (path: string, directory: boolean) => {
    if (disposed) return;
    pending.set(path, directory || pending.get(path) === true);
    timer ??= setTimeout(flush, options.coalesceMs ?? 20);
  };
  const forgetFolder = (folder: string) => {
    for (const [path, watcher] of watchers) {
      if (path !== folder && !path.startsWith(`${folder}/`)) continue;
      watcher.close();
      watchers.delete(path);
    }
  };

  const addFolder = async (folder: string, reportContents: boolean): Promise<void> => {
    if (disposed || watchers.has(folder) || (folder !== root && options.skip(relative(folder)))) return;
    try {
      const watcher = watch(folder, { persistent: false }, (event, name) => onEvent(folder, event, name));
      watcher.on('error', () => forgetFolder(folder));
      watchers.set(folder, watcher);
    } catch {
      return; // gone again, or not a folder
    }
    // Read after the watch started: a file written in between is either listed here or reported
    // by the watch (or both, which the consumer cannot tell from one event).
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await addFolder(path, reportContents);
        else if (reportContents && !options.skip(relative(path))) report(path, false);
      }),
    );
  };

  const examine = options.examine ?? lstat;
  const onEvent = (folder: string, event: string, name: string | Buffer | null) => {
    if (disposed) return;
    if (name === null) {
      report(folder, true);
      return;
    }
    const path = join(folder, name.toString());
    if (options.skip(relative(path))) return;
    const known = watchers.has(path);
    report(path, known);
    // Only a 'rename' (created, deleted, moved) can make or remove a folder; a 'change' is a write to
    // something that exists, and a file a run appends to fires one per write (thousands in a few
    // seconds): no lstat for those on the extension host's loop.
    if (event !== 'rename') return;
    examine(path).then(
      (stats) => {
        if (!stats.isDirectory()) return;
        report(path, true);
        void addFolder(path, true);
      },
      () => {
        if (!known) return;
        forgetFolder(path);
        report(path, true);
      },
    );
  };

  const ready = addFolder(root, false);
  return {
    ready,
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      forgetFolder(root);
      pending.clear();
    },
  };
}
