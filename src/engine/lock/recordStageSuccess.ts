import { dirname, join } from 'pathe';
import type { ContentHasher, FileHash } from '../hashing/ports';
import { compareCodePoints } from '../hashing/serializeDirManifest';
import type { PathEntry, Stage } from '../pipeline/model';
import type { FileSystem } from '../ports';
import { collectStageParams, createParamsFileLoader } from './collectStageParams';
import { type LockedPath, type StageLockEntry, lockFilePathFor } from './model';
import { assertLockWritable, readLockFile, rememberLockFile } from './readLockFile';
import { updateLockText } from './updateLockText';

export { readLockEntry } from './readLockFile';

/** Lock files being written by this process: each write waits for the previous one. */
const pendingWrites = new Map<string, Promise<unknown>>();

function lockedPath(path: string, hash: FileHash | undefined): LockedPath {
  if (!hash) return { path };
  const locked: { -readonly [K in keyof LockedPath]: LockedPath[K] } = {
    path,
    hash: 'md5',
    md5: hash.md5,
    size: hash.size,
  };
  if (hash.nfiles !== undefined) locked.nfiles = hash.nfiles;
  if (hash.isexec === true) locked.isexec = true;
  return locked;
}

async function hashPaths(stage: Stage, entries: readonly PathEntry[], hasher: ContentHasher): Promise<LockedPath[]> {
  const unique = [...new Set(entries.map((entry) => entry.path))].sort(compareCodePoints);
  return Promise.all(unique.map(async (path) => lockedPath(path, await hasher.hash(join(stage.wdir, path), 'md5'))));
}

/**
 * What the lock file should say about a stage right now: deps and outs hashed with plain md5
 * (DVC 3, `hash: md5`), sorted by path; params from their files. Pure apart from reading.
 */
export async function buildLockEntry(
  stage: Stage,
  context: { fs: FileSystem; hasher: ContentHasher },
): Promise<StageLockEntry> {
  const [deps, outs] = await Promise.all([
    hashPaths(stage, stage.deps, context.hasher),
    hashPaths(stage, stage.outs, context.hasher),
  ]);
  const params: Record<string, Record<string, unknown>> = {};
  for (const file of collectStageParams(stage, createParamsFileLoader(context.fs))) {
    if (!file.missing) params[file.file] = { ...file.values };
  }
  return { cmd: stage.cmd, deps, params, outs };
}

/**
 * Records a stage's success: hashes its deps and outs now, reads its params, and writes its entry
 * into dvc.lock / mlc.lock atomically, leaving the other entries' bytes alone; a lock file that
 * exists but could not be read is never written (it throws, so the stage fails). Writes to one lock
 * file are serialised within the process, so stages finishing together never lose an entry.
 * MLproject stages have no lock file: the entry is returned and nothing is written.
 */
export async function recordStageSuccess(
  stage: Stage,
  context: { fs: FileSystem; hasher: ContentHasher },
): Promise<StageLockEntry> {
  const entry = await buildLockEntry(stage, context);
  const lockPath = lockFilePathFor(stage);
  if (!lockPath) return entry;
  const previous = pendingWrites.get(lockPath) ?? Promise.resolve();
  const write = previous.then(() => writeEntry(context.fs, lockPath, stage.name, entry));
  const settled = write.catch(() => undefined);
  pendingWrites.set(lockPath, settled);
  void settled.then(() => {
    if (pendingWrites.get(lockPath) === settled) pendingWrites.delete(lockPath);
  });
  await write;
  await context.hasher.flush();
  return entry;
}

function writeEntry(fs: FileSystem, lockPath: string, name: string, entry: StageLockEntry): void {
  const read = readLockFile(fs, lockPath);
  assertLockWritable(read);
  const { text, parsed } = read;
  const updated = updateLockText(text, parsed.value, name, entry);
  fs.makeDirectory(dirname(lockPath));
  fs.writeFileAtomic(lockPath, updated);
  const stages = new Map(parsed.value.stages);
  stages.set(name, entry);
  rememberLockFile(fs, lockPath, updated, stages, parsed);
}
