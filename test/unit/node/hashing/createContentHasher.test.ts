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
import type { FileSystem } from '../../../../src/engine/ports';
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
import { realWorldFixtures, skipWithoutRealWorldFixtures } from '../../../support/realWorldFixtures';
import { makeTempDir } from '../../../support/tempDir';

const workspace = makeTempDir('mlc-hasher-');
const hashers: Array<{ dispose(): void }> = [];
after(() => {
  for (const hasher of hashers) hasher.dispose();
});

/** Every hasher a test makes is disposed at the end (its worker threads end with it). */
function hasherFor(options: Parameters<typeof createContentHasher>[0]) {
  const hasher = createContentHasher(options);
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

test('stale-cache trade-off: content replaced with the same size, mtime and inode keeps the cached hash', async () => {
  const file = write('stale.txt', 'aaaa');
  // Whole seconds, so that restoring the mtime after the rewrite is exact.
  const mtime = new Date(1_700_000_000_000);
  const atime = mtime;
  utimesSync(file, atime, mtime);
  const hasher = hasherFor({ workspaceRoot: workspace, workers: 0 });
  const before = await hasher.hash(file);
  writeFileSync(file, 'bbbb'); // same inode and size
  utimesSync(file, atime, mtime);
  assert.equal(
    (await hasher.hash(file))?.md5,
    before?.md5,
    'documented: (inode, mtime, size) unchanged means unchanged',
  );
  utimesSync(file, atime, new Date(mtime.getTime() + 1000));
  assert.notEqual((await hasher.hash(file))?.md5, before?.md5, 'any mtime change re-reads the file');
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
  assert.equal(text.split('\n')[0], 'mlc-dir-cache 2');
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
        numbers.push(stat.ino, stat.mtimeMs, stat.size, stat.mode);
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
  assert.match(hashesText, /^mlc-hash-cache 2\n/);
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
      assert.match(readFileSync(join(cacheFolder, name), 'utf8'), /^mlc-hash-cache 2\n.*\tdata\/a\.txt\n/s);
    }
  }
});

test('a format-1 hashes.tsv that also holds the files of a hashed folder is rewritten without them, and still answers for the rest', async () => {
  const root = join(workspace, 'legacy-root');
  const folder = join(root, 'data');
  write('legacy-root/data/a.txt', 'a');
  const model = write('legacy-root/model.bin', 'weights');
  const first = hasherFor({ workspaceRoot: root, workers: 0 });
  await first.hash(folder);
  await first.hash(model);
  await first.flush();
  // What format 1 wrote: every file, the folder's included, in hashes.tsv.
  const line = (path: string, content: string) => {
    const stat = statSync(path);
    return `${createHash('md5').update(content).digest('hex')}\t${stat.size}\t${stat.ino}\t${stat.mtimeMs}\t-\t${path.slice(root.length + 1)}`;
  };
  writeFileSync(
    join(root, HASH_CACHE_FILE),
    `mlc-hash-cache 1\n${line(model, 'weights')}\n${line(join(folder, 'a.txt'), 'a')}\n`,
  );
  const fs = countingFileSystem();
  const upgraded = hasherFor({ workspaceRoot: root, fs, workers: 0 });
  assert.equal((await upgraded.hash(model))?.md5, createHash('md5').update('weights').digest('hex'));
  assert.deepEqual(fs.reads, [], 'the format-1 entry of model.bin is still trusted');
  await upgraded.flush();
  const rewritten = readFileSync(join(root, HASH_CACHE_FILE), 'utf8');
  assert.match(rewritten, /^mlc-hash-cache 2\n/);
  assert.match(rewritten, /\tmodel\.bin\n/);
  assert.doesNotMatch(rewritten, /a\.txt/);
});

test('a dirs.tsv of the first format (md5 of text lines) is not trusted: the folder is hashed again from the per-file cache', async () => {
  write('old-format/a.txt', 'hello\n');
  const folder = join(workspace, 'old-format');
  const root = join(workspace, 'old-format-root');
  mkdirSync(join(root, '.mlc', 'cache'), { recursive: true });
  // The folder's entry as the first format wrote it, with its fingerprint, but a wrong md5.
  const stat = statSync(join(folder, 'a.txt'));
  const oldFingerprint = createHash('md5').update(`a.txt\0${stat.ino}\0${stat.mtimeMs}\0${stat.size}`).digest('hex');
  writeFileSync(
    join(root, DIRECTORY_CACHE_FILE),
    `mlc-dir-cache 1\n${'0'.repeat(32)}.dir\t6\t1\t${oldFingerprint}\t-\t${folder}\n`,
  );
  const hasher = hasherFor({ workspaceRoot: root, workers: 0 });
  assert.equal(
    (await hasher.hash(folder))?.md5,
    createHash('md5').update('[{"md5": "b1946ac92492d2347c6235b4d2611184", "relpath": "a.txt"}]').digest('hex') +
      '.dir',
  );
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
