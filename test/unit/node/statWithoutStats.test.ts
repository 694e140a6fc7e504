import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  ChangeDigest,
  changeFingerprint,
  fileStatFromStats,
  statsSkipStatsObjects,
  statWithoutStats,
} from '../../../src/node/statWithoutStats';
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

test('ChangeDigest: the same for unchanged paths, another for any change, and the same digest through statSync', () => {
  const folder = join(root, 'digest');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'a.csv');
  writeFileSync(file, '1\n');
  // A whole second, which utimes can put back exactly.
  utimesSync(file, 1_700_000_000, 1_700_000_000);
  const paths = [folder, file, join(folder, 'absent'), join(folder, 'a.csv/under-a-file'), `${file}\0`];
  const digestOf = () => {
    const digest = new ChangeDigest();
    const newest = paths.map((path) => digest.add(path));
    return { digest: digest.digest(), newest };
  };
  const before = digestOf();
  assert.equal(digestOf().digest, before.digest);
  // Only the existing paths have a time, and it is the later of mtime and ctime.
  assert.deepEqual(
    before.newest.map((ms) => ms !== undefined),
    [true, true, false, false, false],
  );
  assert.ok(Math.abs(before.newest[1]! - statSync(file).ctimeMs) < 1);

  // Through the public statSync (--pending-deprecation): the same numbers, so the same digest.
  const module = resolve(__dirname, '../../../src/node/statWithoutStats.ts');
  const script = `const { ChangeDigest, changeFingerprint, statsSkipStatsObjects } = require(${JSON.stringify(module)});
    const digest = new ChangeDigest();
    for (const path of ${JSON.stringify(paths)}) digest.add(path);
    const fingerprint = changeFingerprint(${JSON.stringify(file)}).text;
    process.stdout.write(JSON.stringify([statsSkipStatsObjects(), digest.digest(), fingerprint]));`;
  const result = spawnSync(process.execPath, ['--pending-deprecation', '--require', 'tsx/cjs', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [false, before.digest, changeFingerprint(file)!.text]);

  // A rewrite of the same size with its mtime put back (ctime), and a file coming where none was.
  writeFileSync(file, '2\n');
  utimesSync(file, 1_700_000_000, 1_700_000_000);
  const rewritten = digestOf().digest;
  assert.notEqual(rewritten, before.digest);
  writeFileSync(join(folder, 'absent'), '');
  assert.notEqual(digestOf().digest, rewritten);
});

test('ChangeDigest: more paths than its buffer holds give one digest, in the order added', () => {
  // 2,500 paths (the buffer holds 1,024): two files of different sizes and one absent path, in turn.
  const paths = Array.from({ length: 2500 }, (_, index) => join(root, `many-${index % 3}`));
  writeFileSync(join(root, 'many-0'), '');
  writeFileSync(join(root, 'many-1'), 'one\n');
  const digestOf = (order: readonly string[]) => {
    const digest = new ChangeDigest();
    for (const path of order) digest.add(path);
    return digest.digest();
  };
  assert.equal(digestOf(paths), digestOf(paths));
  assert.notEqual(digestOf(paths), digestOf([...paths.slice(1), paths[0]!]));
  assert.notEqual(digestOf(paths), digestOf(paths.slice(1)));
});
