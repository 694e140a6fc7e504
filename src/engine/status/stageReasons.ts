import { basename, join, normalize } from 'pathe';
import type { FileHash, HashAlgorithm } from '../hashing/ports';
import { NOT_A_FILE_OR_FOLDER, unhashableReason } from '../hashing/unhashableReason';
import { formatPythonValue } from '../params/formatPythonValue';
import type { Output, PathEntry, Stage } from '../pipeline/model';
import { isPlainRelativePath } from '../pipeline/outputIndex';
import { type ParamsFileLoader, collectStageParams } from '../lock/collectStageParams';
import { type LockedPath, type StageLockEntry, lockedAlgorithm } from '../lock/model';
import { type ReadLock, lockFileError } from '../lock/readLockFile';
import type { FileStat } from '../ports';
import { pythonEquals } from './pythonEquals';

/** A hash known at once (ContentHasher.hashIfKnown) comes as it is; any other as a promise. */
export type HashLookup = (
  absolutePath: string,
  algorithm: HashAlgorithm,
) => FileHash | undefined | Promise<FileHash | undefined>;
export type StatLookup = (absolutePath: string) => FileStat | undefined;

/**
 * Why a stage with a lock entry is not up to date, in DVC's order (FORMATS.md §1.12): command,
 * then deps (unless always changed), then params, then outs. Empty means up to date.
 */
export async function stageReasons(
  stage: Stage,
  locked: StageLockEntry,
  hash: HashLookup,
  stat: StatLookup,
  loadParams: ParamsFileLoader,
): Promise<string[]> {
  const reasons: string[] = [];
  if (!commandsEqual(locked.cmd, stage.cmd)) reasons.push('cmd changed');
  const isCallback = stage.deps.length === 0 && stage.params.length === 0 && stage.outs.length === 0;
  if (stage.alwaysChanged || isCallback) reasons.push('always changed');
  else {
    reasons.push(...(await pathReasons('dep', stage, stage.deps, locked.deps, hash, stat)));
    reasons.push(...paramReasons(stage, locked, loadParams));
  }
  reasons.push(...(await pathReasons('out', stage, stage.outs, locked.outs, hash, stat)));
  return reasons;
}

/**
 * Why a stage without a lock entry has none, when the lock file knows: the file could not be read
 * (`lock dvc.lock unreadable: git merge conflict markers at line 12`, the problem's first clause)
 * or the stage's entry is malformed. Empty when the stage was simply never recorded.
 */
export function missingEntryReasons(lockPath: string, read: ReadLock, name: string): string[] {
  const error = lockFileError(read);
  if (error) return [`lock ${basename(lockPath)} unreadable: ${error.message.split('; ')[0]!.replace(/\.$/, '')}`];
  if (read.parsed.value.invalidEntries?.includes(name)) return [`lock ${basename(lockPath)} entry malformed`];
  return [];
}

function commandsEqual(locked: string | readonly string[], current: string | readonly string[]): boolean {
  if (typeof locked === 'string' || typeof current === 'string') return locked === current;
  return locked.length === current.length && locked.every((part, index) => part === current[index]);
}

/**
 * Deps and outs: the lock entry is found by the path string exactly as written. Missing now ->
 * `deleted` (deps) / `missing` (outs), unless a FIFO, socket or device took its place (the hasher
 * has no hash for those either); a different hash, or no recorded hash -> `modified`. The
 * current hash uses the recorded algorithm (legacy entries without `hash: md5` use dos2unix).
 */
async function pathReasons(
  kind: 'dep' | 'out',
  stage: Stage,
  entries: readonly (PathEntry | Output)[],
  lockedPaths: readonly LockedPath[],
  hash: HashLookup,
  stat: StatLookup,
): Promise<string[]> {
  const byPath = new Map(lockedPaths.map((locked) => [locked.path, locked]));
  const paths = [...new Set(entries.map((entry) => entry.path))];
  // Every hash asked for first, then one await for those not known at once (none when the stat
  // cache knows them all, as in an up-to-date run): no promise of our own per path.
  const absolutes = paths.map((path) => stagePath(stage.wdir, path));
  const answers = paths.map((path, index) => {
    const locked = byPath.get(path);
    return hash(absolutes[index]!, locked ? lockedAlgorithm(locked) : 'md5');
  });
  const hashes = answers.some((answer) => answer instanceof Promise)
    ? await Promise.all(answers)
    : (answers as (FileHash | undefined)[]);
  const reasons: string[] = [];
  for (const [index, path] of paths.entries()) {
    const current = hashes[index];
    if (!current && unhashableReason(stat(absolutes[index]!))) reasons.push(`${kind} ${path} ${NOT_A_FILE_OR_FOLDER}`);
    else if (!current) reasons.push(`${kind} ${path} ${kind === 'dep' ? 'deleted' : 'missing'}`);
    else if (byPath.get(path)?.md5 !== current.md5) reasons.push(`${kind} ${path} modified`);
  }
  return reasons;
}

/** Whether each wdir seen is already normalised (a handful per workspace). */
const normalWdirs = new Map<string, boolean>();

/**
 * pathe's `join(wdir, path)`, without its normalising for the usual case of a plain relative path
 * below a normalised wdir (4,000 joins in an up-to-date run of 1,000 stages).
 */
export function stagePath(wdir: string, path: string): string {
  let normal = normalWdirs.get(wdir);
  if (normal === undefined) {
    normal = !wdir.endsWith('/') && normalize(wdir) === wdir;
    if (normalWdirs.size < 1024) normalWdirs.set(wdir, normal);
  }
  return normal && isPlainRelativePath(path) ? `${wdir}/${path}` : join(wdir, path);
}

/** Params: per tracked key, `new` (not in the lock), `deleted` (not in the file), or `old -> new`. */
function paramReasons(stage: Stage, locked: StageLockEntry, loadParams: ParamsFileLoader): string[] {
  const reasons: string[] = [];
  for (const file of collectStageParams(stage, loadParams)) {
    const lockedValues = locked.params[file.file];
    const keys = file.wholeFile ? union(file.keys, Object.keys(lockedValues ?? {})) : file.keys;
    for (const key of keys) {
      const isCurrent = Object.hasOwn(file.values, key);
      const isLocked = lockedValues !== undefined && Object.hasOwn(lockedValues, key);
      if (!isCurrent) reasons.push(`param ${key} deleted`);
      else if (!isLocked) reasons.push(`param ${key} new`);
      else if (!pythonEquals(lockedValues[key], file.values[key])) {
        reasons.push(`param ${key} ${formatPythonValue(lockedValues[key])} -> ${formatPythonValue(file.values[key])}`);
      }
    }
  }
  return reasons;
}

function union(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])];
}
