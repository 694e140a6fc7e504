import assert from 'node:assert/strict';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeFileSystem, writeFileAtomicSync } from '../../../src/node/nodeFileSystem';
import { makeTempDir } from '../../support/tempDir';

const root = makeTempDir('mlc-node-fs-');

test('stat answers undefined, and unusableReason says why, for paths that loop, go through a file or are too long', () => {
  symlinkSync(join(root, 'loop-b'), join(root, 'loop-a'));
  symlinkSync(join(root, 'loop-a'), join(root, 'loop-b'));
  writeFileSync(join(root, 'file.txt'), 'x');
  const cases = {
    [join(root, 'loop-a')]: 'a symlink loop',
    [join(root, 'file.txt', 'inside')]: 'a part of the path is a file, not a folder',
    [join(root, 'n'.repeat(300))]: 'the name is too long for the file system',
  };
  for (const [path, reason] of Object.entries(cases)) {
    assert.equal(nodeFileSystem.stat(path), undefined, path);
    assert.equal(nodeFileSystem.unusableReason?.(path), reason, path);
    assert.equal(nodeFileSystem.realPath(path), undefined, path);
  }
  assert.equal(nodeFileSystem.stat(join(root, 'absent')), undefined);
  assert.equal(nodeFileSystem.unusableReason?.(join(root, 'absent')), undefined, 'simply absent: no reason');
  assert.equal(nodeFileSystem.unusableReason?.(join(root, 'file.txt')), undefined);
  assert.equal(nodeFileSystem.stat(join(root, 'file.txt'))?.kind, 'file');
});

/**
 * What both atomic writers must do: a reader of the old file keeps its bytes (the new file is
 * another inode), and a rename blocked by a folder fails, leaving the old file and no temp file.
 */
async function checkAtomicReplace(
  folder: string,
  write: (path: string, content: string | Uint8Array) => unknown,
  failsOn: (attempt: () => unknown) => Promise<void>,
): Promise<void> {
  const path = join(folder, 'sub', 'run.json');
  await write(path, 'old');
  const reader = openSync(path, 'r');
  try {
    await write(path, new TextEncoder().encode('new and longer'));
    assert.equal(readFileSync(path, 'utf8'), 'new and longer');
    const buffer = Buffer.alloc(16);
    assert.equal(buffer.toString('utf8', 0, readSync(reader, buffer, 0, 16, 0)), 'old');
  } finally {
    closeSync(reader);
  }
  const blocked = join(folder, 'blocked');
  mkdirSync(join(blocked, 'inside'), { recursive: true });
  await failsOn(() => write(blocked, 'x'));
  assert.deepEqual(readdirSync(folder).sort(), ['blocked', 'sub']);
  assert.deepEqual(readdirSync(join(folder, 'sub')), ['run.json']);
}

test('writeFileAtomic replaces a file whole through a rename, and a failed write leaves the old file and no temp file', async (t) => {
  await checkAtomicReplace(
    makeTempDir('mlc-atomic-', t),
    (path, content) => nodeFileSystem.writeFileAtomic(path, content),
    async (attempt) => assert.throws(attempt),
  );
});

test('writeFileAtomicAsync replaces a file whole through a rename off the main thread, and a failed write rejects leaving the old file and no temp file', async (t) => {
  await checkAtomicReplace(
    makeTempDir('mlc-atomic-async-', t),
    (path, content) => nodeFileSystem.writeFileAtomicAsync!(path, content),
    async (attempt) => assert.rejects(attempt() as Promise<unknown>),
  );
});

test('a temp file a killed mlc left beside a file is removed at the next write of that file; nothing else is', (t) => {
  const folder = makeTempDir('mlc-atomic-sweep-', t);
  // A pid that runs no process: past the kernel's pid_max (at most 2^22).
  const deadPid = 4_194_304 + 17;
  const left = [
    `.dvc.lock.mlc-${deadPid}-0.tmp`, // a dead writer's temp of dvc.lock: removed
    `.dvc.lock.mlc-${process.pid}-999.tmp`, // this process's own (in flight elsewhere): kept
    `.dvc.lock.mlc-1-0.tmp`, // pid 1 runs: kept
    `.params.yaml.mlc-${deadPid}-0.tmp`, // another target's: left to that target's next write
    '.123.456.7.tmp', // not a name mlc writes: kept
    `dvc.lock.mlc-${deadPid}-0.tmp`, // not hidden, so not ours: kept
  ];
  for (const name of left) writeFileSync(join(folder, name), 'partial');
  nodeFileSystem.writeFileAtomic(join(folder, 'dvc.lock'), 'schema: "2.0"\n');
  assert.deepEqual(
    readdirSync(folder).sort(),
    ['dvc.lock', ...left.filter((name) => !name.startsWith(`.dvc.lock.mlc-${deadPid}`))].sort(),
  );
  assert.equal(readFileSync(join(folder, 'dvc.lock'), 'utf8'), 'schema: "2.0"\n');
});

test('writeFileAtomicSync writes chunks as they come, and chunks that fail midway leave the old file and no temp file', (t) => {
  const folder = makeTempDir('mlc-atomic-chunks-', t);
  const target = join(folder, 'cache.jsonl');
  writeFileAtomicSync(target, ['a\n', 'b\n', 'c\n']);
  assert.equal(readFileSync(target, 'utf8'), 'a\nb\nc\n');
  function* failing() {
    yield 'new first line\n';
    throw new Error('the serialiser failed');
  }
  assert.throws(() => writeFileAtomicSync(target, failing()), /the serialiser failed/);
  assert.equal(readFileSync(target, 'utf8'), 'a\nb\nc\n');
  assert.deepEqual(readdirSync(folder), ['cache.jsonl']);
});
