import { basename, relative } from 'pathe';
import type { Clock } from '../ports';
import type { RunSource, RunStatus } from '../runs/model';

/**
 * What the readers of file-based run outputs (TensorBoard, DVCLive, CSV loggers) need besides a
 * file system: the workspace root (run ids are workspace-relative paths), a clock and the quiet
 * period after which a run nobody writes to any more stops counting as running.
 */
export interface FileRunReaderOptions {
  readonly workspaceRoot: string;
  readonly clock: Clock;
  /** A run whose files changed less than this long ago counts as running. Default 5 minutes. */
  readonly staleAfterMs?: number;
  /** Whether a process id is alive (DVCLive signal files carry the writer's pid). */
  readonly isProcessAlive?: (pid: number) => boolean;
}

export const DEFAULT_STALE_AFTER_MS = 5 * 60 * 1000;

/** `<source>:<workspace-relative path>`, with `.` for the workspace root itself. */
export function workspaceRunId(source: string, workspaceRoot: string, path: string): string {
  return `${source}:${workspaceRelativePath(workspaceRoot, path)}`;
}

/**
 * The id, source and display name of a run read from files at `path`: the name is the
 * workspace-relative path, or the folder's own name for a run at the workspace root.
 */
export function workspaceRunIdentity(
  source: RunSource,
  workspaceRoot: string,
  path: string,
): { readonly id: string; readonly source: RunSource; readonly name: string } {
  const relativePath = workspaceRelativePath(workspaceRoot, path);
  return { id: `${source}:${relativePath}`, source, name: relativePath === '.' ? basename(path) : relativePath };
}

export function workspaceRelativePath(workspaceRoot: string, path: string): string {
  // The common case, a normalised POSIX path below a normalised root, is the rest of the string:
  // pathe's relative resolves and splits both paths, which cost a tenth of listing a Lightning run.
  if (
    path.length > workspaceRoot.length + 1 &&
    path.charCodeAt(workspaceRoot.length) === SLASH &&
    path.startsWith(workspaceRoot) &&
    NORMALISED_POSIX_ROOT.test(workspaceRoot)
  ) {
    const rest = path.slice(workspaceRoot.length + 1);
    if (!NOT_NORMALISED.test(rest)) return rest;
  }
  const relativePath = relative(workspaceRoot, path);
  return relativePath === '' ? '.' : relativePath;
}

const SLASH = 47;
/** `/a/b`: absolute, no empty, `.` or `..` segment, no backslash, no trailing slash (`/` itself is not). */
const NORMALISED_POSIX_ROOT = /^(?:\/(?!\.\.?(?:\/|$))[^/\\]+)+$/;
/** A relative tail that pathe would rewrite: empty, `.` or `..` segments, backslashes, a trailing slash. */
const NOT_NORMALISED = /(?:^|\/)\.{0,2}(?:\/|$)|\\/;

/**
 * Status of a run whose format has no "finished" marker: running while its files keep changing,
 * interrupted when it went quiet in the middle of a line or record (the writer died mid-write),
 * succeeded otherwise. Readers with better signals (DVCLive's pid files) decide before this.
 */
export function inferFileRunStatus(facts: {
  readonly newestMtimeMs: number | undefined;
  readonly endsTorn: boolean;
  readonly now: number;
  readonly staleAfterMs: number;
  /**
   * The wall time of the newest record, for formats whose records carry one (TensorBoard events).
   * Files modified long after it were copied or restored, not written by a live writer (a writer
   * flushes within minutes: TensorBoard's every 120 s), so they do not make the run running.
   */
  readonly lastRecordedAtMs?: number;
}): RunStatus {
  const recentlyModified = facts.newestMtimeMs !== undefined && facts.now - facts.newestMtimeMs < facts.staleAfterMs;
  const writtenLongAfterItsRecords =
    facts.newestMtimeMs !== undefined &&
    facts.lastRecordedAtMs !== undefined &&
    facts.newestMtimeMs - facts.lastRecordedAtMs > facts.staleAfterMs;
  if (recentlyModified && !writtenLongAfterItsRecords) return 'running';
  return facts.endsTorn ? 'interrupted' : 'succeeded';
}
