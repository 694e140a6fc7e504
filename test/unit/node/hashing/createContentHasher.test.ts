import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { build } from 'esbuild';
import type { Clock, FileSystem } from '../../../../src/engine/ports';
import { parseLockFile } from '../../../../src/engine/lock/parseLockFile';
import { lockedAlgorithm } from '../../../../src/engine/lock/model';
import {
  DIRECTORY_CACHE_FILE,
  FOLDER_FILES_CACHE_FOLDER,
  HASH_CACHE_FILE,
  createContentHasher,
} from '../../../../src/node/hashing/createContentHasher';
import { findHashWorker } from '../../../../src/node/hashing/hashWorkerPool';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';
import { systemClock } from '../../../../src/node/systemTime';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';
import { realWorldFixtures, skipWithoutRealWorldFixtures } from '../../../support/realWorldFixtures';
import { makeTempDir } from '../../../support/tempDir';

const workspace = makeTempDir('mlc-hasher-');
const hashers: Array<{ dispose(): void }> = [];
after(() => {
  for (const hasher of hashers) hasher.dispose();
});

/**
 * These tests hash files they have just written, which the racy rule would never cache: unless a
 * test is about that rule (and passes the real clock), its hasher's clock runs a minute ahead,
 * as if it hashed long after the writes.
 */
const aMinuteLater: Clock = { now: () => Date.now() + 60_000 };

/** Every hasher a test makes is disposed at the end (its worker threads end with it). */
function hasherFor(options: Parameters<typeof createContentHasher>[0]) {
  const hasher = createContentHasher({ clock: aMinuteLater, ...options });
  hashers.push(hasher);
  return hasher;
}

function write(relative: string, content: string | Uint8Array): string {
  const path = join(workspace, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** A FileSystem that counts content reads, to prove the stat cache avoids them. */
function countingFileSystem(): FileSystem & { reads: string[] } {
  const reads: string[] = [];
  return {
    ...nodeFileSystem,
    reads,
    readFile(path) {
      reads.push(path);
      return nodeFileSystem.readFile(path);
    },
    readRange(path, position, length) {
      reads.push(path);
      return nodeFileSystem.readRange(path, position, length);
    },
  };
}

test('directories hash to the FORMATS.md examples (5369cb52...dir, empty d7517139...dir) with size and nfiles', async () => {
  write('example/a.txt', 'hello\n');
  write('example/sub/b.txt', 'world\n');
  mkdirSync(join(workspace, 'empty'), { recursive: true });
  const hasher = hasherFor({ workspaceRoot: workspace, workers: 0 });
  assert.deepEqual(await hasher.hash(join(workspace, 'example')), {
    md5: '5369cb520f35f5d77e793cf181884a27.dir',
    size: 12,
    nfiles: 2,
    algorithm: 'md5',
  });
  assert.deepEqual(await hasher.hash(join(workspace, 'empty')), {
    md5: 'd751713988987e9331980363e24189ce.dir',
    size: 0,
    nfiles: 0,
    algorithm: 'md5',
  });
});

test('directory hashes skip .git/.dvc folders and empty folders, and count symlinked files', async () => {
  write('skips/a.txt', 'hello\n');
  write('skips/sub/b.txt', 'world\n');
  write('skips/.git/HEAD', 'ref: x\n');
  write('skips/.dvc/config', '');
  mkdirSync(join(workspace, 'skips/empty-folder'), { recursive: true });
  const hasher = hasherFor({ workspaceRoot: workspace, workers: 0 });
  assert.equal((await hasher.hash(join(workspace, 'skips')))?.md5, '5369cb520f35f5d77e793cf181884a27.dir');
  write('linked-target/b.txt', 'world\n');
  write('links/a.txt', 'hello\n');
  mkdirSync(join(workspace, 'links/sub'), { recursive: true });
  symlinkSync(join(workspace, 'linked-target/b.txt'), join(workspace, 'links/sub/b.txt'));
  assert.equal((await hasher.hash(join(workspace, 'links')))?.md5, '5369cb520f35f5d77e793cf181884a27.dir');
});

test('the CRLF example: md5 59b0d777..., legacy md5-dos2unix dd8c6a39..., binary files are not converted', async () => {
  const crlf = write('crlf.txt', 'a\r\nb\r\n');
  const binary = write('binary.bin', new Uint8Array([0, 13, 10, 1]));
  const hasher = hasherFor({ workspaceRoot: workspace, workers: 0 });
  assert.equal((await hasher.hash(crlf))?.md5, '59b0d7772f0561efb95518f3cb8abc60');
  assert.deepEqual(await hasher.hash(crlf, 'md5-dos2unix'), {
    md5: 'dd8c6a395b5dd36c56d23275028f526c',
    size: 6,
    algorithm: 'md5-dos2unix',
  });
  const plain = (await hasher.hash(binary))?.md5;
  assert.equal((await hasher.hash(binary, 'md5-dos2unix'))?.md5, plain);
  assert.equal(await hasher.hash(join(workspace, 'does-not-exist')), undefined);
});

test('executable files are marked isexec, as DVC records them', async () => {
  const script = write('run.sh', '#!/bin/sh\n');
  execFileSync('chmod', ['+x', script]);
  const hasher = hasherFor({ workspaceRoot: workspace, workers: 0 });
  assert.equal((await hasher.hash(script))?.isexec, true);
  assert.equal((await hasher.hash(write('plain.txt', 'x')))?.isexec, undefined);
});

test('real dvc.lock hashes are reproduced for every fixture file whose recorded size matches the file on disk', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const fixtures = realWorldFixtures();
  const locks = execFileSync('find', [fixtures, '-name', 'dvc.lock'], { encoding: 'utf8' }).trim().split('\n');
  // The hasher must never write beside the read-only fixtures.
  const readOnly: FileSystem = { ...nodeFileSystem, writeFileAtomic: () => undefined };
  const hasher = hasherFor({ workspaceRoot: workspace, fs: readOnly, workers: 0 });
  const verified: string[] = [];
  for (const lock of locks) {
    const { value } = parseLockFile(readFileSync(lock, 'utf8'), lock);
    for (const [stage, entry] of value.stages) {
      for (const locked of [...entry.deps, ...entry.outs]) {
        const path = join(dirname(lock), locked.path);
        if (!existsSync(path)) continue;
        const current = await hasher.hash(path, lockedAlgorithm(locked));
        // Only part of some data folders was published; compare where the data is complete.
        const isComplete = locked.size === undefined || locked.size === current?.size;
        if (!isComplete) continue;
        assert.equal(current?.md5, locked.md5, `${lock} ${stage} ${locked.path}`);
        verified.push(`${lockedAlgorithm(locked)} ${locked.path}`);
      }
    }
  }
  assert.ok(verified.length >= 12, `verified only ${verified.length} entries`);
  assert.ok(verified.some((entry) => entry.startsWith('md5 ')));
  assert.ok(verified.some((entry) => entry.startsWith('md5-dos2unix ') && entry.endsWith('reports/metrics')));
});

test('a warm hash is answered from the stat cache without reading the file, also after a reload', async () => {
  const file = write('cached/data.csv', 'a,b\n1,2\n');
  write('cached/more.csv', 'c\n');
  const fs = countingFileSystem();
  const hasher = hasherFor({ workspaceRoot: workspace, fs, workers: 0 });
  await hasher.hash(join(workspace, 'cached'));
  assert.equal(fs.reads.filter((path) => path.includes('/cached/')).length, 2);
  await hasher.hash(join(workspace, 'cached'));
  await hasher.hash(file);
  assert.equal(fs.reads.filter((path) => path.includes('/cached/')).length, 2, 'second look: no reads');
  await hasher.flush();
  assert.ok(statSync(join(workspace, HASH_CACHE_FILE)).size > 0);
  fs.reads.length = 0;
  const reloaded = hasherFor({ workspaceRoot: workspace, fs, workers: 0 });
  assert.equal((await reloaded.hash(file))?.md5, execFileSync('md5sum', [file], { encoding: 'utf8' }).slice(0, 32));
  assert.deepEqual(
    fs.reads.filter((path) => path.includes('/cached/')),
    [],
    'a new process reuses the persisted cache',
  );
});

test('a same-size rewrite whose mtime is put back exactly, long after the hash, is hashed again (ctime): in the same process and the next', async () => {
  const file = write('mtime-put-back.txt', 'aaaa');
  // Whole seconds, so that restoring the mtime after the rewrite is exact.
  const mtime = new Date(1_700_000_000_000);
  utimesSync(file, mtime, mtime);
  const fs = countingFileSystem();
  const hasher = hasherFor({ workspaceRoot: join(workspace, 'put-back-root'), fs, workers: 0 });
  assert.equal((await hasher.hash(file))?.md5, createHash('md5').update('aaaa').digest('hex'));
  assert.equal((await hasher.hash(file))?.md5, createHash('md5').update('aaaa').digest('hex'));
  assert.equal(fs.reads.length, 1, 'kept: its mtime and ctime were older than the racy window');
  await hasher.flush();
  writeFileSync(file, 'bbbb'); // same inode and size
  utimesSync(file, mtime, mtime);
  assert.equal(statSync(file).mtimeMs, 1_700_000_000_000, 'the mtime is as it was when hashed');
  const expected = createHash('md5').update('bbbb').digest('hex');
  assert.equal((await hasher.hash(file))?.md5, expected, 'the ctime moved: the cached hash is not used');
  const reloaded = hasherFor({ workspaceRoot: join(workspace, 'put-back-root'), workers: 0 });
  assert.equal((await reloaded.hash(file))?.md5, expected, 'nor by the next process');
});

test('a file rewritten with the same size within the same mtime tick as its hash is hashed again (racy: it was not kept)', async () => {
  const file = write('same-tick.txt', 'aaaa');
  const root = join(workspace, 'same-tick-file-root');
  // The tick the file was written in, as a whole second so that utimes can put it back exactly.
  const tick = new Date(Math.floor(Date.now() / 1000) * 1000);
  utimesSync(file, tick, tick);
  const fs = countingFileSystem();
  const hasher = hasherFor({ workspaceRoot: root, fs, workers: 0, clock: systemClock });
  assert.equal((await hasher.hash(file))?.md5, createHash('md5').update('aaaa').digest('hex'));
  await hasher.flush();
  writeFileSync(file, 'bbbb'); // same inode, same size
  utimesSync(file, tick, tick); // the same mtime: as if written within the same tick
  const expected = createHash('md5').update('bbbb').digest('hex');
  assert.equal((await hasher.hash(file))?.md5, expected);
  assert.equal(fs.reads.length, 2, 'read again');
  const reloaded = hasherFor({ workspaceRoot: root, workers: 0, clock: systemClock });
  assert.equal((await reloaded.hash(file))?.md5, expected, 'and the next process did not inherit the racy entry');
});

test('the same for a folder: a same-tick rewrite and an mtime put back are both seen, in the same process and the next', async () => {
  write('folder-tick/a.txt', 'aaaa');
  const file = write('folder-tick/sub/b.txt', 'bbbb');
  const folder = join(workspace, 'folder-tick');
  const root = join(workspace, 'folder-tick-root');
  const manifestMd5 = (b: string) =>
    `${createHash('md5')
      .update(
        `[{"md5": "${createHash('md5').update('aaaa').digest('hex')}", "relpath": "a.txt"}, {"md5": "${createHash('md5').update(b).digest('hex')}", "relpath": "sub/b.txt"}]`,
      )
      .digest('hex')}.dir`;
  // Within the tick: the real clock, the mtime put back exactly.
  const tick = new Date(Math.floor(Date.now() / 1000) * 1000);
  utimesSync(file, tick, tick);
  const racy = hasherFor({ workspaceRoot: root, workers: 0, clock: systemClock });
  assert.equal((await racy.hash(folder))?.md5, manifestMd5('bbbb'));
  await racy.flush();
  writeFileSync(file, 'BBBB');
  utimesSync(file, tick, tick);
  assert.equal((await racy.hash(folder))?.md5, manifestMd5('BBBB'));
  assert.equal(
    (await hasherFor({ workspaceRoot: root, workers: 0, clock: systemClock }).hash(folder))?.md5,
    manifestMd5('BBBB'),
  );
  // Long after (kept), then a rewrite with the mtime put back.
  const old = new Date(1_700_000_000_000);
  utimesSync(file, old, old);
  const fs = countingFileSystem();
  const later = hasherFor({ workspaceRoot: root, fs, workers: 0 });
  assert.equal((await later.hash(folder))?.md5, manifestMd5('BBBB'));
  await later.flush();
  fs.reads.length = 0;
  assert.equal((await later.hash(folder))?.md5, manifestMd5('BBBB'));
  assert.deepEqual(fs.reads, [], 'kept: an untouched folder is answered from its fingerprint');
  writeFileSync(file, 'bbbb');
  utimesSync(file, old, old);
  assert.equal((await later.hash(folder))?.md5, manifestMd5('bbbb'));
  assert.deepEqual(fs.reads, [file], "only the rewritten file is read again (the other from the folder's cache)");
  assert.equal(
    (await hasherFor({ workspaceRoot: root, workers: 0 }).hash(folder))?.md5,
    manifestMd5('bbbb'),
    'nor by the next process',
  );
});

/**
 * A disk whose file times are what the test says (every file the same): `times` is what the
 * kernel would have set, e.g. an unchanged ctime for a rewrite within the same coarse tick.
 */
function fakeDisk(times: { mtimeMs: number; ctimeMs: number }) {
  const memory = createMemoryFileSystem();
  const reads: string[] = [];
  const fs: FileSystem = {
    ...memory,
    stat(path) {
      const stat = memory.stat(path);
      return stat?.kind === 'file' && !path.includes('/.mlc/') ? { ...stat, ...times, ino: 7 } : stat;
    },
    readFile(path) {
      reads.push(path);
      return memory.readFile(path);
    },
  };
  return { fs, reads, write: (path: string, text: string) => memory.writeFileAtomic(path, text) };
}

test('with a fake disk: a racy entry is never kept (same tick, same ctime), an old one is kept and not read again, a moved ctime misses', async () => {
  const tick = 1_700_000_000_000;
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  for (const target of ['file', 'folder'] as const) {
    const times = { mtimeMs: tick, ctimeMs: tick };
    const disk = fakeDisk(times);
    const path = target === 'file' ? '/ws/data.csv' : '/ws/data';
    const file = target === 'file' ? path : '/ws/data/part.csv';
    disk.write(file, 'aaaa');
    disk.write('/ws/data/other.csv', 'other');
    const answer = async (hasher: ReturnType<typeof hasherFor>) => (await hasher.hash(path))?.md5;
    const folderOf = (text: string) =>
      `${md5(`[{"md5": "${md5('other')}", "relpath": "other.csv"}, {"md5": "${md5(text)}", "relpath": "part.csv"}]`)}.dir`;
    const expected = (text: string) => (target === 'file' ? md5(text) : folderOf(text));
    // (a) Hashed 1 ms after the write; rewritten with the same size in the same tick: same stat.
    const right = hasherFor({ workspaceRoot: '/ws', fs: disk.fs, workers: 0, clock: { now: () => tick + 1 } });
    assert.equal(await answer(right), expected('aaaa'), target);
    await right.flush();
    disk.write(file, 'bbbb');
    assert.equal(await answer(right), expected('bbbb'), `${target}: a same-tick rewrite is seen`);
    const next = hasherFor({ workspaceRoot: '/ws', fs: disk.fs, workers: 0, clock: { now: () => tick + 1 } });
    assert.equal(await answer(next), expected('bbbb'), `${target}: also by the next process`);
    // (c) Long after: kept, and answered with no read, also by the next process.
    const later = { now: () => tick + 60_000 };
    const settled = hasherFor({ workspaceRoot: '/ws', fs: disk.fs, workers: 0, clock: later });
    assert.equal(await answer(settled), expected('bbbb'));
    await settled.flush();
    disk.reads.length = 0;
    assert.equal(await answer(settled), expected('bbbb'));
    const reloaded = hasherFor({ workspaceRoot: '/ws', fs: disk.fs, workers: 0, clock: later });
    assert.equal(await answer(reloaded), expected('bbbb'));
    assert.deepEqual(disk.reads, [], `${target}: an old, untouched file is never read again`);
    // (b) A same-size rewrite long after, its mtime put back: only the ctime moved.
    disk.write(file, 'cccc');
    times.ctimeMs = tick + 70_000;
    const afterRewrite = hasherFor({
      workspaceRoot: '/ws',
      fs: disk.fs,
      workers: 0,
      clock: { now: () => tick + 80_000 },
    });
    assert.equal(await answer(afterRewrite), expected('cccc'), `${target}: the moved ctime is seen`);
    assert.equal(await answer(reloaded), expected('cccc'), `${target}: also by a hasher that had it cached`);
  }
});

test('a file rewritten while a worker hashes it is hashed again for a caller that stat-ed the new file', async () => {
  const md5Of = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
  const before = new Uint8Array(2 * 1024 * 1024).fill(1);
  const after = new Uint8Array(2 * 1024 * 1024 + 1).fill(2);
  const file = write('rewritten-while-hashed.bin', before);
  const hasher = hasherFor({ workspaceRoot: join(workspace, 'in-flight'), workers: 1, workerThresholdBytes: 1 });
  await hasher.hash(write('in-flight/warm-up.bin', 'the worker is up')); // its start is not the test
  const first = hasher.hash(file);
  // This thread waits while the worker hashes the file as it was: the answer stays unread in the
  // queue, so the first hash is still in flight when the file is rewritten.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  writeFileSync(file, after);
  const second = await hasher.hash(file);
  assert.equal((await first)?.md5, md5Of(before), 'the first caller gets the file it stat-ed');
  assert.equal(second?.md5, md5Of(after), 'the caller that stat-ed the new file never gets the old hash');
});

test('worker-thread hashing (TypeScript worker under tsx) equals in-thread hashing for both algorithms', async () => {
  const text = 'line one\r\nline two\r\n'.repeat(200_000); // ~4 MiB, several dos2unix chunks
  const file = write('medium.txt', text);
  const inThread = hasherFor({ workspaceRoot: workspace, workers: 0 });
  const workers = hasherFor({ workspaceRoot: join(workspace, 'w'), workers: 2, workerThresholdBytes: 1 });
  for (const algorithm of ['md5', 'md5-dos2unix'] as const) {
    const expected = await inThread.hash(file, algorithm);
    assert.deepEqual(await workers.hash(file, algorithm), expected);
  }
  assert.equal(
    (await workers.hash(file, 'md5-dos2unix'))?.md5,
    execFileSync('sh', ['-c', `tr -d '\\r' < ${file} | md5sum`], { encoding: 'utf8' }).slice(0, 32),
  );
});

test('a worker that cannot start falls back to hashing in-thread', async () => {
  const file = write('fallback.txt', 'hello\n');
  const hasher = hasherFor({
    workspaceRoot: workspace,
    workerThresholdBytes: 1,
    workerLaunch: { script: 'throw new Error("no worker here")', eval: true },
  });
  assert.equal((await hasher.hash(file))?.md5, 'b1946ac92492d2347c6235b4d2611184');
});

test('a file over 64 MiB hashed in a worker thread equals md5sum', async () => {
  const file = join(workspace, 'big.bin');
  execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=65', 'status=none']);
  writeFileSync(file, 'tail', { flag: 'a' });
  const hasher = hasherFor({ workspaceRoot: workspace, workers: 1 });
  const hash = await hasher.hash(file);
  assert.equal(hash?.md5, execFileSync('md5sum', [file], { encoding: 'utf8' }).slice(0, 32));
  assert.equal(hash?.size, 65 * 1024 * 1024 + 4);
  rmSync(file);
});

test('a warm directory is answered from its stats fingerprint; any changed, added or removed file misses', async () => {
  write('fingerprint/a.txt', 'hello\n');
  write('fingerprint/sub/b.txt', 'world\n');
  const folder = join(workspace, 'fingerprint');
  const first = hasherFor({ workspaceRoot: workspace, workers: 0 });
  assert.equal((await first.hash(folder))?.md5, '5369cb520f35f5d77e793cf181884a27.dir');
  await first.flush();
  assert.match(
    readFileSync(join(workspace, DIRECTORY_CACHE_FILE), 'utf8'),
    /5369cb520f35f5d77e793cf181884a27\.dir\t12\t2\t/,
  );
  const fs = countingFileSystem();
  const texts: string[] = [];
  const counting: FileSystem = { ...fs, readText: (path) => (texts.push(path), fs.readText(path)) };
  const warm = hasherFor({ workspaceRoot: workspace, fs: counting, workers: 0 });
  assert.equal((await warm.hash(folder))?.nfiles, 2);
  assert.deepEqual(fs.reads, [], 'no file content read');
  assert.ok(!texts.some((path) => path.endsWith(HASH_CACHE_FILE)), 'the per-file cache is not even loaded');
  write('fingerprint/sub/b.txt', 'world!\n');
  assert.notEqual((await warm.hash(folder))?.md5, '5369cb520f35f5d77e793cf181884a27.dir');
  write('fingerprint/sub/b.txt', 'world\n');
  write('fingerprint/c.txt', '');
  assert.equal((await warm.hash(folder))?.nfiles, 3);
  rmSync(join(folder, 'c.txt'));
  assert.equal((await warm.hash(folder))?.md5, '5369cb520f35f5d77e793cf181884a27.dir');
});

test('dirs.tsv misses after a same-size rewrite whose mtime moved by 0.6 ms, within the same millisecond, also in a new process', async () => {
  const file = write('same-tick/data.csv', 'aaaa');
  const folder = join(workspace, 'same-tick');
  const root = join(workspace, 'same-tick-root');
  utimesSync(file, 1_700_000_000.5, 1_700_000_000.1232);
  const first = hasherFor({ workspaceRoot: root, workers: 0 });
  const before = await first.hash(folder);
  await first.flush();
  writeFileSync(file, 'bbbb'); // same inode, same size
  utimesSync(file, 1_700_000_000.5, 1_700_000_000.1238);
  assert.equal(Math.floor(statSync(file).mtimeMs), 1_700_000_000_123, 'still the same millisecond');
  const expected = createHash('md5')
    .update(`[{"md5": "${createHash('md5').update('bbbb').digest('hex')}", "relpath": "data.csv"}]`)
    .digest('hex');
  const reloaded = hasherFor({ workspaceRoot: root, workers: 0 });
  assert.notEqual(before?.md5, `${expected}.dir`);
  assert.equal((await reloaded.hash(folder))?.md5, `${expected}.dir`);
});

test('the bundled worker (dist/workers/hashWorker.js beside the bundle) is found and hashes like md5sum', async () => {
  const dist = join(workspace, 'dist');
  await build({
    entryPoints: { 'workers/hashWorker': resolve(__dirname, '../../../../src/node/workers/hashWorker.ts') },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outdir: dist,
    logLevel: 'silent',
  });
  const launch = findHashWorker(dist);
  assert.deepEqual(launch, { script: join(dist, 'workers/hashWorker.js'), eval: false });
  const file = write('bundled.bin', new Uint8Array(3 * 1024 * 1024).fill(7));
  const hasher = hasherFor({
    workspaceRoot: join(workspace, 'bundled'),
    workerLaunch: launch,
    workerThresholdBytes: 1,
  });
  assert.equal((await hasher.hash(file))?.md5, execFileSync('md5sum', [file], { encoding: 'utf8' }).slice(0, 32));
});

test('a file that vanishes while its folder is hashed makes the folder hash fail or miss it, never crash the process', async () => {
  for (let index = 0; index < 600; index++) write(`vanishing/f${index}.txt`, `${index}`);
  const fs: FileSystem = {
    ...nodeFileSystem,
    readFile(path) {
      if (path.endsWith('/f599.txt')) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
      return nodeFileSystem.readFile(path);
    },
  };
  const hasher = hasherFor({ workspaceRoot: workspace, fs, workers: 0 });
  assert.equal(await hasher.hash(join(workspace, 'vanishing')), undefined, 'reported like a path that is gone');
});

test('the directory fingerprint is md5 over the names and the stat numbers (DirectoryStats), pinned: a change of format makes every cached folder miss once', async () => {
  // 3,000 files in several folders: the Float64Array of stats grows past its first size.
  const folder = join(workspace, 'fingerprint-format');
  const names = Array.from({ length: 3000 }, (_, index) => `part${index % 3}/${'x'.repeat(20)}-${index}.txt`);
  for (const name of names) write(`fingerprint-format/${name}`, name);
  const hasher = hasherFor({ workspaceRoot: workspace, workers: 0 });
  assert.equal((await hasher.hash(folder))?.nfiles, names.length);
  await hasher.flush();
  const text = readFileSync(join(workspace, DIRECTORY_CACHE_FILE), 'utf8');
  assert.equal(text.split('\n')[0], 'mlc-dir-cache 3');
  const stored = text
    .split('\n')
    .find((entry) => entry.endsWith('\tfingerprint-format'))
    ?.split('\t')[3];
  // Walk order: folders are taken last-listed first, files in listing order within a folder.
  const nameText = createHash('md5');
  const numbers: number[] = [];
  const folders = [''];
  while (folders.length > 0) {
    const prefix = folders.pop()!;
    const files: string[] = [];
    for (const entry of nodeFileSystem.readDirectory(prefix === '' ? folder : join(folder, prefix))) {
      if (entry.kind === 'directory') folders.push(`${prefix}${entry.name}/`);
      else {
        const stat = statSync(join(folder, `${prefix}${entry.name}`));
        files.push(entry.name);
        numbers.push(stat.ino, stat.mtimeMs, stat.ctimeMs, stat.size, stat.mode);
      }
    }
    nameText.update(`/${prefix}\0${files.map((name) => `${name}\0`).join('')}`);
  }
  const numberBytes = new Uint8Array(new Float64Array(numbers).buffer);
  const expected = createHash('md5')
    .update(nameText.digest())
    .update(createHash('md5').update(numberBytes).digest())
    .digest('hex');
  assert.equal(stored, expected);
});

test("a folder's files are cached apart from hashes.tsv: a file hashed beside an unchanged folder loads none of them; a changed folder reads only its changed file", async () => {
  const root = join(workspace, 'apart-root');
  const folder = join(root, 'data');
  for (let index = 0; index < 50; index++) write(`apart-root/data/part-${index}.txt`, `row ${index}\n`);
  const model = write('apart-root/model.bin', 'weights');
  const first = hasherFor({ workspaceRoot: root, workers: 0 });
  const folderHash = await first.hash(folder);
  await first.hash(model);
  await first.flush();
  const hashesText = readFileSync(join(root, HASH_CACHE_FILE), 'utf8');
  assert.match(hashesText, /^mlc-hash-cache 3\n/);
  assert.match(hashesText, /\tmodel\.bin\n/);
  assert.doesNotMatch(hashesText, /part-/, "the folder's files are not in hashes.tsv");

  const fs = countingFileSystem();
  const texts: string[] = [];
  const counting: FileSystem = { ...fs, readText: (path) => (texts.push(path), fs.readText(path)) };
  const warm = hasherFor({ workspaceRoot: root, fs: counting, workers: 0 });
  assert.equal((await warm.hash(model))?.md5, createHash('md5').update('weights').digest('hex'));
  assert.equal((await warm.hash(folder))?.md5, folderHash?.md5);
  assert.deepEqual(fs.reads, [], 'no file content read');
  assert.ok(!texts.some((path) => path.includes(FOLDER_FILES_CACHE_FOLDER)), "the folder's file cache is not loaded");
  const cacheInode = statSync(join(root, HASH_CACHE_FILE)).ino;
  await warm.flush();
  assert.equal(statSync(join(root, HASH_CACHE_FILE)).ino, cacheInode, 'nothing new: hashes.tsv is not rewritten');

  write('apart-root/data/part-7.txt', 'changed\n');
  const changed = hasherFor({ workspaceRoot: root, fs: counting, workers: 0 });
  assert.notEqual((await changed.hash(folder))?.md5, folderHash?.md5);
  assert.deepEqual(fs.reads, [join(folder, 'part-7.txt')], 'only the changed file is read again');
});

test("a folder's file cache that is garbage, torn or another format is ignored: the folder hashes right and the cache is rewritten", async () => {
  const root = join(workspace, 'torn-root');
  const folder = join(root, 'data');
  write('torn-root/data/a.txt', 'hello\n');
  const first = hasherFor({ workspaceRoot: root, workers: 0 });
  const expected = (await first.hash(folder))?.md5;
  await first.flush();
  const cacheFolder = join(root, FOLDER_FILES_CACHE_FOLDER);
  assert.equal(readdirSync(cacheFolder).length, 1, "the folder's file cache was written");
  for (const garbage of ['\u0000\u0001 not a cache', 'mlc-hash-cache 2\nonly\ttwo', 'mlc-hash-cache 9\n']) {
    mkdirSync(cacheFolder, { recursive: true });
    for (const name of readdirSync(cacheFolder)) writeFileSync(join(cacheFolder, name), garbage);
    rmSync(join(root, DIRECTORY_CACHE_FILE), { force: true });
    const hasher = hasherFor({ workspaceRoot: root, workers: 0 });
    assert.equal((await hasher.hash(folder))?.md5, expected, JSON.stringify(garbage));
    await hasher.flush();
    for (const name of readdirSync(cacheFolder)) {
      assert.match(readFileSync(join(cacheFolder, name), 'utf8'), /^mlc-hash-cache 3\n.*\tdata\/a\.txt\n/s);
    }
  }
});

test('a hashes.tsv of format 1 or 2 (no ctime) loads without error, is not trusted, and is rewritten as format 3', async () => {
  const root = join(workspace, 'format-2-root');
  const model = write('format-2-root/model.bin', 'weights');
  const stat = statSync(model);
  mkdirSync(join(root, '.mlc', 'cache'), { recursive: true });
  for (const header of ['mlc-hash-cache 1', 'mlc-hash-cache 2']) {
    // The entry as format 2 wrote it, matching the file's inode, size and mtime, with a wrong md5.
    writeFileSync(
      join(root, HASH_CACHE_FILE),
      `${header}\n${'0'.repeat(32)}\t${stat.size}\t${stat.ino}\t${stat.mtimeMs}\t-\tmodel.bin\n`,
    );
    const fs = countingFileSystem();
    const upgraded = hasherFor({ workspaceRoot: root, fs, workers: 0 });
    assert.equal((await upgraded.hash(model))?.md5, createHash('md5').update('weights').digest('hex'), header);
    assert.deepEqual(fs.reads, [model], 'hashed again once');
    await upgraded.flush();
    const rewritten = readFileSync(join(root, HASH_CACHE_FILE), 'utf8');
    assert.match(
      rewritten,
      new RegExp(`^mlc-hash-cache 3\n[0-9a-f]{32}\t7\t${stat.ino}\t${stat.mtimeMs}\t${stat.ctimeMs}\t-\tmodel\.bin\n$`),
    );
  }
});

test('a dirs.tsv of the first or second format is not trusted: the folder is hashed again', async () => {
  write('old-format/a.txt', 'hello\n');
  const folder = join(workspace, 'old-format');
  const root = join(workspace, 'old-format-root');
  mkdirSync(join(root, '.mlc', 'cache'), { recursive: true });
  // The folder's entry as the first format wrote it, with its fingerprint, but a wrong md5.
  const stat = statSync(join(folder, 'a.txt'));
  const oldFingerprint = createHash('md5').update(`a.txt\0${stat.ino}\0${stat.mtimeMs}\0${stat.size}`).digest('hex');
  // And as the second: md5 over the name and the (inode, mtime, size, mode) float64s.
  const format2Fingerprint = createHash('md5')
    .update(createHash('md5').update('/\0a.txt\0').digest())
    .update(
      createHash('md5')
        .update(new Uint8Array(new Float64Array([stat.ino, stat.mtimeMs, stat.size, stat.mode]).buffer))
        .digest(),
    )
    .digest('hex');
  for (const [format, fingerprint] of [
    [1, oldFingerprint],
    [2, format2Fingerprint],
  ] as const) {
    writeFileSync(
      join(root, DIRECTORY_CACHE_FILE),
      `mlc-dir-cache ${format}\n${'0'.repeat(32)}.dir\t6\t1\t${fingerprint}\t-\t${folder}\n`,
    );
    const hasher = hasherFor({ workspaceRoot: root, workers: 0 });
    assert.equal(
      (await hasher.hash(folder))?.md5,
      createHash('md5').update('[{"md5": "b1946ac92492d2347c6235b4d2611184", "relpath": "a.txt"}]').digest('hex') +
        '.dir',
      `format ${format}`,
    );
  }
});

test(
  'a FIFO, /dev/zero behind a symlink, or either inside a folder is never read: no hash, no hang',
  { timeout: 60_000 },
  async () => {
    const fifo = join(workspace, 'special', 'pipe');
    mkdirSync(dirname(fifo), { recursive: true });
    execFileSync('mkfifo', [fifo]);
    symlinkSync('/dev/zero', join(workspace, 'special', 'zero'));
    write('special/data.txt', 'abc');
    const hasher = hasherFor({ workspaceRoot: workspace, workers: 0 });
    // Opening the FIFO would block until a writer comes and /dev/zero never ends: either would hang
    // here until the (generous) timeout.
    assert.equal(await hasher.hash(fifo), undefined);
    assert.equal(await hasher.hash(join(workspace, 'special', 'zero')), undefined);
    const folder = await hasher.hash(join(workspace, 'special'));
    assert.equal(folder?.nfiles, 1, 'only data.txt is in the folder manifest');
  },
);

test('hashIfKnown answers only what the stat cache proves, exactly as hash would: never for a file not hashed yet, changed since, a folder or nothing', async () => {
  const file = write('known/a.txt', 'hello\n');
  write('known/folder/b.txt', 'b\n');
  const hasher = hasherFor({ workspaceRoot: workspace, workers: 0 });
  assert.equal(hasher.hashIfKnown(file, 'md5'), undefined, 'not hashed yet');
  const hashed = await hasher.hash(file, 'md5');
  assert.deepEqual(hasher.hashIfKnown(file, 'md5'), hashed);
  assert.equal(hasher.hashIfKnown(file, 'md5-dos2unix'), undefined, 'another algorithm is another hash');
  await hasher.hash(join(workspace, 'known/folder'), 'md5');
  assert.equal(hasher.hashIfKnown(join(workspace, 'known/folder'), 'md5'), undefined, 'folders go through hash');
  assert.equal(hasher.hashIfKnown(join(workspace, 'known/none.txt'), 'md5'), undefined);
  writeFileSync(file, 'HELLO\n');
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  assert.equal(hasher.hashIfKnown(file, 'md5'), undefined, 'rewritten since');
  assert.notEqual((await hasher.hash(file, 'md5'))?.md5, hashed?.md5);
});
