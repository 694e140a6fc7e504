import { dirname } from 'pathe';
import type { ContentHasher } from '../hashing/ports';
import { lockFilePathFor, type StageLockEntry } from '../lock/model';
import { assertLockWritable, lockFileError, readLockFile, rememberLockFile } from '../lock/readLockFile';
import { buildLockEntry } from '../lock/recordStageSuccess';
import { serializeLockFile } from '../lock/serializeLockEntry';
import { updateLockText } from '../lock/updateLockText';
import type { Stage } from '../pipeline/model';
import type { FileSystem, TimerHandle, Timers } from '../ports';

export interface BatchedLockRecorder {
  /** Hashes the stage now and queues its lock entry; the entry reaches disk at the next flush. */
  record(stage: Stage): Promise<StageLockEntry>;
  /** Writes every queued entry: one atomic write per lock file, whatever the number of entries. */
  flush(): void;
}

/**
 * Lock entries for a run, written in groups. recordStageSuccess writes (and fsyncs) the whole
 * lock file per stage, which is ~10 ms and O(file size) each: for 1,000 quick stages the lock
 * file, not the stages, sets the pace. Here entries finishing within `delayMs` share one write.
 * A second, not less: each write (a rewrite of the whole file and an fsync, 10-60 ms on a busy
 * disk) blocks mlc's main thread, and a slot freed meanwhile waits to start its next stage; at a
 * quarter second the writes were 0.7-2.3 s of a 1,000-stage -j2 run (bench/README, stop 22).
 * The scheduler flushes before it checks a stage's status again and when the run ends, so
 * nothing reads a stale lock file; a crash loses at most the last second of entries, and
 * those stages simply run again next time (never the other way round: an entry is queued only
 * after its stage succeeded). The run's record is written only after a flush (RunRecorder's
 * `beforeWrite`), so run.json never says a stage succeeded whose entry a crash lost.
 */
export function createBatchedLockRecorder(
  context: { readonly fs: FileSystem; readonly hasher: ContentHasher; readonly timers: Timers },
  delayMs = 1000,
): BatchedLockRecorder {
  const pending = new Map<string, Map<string, StageLockEntry>>();
  /** What this recorder last wrote per lock file: canonical by construction, no need to check. */
  const written = new Map<string, string>();
  let timer: TimerHandle | undefined;

  const flush = () => {
    context.timers.clear(timer);
    timer = undefined;
    for (const [lockPath, entries] of pending) {
      const read = readLockFile(context.fs, lockPath);
      // record() refused while it was unreadable; if it became so since (a merge during the
      // run), leave it alone: these entries are lost as in a crash and their stages run again.
      if (lockFileError(read)) continue;
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
      context.fs.makeDirectory(dirname(lockPath));
      context.fs.writeFileAtomic(lockPath, updated ?? '');
      if (isCanonical && updated !== undefined) written.set(lockPath, updated);
      rememberLockFile(context.fs, lockPath, updated ?? '', stages, parsed);
    }
    pending.clear();
  };

  return {
    async record(stage) {
      const entry = await buildLockEntry(stage, context);
      const lockPath = lockFilePathFor(stage);
      if (!lockPath) return entry;
      // Refuse now, while the stage can still fail with the reason: a lock file that could not be
      // read is never written, nor one whose malformed entries a write would drop.
      const read = readLockFile(context.fs, lockPath);
      assertLockWritable(read);
      if (read.parsed.value.invalidEntries) updateLockText(read.text, read.parsed.value, stage.name, entry);
      const entries = pending.get(lockPath) ?? new Map<string, StageLockEntry>();
      entries.set(stage.name, entry);
      pending.set(lockPath, entries);
      timer ??= context.timers.setTimeout(flush, delayMs);
      return entry;
    },
    flush,
  };
}
