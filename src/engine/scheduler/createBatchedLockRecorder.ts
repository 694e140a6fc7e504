import { dirname } from 'pathe';
import type { ContentHasher } from '../hashing/ports';
import { lockFilePathFor, type StageLockEntry } from '../lock/model';
import { assertLockWritable, lockFileError, readLockFile, rememberLockFile } from '../lock/readLockFile';
import { buildLockEntry } from '../lock/recordStageSuccess';
import { serializeLockFile } from '../lock/serializeLockEntry';
import { updateLockText } from '../lock/updateLockText';
import type { Stage } from '../pipeline/model';
import type { FileStat, FileSystem, TimerHandle, Timers } from '../ports';
import { isSameFileVersion } from '../racyWindow';

export interface BatchedLockRecorder {
  /** Hashes the stage now and queues its lock entry; the entry reaches disk at the next flush. */
  record(stage: Stage): Promise<StageLockEntry>;
  /**
   * Writes every entry queued so far: one atomic write per lock file, whatever the number of
   * entries, off the main thread where the file system can (`writeFileAtomicAsync`). Resolves once
   * those entries, and every write asked for before, are on disk; rejects when a write failed
   * (its entries stay queued: the next flush writes them again).
   */
  flush(): Promise<void>;
}

/**
 * Lock entries for a run, written in groups. recordStageSuccess writes (and fsyncs) the whole
 * lock file per stage, which is ~10 ms and O(file size) each: for 1,000 quick stages the lock
 * file, not the stages, sets the pace. Here entries finishing within `delayMs` share one write.
 * A second, not less, and the write, fsync and rename on libuv's threads: a synchronous write (a
 * rewrite of the whole file and an fsync, 10-60 ms on a busy disk) blocked mlc's main thread,
 * and a slot freed meanwhile waited to start its next stage (0.7-2.3 s of a 1,000-stage -j2 run,
 * bench/README stops 22 and 23). Writes are serialised: each reads the file the previous one
 * left, so no rename lands out of order. The scheduler awaits a flush before it checks a stage's
 * status again and when the run ends, so nothing reads a stale lock file; a crash loses at most
 * the last second of entries, and those stages simply run again next time (never the other way
 * round: an entry is queued only after its stage succeeded). The run's record is written only
 * after a flush (RunRecorder's `beforeWrite`), so run.json never says a stage succeeded whose
 * entry a crash lost.
 */
export function createBatchedLockRecorder(
  context: { readonly fs: FileSystem; readonly hasher: ContentHasher; readonly timers: Timers },
  delayMs = 1000,
): BatchedLockRecorder {
  const { fs } = context;
  let pending = new Map<string, Map<string, StageLockEntry>>();
  /** What this recorder last wrote per lock file: canonical by construction, no need to check. */
  const written = new Map<string, string>();
  /** The stat of each lock file right after this recorder's last canonical write of it. */
  const statAfterWrite = new Map<string, FileStat>();
  const isAsWritten = (lockPath: string) => {
    const after = statAfterWrite.get(lockPath);
    const now = after && fs.stat(lockPath);
    return after !== undefined && now !== undefined && isSameFileVersion(after, now);
  };
  let timer: TimerHandle | undefined;
  /** The last write asked for (settled either way): the next one starts after it. */
  let writing: Promise<void> = Promise.resolve();
  const writeFile = async (path: string, text: string) => {
    if (fs.writeFileAtomicAsync) await fs.writeFileAtomicAsync(path, text);
    else fs.writeFileAtomic(path, text);
  };

  /** Entries of a failed write go back in the queue, behind any newer entry of the same stage. */
  const requeue = (lockPath: string, entries: ReadonlyMap<string, StageLockEntry>) => {
    const newer = pending.get(lockPath);
    pending.set(lockPath, newer ? new Map([...entries, ...newer]) : new Map(entries));
  };

  const writeBatch = async (batch: Map<string, Map<string, StageLockEntry>>) => {
    for (const [lockPath, entries] of batch) {
      batch.delete(lockPath);
      try {
        await writeLockFile(lockPath, entries);
      } catch (error) {
        requeue(lockPath, entries);
        for (const [otherPath, otherEntries] of batch) requeue(otherPath, otherEntries);
        throw error;
      }
    }
  };

  const writeLockFile = async (lockPath: string, entries: ReadonlyMap<string, StageLockEntry>) => {
    const read = readLockFile(fs, lockPath);
    // record() refused while it was unreadable; if it became so since (a merge during the
    // run), leave it alone: these entries are lost as in a crash and their stages run again.
    if (lockFileError(read)) return;
    const { text, parsed } = read;
    const stages = new Map(parsed.value.stages);
    let invalidEntries = parsed.value.invalidEntries ?? [];
    // A file in the canonical layout (as mlc and DVC write it) is rewritten whole in one pass;
    // any other file gets its entries replaced one by one, keeping every other byte.
    const isCanonical =
      invalidEntries.length === 0 &&
      (text === undefined || text === written.get(lockPath) || text === serializeLockFile(parsed.value.stages));
    let updated = text;
    let version = parsed.value.version;
    for (const [name, entry] of entries) {
      if (!isCanonical) updated = updateLockText(updated, { version, stages, invalidEntries }, name, entry);
      stages.set(name, entry);
      invalidEntries = invalidEntries.filter((invalid) => invalid !== name);
      // After the first update a legacy (v1) file has been rewritten as schema 2.0.
      version = 2;
    }
    if (isCanonical) updated = serializeLockFile(stages);
    fs.makeDirectory(dirname(lockPath));
    await writeFile(lockPath, updated ?? '');
    if (isCanonical && updated !== undefined) written.set(lockPath, updated);
    const stat = rememberLockFile(fs, lockPath, updated ?? '', stages, parsed);
    if (stat && isCanonical && updated !== undefined) statAfterWrite.set(lockPath, stat);
    else statAfterWrite.delete(lockPath);
  };

  const flush = (): Promise<void> => {
    context.timers.clear(timer);
    timer = undefined;
    // Taken now: this flush covers exactly the entries queued before it was asked for.
    const batch = pending;
    pending = new Map();
    const done = writing.then(() => writeBatch(batch));
    writing = done.catch(() => undefined);
    return done;
  };

  return {
    async record(stage) {
      const entry = await buildLockEntry(stage, context);
      const lockPath = lockFilePathFor(stage);
      if (!lockPath) return entry;
      // Refuse now, while the stage can still fail with the reason: a lock file that could not be
      // read is never written, nor one whose malformed entries a write would drop. A file with the
      // stat it had right after this recorder's own canonical write is writable by construction,
      // so it is not read per stage (a run rewrites it every second, so the lock memo, racy, would
      // read and compare its bytes each time: ~5 % of a 1,000-stage run). Another program's write
      // moves the stat; one of the same size within the same timestamp tick still meets the
      // flush, which reads the file again and writes nothing over a file it cannot read.
      if (!isAsWritten(lockPath)) {
        const read = readLockFile(fs, lockPath);
        assertLockWritable(read);
        if (read.parsed.value.invalidEntries) updateLockText(read.text, read.parsed.value, stage.name, entry);
      }
      const entries = pending.get(lockPath) ?? new Map<string, StageLockEntry>();
      entries.set(stage.name, entry);
      pending.set(lockPath, entries);
      // A failed timed flush is not lost: its entries stay queued, and the next flush (run.json's,
      // or the run's last) writes them again or reports the failure.
      timer ??= context.timers.setTimeout(() => void flush().catch(() => undefined), delayMs);
      return entry;
    },
    flush,
  };
}
