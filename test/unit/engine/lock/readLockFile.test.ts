import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../../../src/engine/engineError';
import { assertLockWritable, lockFileError, readLockFile } from '../../../../src/engine/lock/readLockFile';
import type { FileSystem } from '../../../../src/engine/ports';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

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
