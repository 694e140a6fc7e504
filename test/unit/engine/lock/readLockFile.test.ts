import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../../../src/engine/engineError';
import {
  assertLockWritable,
  lockFileError,
  readLockFile,
  rememberLockFile,
} from '../../../../src/engine/lock/readLockFile';
import type { Clock, FileSystem } from '../../../../src/engine/ports';
import { createMemoryFileSystem, withFrozenStats } from '../../../support/memoryFileSystem';

const lock = "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n";

/** [line, column, severity, code] and the message of the one problem of a read. */
function onlyProblem(fs: FileSystem, path: string) {
  const read = readLockFile(fs, path);
  assert.equal(read.parsed.problems.length, 1, JSON.stringify(read.parsed.problems));
  const [problem] = read.parsed.problems;
  assert.equal(read.parsed.value.stages.size, 0);
  assert.equal(lockFileError(read), problem);
  assert.throws(
    () => assertLockWritable(read),
    (error: unknown) =>
      error instanceof EngineError &&
      error.reason === 'lockFileUnwritable' &&
      /mlc does not write a lock file it could not read/.test(error.message),
  );
  return {
    where: [problem!.file, problem!.line, problem!.column, problem!.severity, problem!.code],
    problem: problem!,
  };
}

test('a missing or empty lock file is an empty lock that may be written', () => {
  const fs = createMemoryFileSystem({ '/ws/empty/dvc.lock': '' });
  for (const path of ['/ws/missing/dvc.lock', '/ws/empty/dvc.lock']) {
    const read = readLockFile(fs, path);
    assert.deepEqual(read.parsed.problems, [], path);
    assert.equal(read.parsed.value.stages.size, 0);
    assert.doesNotThrow(() => assertLockWritable(read));
  }
});

test('a lock path that is a folder is an error, not an empty lock', () => {
  const fs = createMemoryFileSystem({ '/ws/dvc.lock/stray.txt': 'x' });
  const { where, problem } = onlyProblem(fs, '/ws/dvc.lock');
  assert.deepEqual(where, ['/ws/dvc.lock', 1, 1, 'error', 'lockFileUnreadable']);
  assert.match(problem.message, /dvc\.lock is a folder/);
});

test('a lock file that cannot be read (EACCES) is an error naming the reason, not an empty lock', () => {
  const base = createMemoryFileSystem({ '/ws/mlc.lock': lock });
  const denied = Object.assign(new Error("EACCES: permission denied, open '/ws/mlc.lock'"), { code: 'EACCES' });
  const fs: FileSystem = {
    ...base,
    readFile: () => {
      throw denied;
    },
    readText: () => {
      throw denied;
    },
  };
  const { where, problem } = onlyProblem(fs, '/ws/mlc.lock');
  assert.deepEqual(where, ['/ws/mlc.lock', 1, 1, 'error', 'lockFileUnreadable']);
  assert.match(problem.message, /could not be read \(EACCES: permission denied/);
});

test('bytes that are not UTF-8 text are an error; a UTF-8 BOM is kept in the text', () => {
  const fs = createMemoryFileSystem({
    '/ws/binary/dvc.lock': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe]),
    '/ws/bom/dvc.lock': `\ufeff${lock}`,
  });
  const { where, problem } = onlyProblem(fs, '/ws/binary/dvc.lock');
  assert.deepEqual(where.slice(1), [1, 1, 'error', 'lockFileUnreadable']);
  assert.match(problem.message, /not a text file/);
  const bom = readLockFile(fs, '/ws/bom/dvc.lock');
  assert.deepEqual(bom.parsed.problems, []);
  assert.equal(bom.text, `\ufeff${lock}`);
  assert.equal(bom.parsed.value.stages.get('a')?.cmd, 'echo a');
});

test('a lock file over the size cap is an error without reading its bytes', () => {
  const base = createMemoryFileSystem({ '/ws/dvc.lock': lock });
  let reads = 0;
  const fs: FileSystem = {
    ...base,
    stat: (path) => {
      const stat = base.stat(path);
      return stat && { ...stat, size: 50 * 1024 * 1024 };
    },
    readFile: (path) => {
      reads++;
      return base.readFile(path);
    },
    readText: (path) => {
      reads++;
      return base.readText(path);
    },
  };
  const { where, problem } = onlyProblem(fs, '/ws/dvc.lock');
  assert.deepEqual(where.slice(1), [1, 1, 'error', 'lockFileUnreadable']);
  assert.match(problem.message, /dvc\.lock is 50 MB; lock files over 16 MB are not read/);
  assert.equal(reads, 0);
});

test('once the conflict is resolved the lock file is read again (the remembered parse is not stale)', () => {
  const fs = createMemoryFileSystem({ '/ws/dvc.lock': `${lock}<<<<<<< HEAD\n=======\n>>>>>>> other\n` });
  assert.equal(lockFileError(readLockFile(fs, '/ws/dvc.lock'))?.code, 'lockFileConflict');
  fs.writeFileAtomic('/ws/dvc.lock', lock);
  const fixed = readLockFile(fs, '/ws/dvc.lock');
  assert.deepEqual(fixed.parsed.problems, []);
  assert.equal(fixed.parsed.value.stages.get('a')?.cmd, 'echo a');
});

// The racy rule of the memo (issue 17): a stat proves nothing about a file changed within the racy
// window of the moment it was taken, and ctime sees an mtime put back.

const md5A = 'a'.repeat(32);
const md5B = 'b'.repeat(32);
/** A lock entry whose only dep has `md5`: two of them differ in content, never in size. */
const lockWithDep = (md5: string) =>
  `schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n    deps:\n    - path: in.txt\n      md5: ${md5}\n      size: 1\n`;
const depMd5 = (fs: FileSystem, path: string, clock?: Clock) =>
  readLockFile(fs, path, clock).parsed.value.stages.get('a')?.deps[0]?.md5;

/** The lock file's disk: a memory one whose stats stay as first seen (withFrozenStats). */
const sameTickDisk = (files: Record<string, string>) => withFrozenStats(createMemoryFileSystem(files));

const stampOf = (fs: FileSystem, path: string) => fs.stat(path)!.mtimeMs;
const clockAt = (now: number): Clock => ({ now: () => now });

test('a lock file rewritten with the same size within the same timestamp tick as its read is read again (racy: the memo was not settled)', () => {
  const disk = sameTickDisk({ '/ws/dvc.lock': lockWithDep(md5A) });
  // Read 500 ms after the file was written: within the racy window.
  const clock = clockAt(stampOf(disk.fs, '/ws/dvc.lock') + 500);
  assert.equal(depMd5(disk.fs, '/ws/dvc.lock', clock), md5A);
  disk.fs.writeFileAtomic('/ws/dvc.lock', lockWithDep(md5B));
  assert.equal(depMd5(disk.fs, '/ws/dvc.lock', clock), md5B, 'the memo must not answer the old content');
});

test('a lock file rewritten with its mtime put back is read again (its ctime moved), though its stat was settled', () => {
  const disk = sameTickDisk({ '/ws/dvc.lock': lockWithDep(md5A) });
  const clock = clockAt(stampOf(disk.fs, '/ws/dvc.lock') + 60_000);
  assert.equal(depMd5(disk.fs, '/ws/dvc.lock', clock), md5A);
  disk.fs.writeFileAtomic('/ws/dvc.lock', lockWithDep(md5B));
  disk.moveCtime('/ws/dvc.lock');
  assert.equal(depMd5(disk.fs, '/ws/dvc.lock', clock), md5B);
});

test('an old untouched lock file is answered from the memo without a read; without a clock it is read but not parsed again', () => {
  const disk = sameTickDisk({ '/ws/dvc.lock': lockWithDep(md5A) });
  const clock = clockAt(stampOf(disk.fs, '/ws/dvc.lock') + 60_000);
  const first = readLockFile(disk.fs, '/ws/dvc.lock', clock);
  assert.equal(readLockFile(disk.fs, '/ws/dvc.lock', clock).parsed, first.parsed);
  assert.equal(readLockFile(disk.fs, '/ws/dvc.lock', clock).parsed, first.parsed);
  assert.equal(disk.reads(), 1, 'settled: one stat per check');
  const unclocked = sameTickDisk({ '/ws/dvc.lock': lockWithDep(md5A) });
  const parsed = readLockFile(unclocked.fs, '/ws/dvc.lock').parsed;
  assert.equal(readLockFile(unclocked.fs, '/ws/dvc.lock').parsed, parsed, 'the same text: the same parse');
  assert.equal(unclocked.reads(), 2, 'no clock: nothing is settled, the file is read each time');
});

test('a lock file read within the racy window is read again at each check, and kept without a read once its stat settles', () => {
  const disk = sameTickDisk({ '/ws/dvc.lock': lockWithDep(md5A) });
  const written = stampOf(disk.fs, '/ws/dvc.lock');
  const first = readLockFile(disk.fs, '/ws/dvc.lock', clockAt(written + 500));
  assert.equal(readLockFile(disk.fs, '/ws/dvc.lock', clockAt(written + 1000)).parsed, first.parsed);
  assert.equal(disk.reads(), 2, 'racy: read again, the parse reused');
  readLockFile(disk.fs, '/ws/dvc.lock', clockAt(written + 2500));
  readLockFile(disk.fs, '/ws/dvc.lock', clockAt(written + 3000));
  assert.equal(disk.reads(), 3, 'read once more after the window, then answered from the stat');
});

test('what mlc wrote is remembered unsettled: another program rewriting the lock file within the same tick is seen', () => {
  const disk = sameTickDisk({ '/ws/dvc.lock': lockWithDep(md5A) });
  const clock = clockAt(stampOf(disk.fs, '/ws/dvc.lock') + 60_000);
  const before = readLockFile(disk.fs, '/ws/dvc.lock', clock);
  // mlc writes an entry (same size as the text on disk, as the frozen stat says) and remembers it.
  const written = readLockFile(createMemoryFileSystem({ '/x': lockWithDep(md5A) }), '/x').parsed.value.stages;
  disk.fs.writeFileAtomic('/ws/dvc.lock', lockWithDep(md5A));
  rememberLockFile(disk.fs, '/ws/dvc.lock', lockWithDep(md5A), written, before.parsed);
  // `git checkout` rewrites it within the same tick: same size, mtime, ctime and inode.
  disk.fs.writeFileAtomic('/ws/dvc.lock', lockWithDep(md5B));
  assert.equal(depMd5(disk.fs, '/ws/dvc.lock', clock), md5B);
});
