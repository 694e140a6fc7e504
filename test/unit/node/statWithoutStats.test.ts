import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileStatFromStats, statsSkipStatsObjects, statWithoutStats } from '../../../src/node/statWithoutStats';
import { makeTempDir } from '../../support/tempDir';

const root = makeTempDir('mlc-stat-without-stats-');

/** What statSync says, in the same shape, or the error code it throws. */
function statSyncAnswer(path: string): unknown {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats && fileStatFromStats(stats);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

function fastAnswer(path: string): unknown {
  try {
    return statWithoutStats(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

test('on Node 20 on Linux the stats skip the fs.Stats object (the fast path is taken, not silently lost)', () => {
  if (process.platform === 'win32') return;
  assert.equal(statsSkipStatsObjects(), true);
});

test('every kind of path gets exactly the answer of statSync: files, folders, symlinks, FIFOs, absent, loops, through a file, too long, a NUL byte', () => {
  const file = join(root, 'file.txt');
  writeFileSync(file, 'hello\n');
  // A sub-millisecond mtime: mtimeMs must equal Stats.mtimeMs to the last bit (the caches compare it).
  utimesSync(file, 1_700_000_000.123456, 1_700_000_000.987654);
  writeFileSync(join(root, 'empty.txt'), '');
  mkdirSync(join(root, 'folder'));
  symlinkSync(file, join(root, 'link-to-file'));
  symlinkSync(join(root, 'folder'), join(root, 'link-to-folder'));
  symlinkSync(join(root, 'loop-b'), join(root, 'loop-a'));
  symlinkSync(join(root, 'loop-a'), join(root, 'loop-b'));
  symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
  const paths = [
    file,
    join(root, 'empty.txt'),
    join(root, 'folder'),
    root,
    join(root, 'link-to-file'),
    join(root, 'link-to-folder'),
    join(root, 'fifo'),
    '/dev/null',
    join(root, 'absent'),
    join(root, 'dangling'),
    join(root, 'loop-a'),
    join(root, 'file.txt', 'inside'),
    join(root, 'n'.repeat(300)),
    `${file}\0ignored`,
  ];
  for (const path of paths) assert.deepEqual(fastAnswer(path), statSyncAnswer(path), JSON.stringify(path));
  assert.equal(statWithoutStats(file)?.mtimeMs, statSync(file).mtimeMs);
  assert.equal(statWithoutStats(join(root, 'fifo'))?.kind, 'other');
  assert.equal(statWithoutStats(join(root, 'link-to-folder'))?.kind, 'directory');
});

test('with --pending-deprecation (process.binding would warn) the public statSync answers, with no warning', () => {
  const module = resolve(__dirname, '../../../src/node/statWithoutStats.ts');
  const script = `const { statWithoutStats, statsSkipStatsObjects } = require(${JSON.stringify(module)});
    process.stdout.write(JSON.stringify([statsSkipStatsObjects(), statWithoutStats(${JSON.stringify(root)}).kind]));`;
  const result = spawnSync(process.execPath, ['--pending-deprecation', '--require', 'tsx/cjs', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [false, 'directory']);
  assert.doesNotMatch(result.stderr, /DEP0111|DeprecationWarning/);
});
