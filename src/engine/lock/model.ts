import { basename, dirname, join } from 'pathe';
import type { Stage } from '../pipeline/model';

/**
 * What a lock file records about one stage after its last success (FORMATS.md §1.9). The same
 * shape serves dvc.lock (DVC's schema 2.0, byte-compatible) and mlc.lock (the same schema, so one
 * reader, one writer and `dvc` itself can read mlc.lock too).
 */
export interface LockedPath {
  /** As written in the pipeline file (relative to the stage's wdir), matched as a plain string. */
  readonly path: string;
  /** Plain md5, or md5-dos2unix when `hash` is absent (DVC 2 entries); `.dir` for directories. */
  readonly md5?: string;
  readonly size?: number;
  readonly nfiles?: number;
  readonly isexec?: boolean;
  /** `md5` marks a DVC 3 (plain md5) hash; absent means the legacy md5-dos2unix. */
  readonly hash?: string;
}

export interface StageLockEntry {
  readonly cmd: string | readonly string[];
  readonly deps: readonly LockedPath[];
  /** params file (as written, relative to wdir) -> key -> value. */
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly outs: readonly LockedPath[];
}

export interface LockFileContent {
  /** 1 for DVC 1.x files (no `schema`, stages at the top level), 2 for schema '2.0'. */
  readonly version: 1 | 2;
  readonly stages: ReadonlyMap<string, StageLockEntry>;
  /**
   * Stages whose entries are in the file but could not be read (`lockEntryInvalid`): they count
   * as never run, and writing another entry keeps their bytes.
   */
  readonly invalidEntries?: readonly string[];
}

/**
 * The lock file that records a stage: dvc.yaml -> dvc.lock, mlc.yaml -> mlc.lock, any other
 * `<name>.yaml` -> `<name>.lock` beside it. MLproject entry points have none (undefined).
 */
export function lockFilePathFor(stage: Pick<Stage, 'pipelineFile'>): string | undefined {
  // Asked per stage (1,000 stages of one mlc.yaml in a status or a run): one answer per file.
  const known = lockPathByPipelineFile.get(stage.pipelineFile);
  if (known !== undefined || lockPathByPipelineFile.has(stage.pipelineFile)) return known;
  const name = basename(stage.pipelineFile);
  const match = /^(.*)\.ya?ml$/i.exec(name);
  const path = match ? join(dirname(stage.pipelineFile), `${match[1]}.lock`) : undefined;
  if (lockPathByPipelineFile.size < 4096) lockPathByPipelineFile.set(stage.pipelineFile, path);
  return path;
}

const lockPathByPipelineFile = new Map<string, string | undefined>();

/** The algorithm a locked hash was computed with. */
export function lockedAlgorithm(locked: LockedPath): 'md5' | 'md5-dos2unix' {
  return locked.hash === 'md5' ? 'md5' : 'md5-dos2unix';
}
