import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DirectoryEntry, FileSystem } from '../engine/ports';
import { statWithoutStats } from './statWithoutStats';

let temporaryCounter = 0;

/**
 * The temp file of one atomic write: named after its target and the writing process
 * (`.dvc.lock.mlc-<pid>-<n>.tmp`), so one left by a killed mlc says what it was, and is recognisably
 * mlc's own to remove.
 */
function temporaryName(target: string): string {
  return `.${target}.mlc-${process.pid}-${temporaryCounter++}.tmp`;
}

const TEMPORARY = /^\.(.+)\.mlc-(\d+)-\d+\.tmp$/;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Folders this process already swept of dead writers' temp files (once each: writes are frequent). */
const sweptFolders = new Set<string>();

/**
 * Removes the temp files that killed mlc processes left beside `target` (a kill -9 between open and
 * rename): only those named after this same target and written by a process that no longer runs.
 */
function sweepDeadTemporaries(folder: string, target: string): void {
  const key = join(folder, target);
  if (sweptFolders.has(key)) return;
  sweptFolders.add(key);
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (match?.[1] !== target || Number(match[2]) === process.pid || isRunning(Number(match[2]))) continue;
    fs.rmSync(join(folder, name), { force: true });
  }
}

/** Writes through a temp file in the same folder, fsync, rename: readers never see half a file. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string | Iterable<string>): void {
  const file = openAtomicFile(path);
  try {
    // Chunks (a large cache written as it is serialised) never need the whole text at once.
    const chunks = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
    for (const chunk of chunks) file.write(chunk);
  } catch (error) {
    // A failed write (or chunks that threw while produced) leaves neither a temp file nor a change.
    file.discard();
    throw error;
  }
  file.commit();
}

/** A file written a piece at a time that appears whole, or not at all (see openAtomicFile). */
export interface AtomicFile {
  write(chunk: Uint8Array | string): void;
  /** fsync, then the rename over the target; on failure nothing is left but the old file. */
  commit(): void;
  /** Removes the temp file; the target is as it was. */
  discard(): void;
}

/**
 * An atomic write whose content is produced over time (the run index written as the walk finds
 * it): a temp file beside the target, renamed over it only by `commit`.
 */
export function openAtomicFile(path: string): AtomicFile {
  const folder = dirname(path);
  fs.mkdirSync(folder, { recursive: true });
  sweepDeadTemporaries(folder, basename(path));
  const temporary = join(folder, temporaryName(basename(path)));
  let descriptor: number | undefined = fs.openSync(temporary, 'w');
  const close = () => {
    if (descriptor === undefined) return;
    const open = descriptor;
    descriptor = undefined;
    fs.closeSync(open);
  };
  const discard = () => {
    try {
      close();
    } finally {
      fs.rmSync(temporary, { force: true });
    }
  };
  return {
    write(chunk) {
      if (descriptor === undefined) throw new Error(`${temporary} is closed`);
      // A string is written as it is (UTF-8): the binding encodes it on the way, ~8x faster than
      // Buffer.from first for a MiB of JSON here (bench/README "Stop 28").
      // (Two calls: each overload takes one type.)
      if (typeof chunk === 'string') fs.writeSync(descriptor, chunk);
      else fs.writeSync(descriptor, chunk);
    },
    commit() {
      try {
        if (descriptor === undefined) throw new Error(`${temporary} is closed`);
        fs.fsyncSync(descriptor);
        close();
        fs.renameSync(temporary, path);
      } catch (error) {
        discard();
        throw error;
      }
    },
    discard,
  };
}

/**
 * writeFileAtomicSync through fs.promises: the write, fsync and rename run on libuv's threads, so
 * the caller's thread goes on (a run's lock entries and run.json, bench/README stop 23). The same
 * temp name, the same order (write, fsync, close, rename), the same clean-up on failure.
 */
export async function writeFileAtomicAsync(path: string, data: Uint8Array | string): Promise<void> {
  const folder = dirname(path);
  await fs.promises.mkdir(folder, { recursive: true });
  sweepDeadTemporaries(folder, basename(path));
  const temporary = join(folder, temporaryName(basename(path)));
  try {
    const handle = await fs.promises.open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temporary, path);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
}

/**
 * errno codes that mean "no usable file at this path" rather than a broken disk: the engine asks
 * `stat` about paths written in pipeline files, which may loop, go through a file or be too long.
 */
const UNUSABLE_PATH_REASONS: Readonly<Record<string, string>> = {
  ENOENT: '',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ELOOP: 'a symlink loop',
  ENAMETOOLONG: 'the name is too long for the file system',
  EACCES: 'permission denied',
};

function unusablePathReason(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && Object.hasOwn(UNUSABLE_PATH_REASONS, code) ? UNUSABLE_PATH_REASONS[code] : undefined;
}

export const nodeFileSystem: FileSystem = {
  readFile: (path) => fs.readFileSync(path),
  readRange(path, position, length) {
    const descriptor = fs.openSync(path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(length);
      const read = fs.readSync(descriptor, buffer, 0, length, position);
      return buffer.subarray(0, read);
    } finally {
      fs.closeSync(descriptor);
    }
  },
  readText: (path) => fs.readFileSync(path, 'utf8'),
  stat(path) {
    try {
      return statWithoutStats(path);
    } catch (error) {
      if (unusablePathReason(error) !== undefined) return undefined;
      throw error;
    }
  },
  unusableReason(path) {
    try {
      fs.statSync(path);
      return undefined;
    } catch (error) {
      return unusablePathReason(error) || undefined;
    }
  },
  readDirectory(path) {
    return fs.readdirSync(path, { withFileTypes: true }).map((entry): DirectoryEntry => ({
      name: entry.name,
      kind: entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : entry.isSymbolicLink() ? 'symlink' : 'other',
    }));
  },
  realPath(path) {
    try {
      return fs.realpathSync(path);
    } catch {
      return undefined;
    }
  },
  writeFileAtomic: writeFileAtomicSync,
  writeFileAtomicAsync,
  appendFile: (path, data) => fs.appendFileSync(path, data),
  makeDirectory: (path) => fs.mkdirSync(path, { recursive: true }),
  remove: (path) => fs.rmSync(path, { recursive: true, force: true }),
};
