import * as fs from 'node:fs';
import type { Disposable } from '../../engine/ports';

/** How often the watched paths are checked even without a file event (new nested files, NFS). */
const POLL_INTERVAL_MS = 1000;
/** File events arriving together are handled once. */
const COALESCE_MS = 2;

/**
 * Calls `onChange` soon after any of a run's files changes: inotify (fs.watch) for latency
 * (~0.2 ms after an append here), plus a slow poll for what watches miss (files created in
 * sub-folders, network file systems). The set of paths is re-read after each change, so files
 * that appear later are watched too.
 */
export function watchRunFiles(paths: () => readonly string[], onChange: () => void): Disposable {
  const watchers = new Map<string, fs.FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;
  const fire = () => {
    timer = undefined;
    if (disposed) return;
    try {
      onChange();
    } finally {
      rewatch();
    }
  };
  const schedule = () => {
    if (!disposed && timer === undefined) timer = setTimeout(fire, COALESCE_MS);
  };
  const rewatch = () => {
    const wanted = new Set(paths());
    for (const [path, watcher] of watchers) {
      if (wanted.has(path)) continue;
      watcher.close();
      watchers.delete(path);
    }
    for (const path of wanted) {
      if (watchers.has(path)) continue;
      try {
        const watcher = fs.watch(path, { persistent: false }, schedule);
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(path);
        });
        watchers.set(path, watcher);
      } catch {
        // The path vanished between listing and watching; the poll below still covers it.
      }
    }
  };
  rewatch();
  const poll = setInterval(schedule, POLL_INTERVAL_MS);
  poll.unref();
  return {
    dispose() {
      disposed = true;
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
