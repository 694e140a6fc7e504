import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContentHasher } from '../../../../src/engine/hashing/ports';
import { createBatchedLockRecorder } from '../../../../src/engine/scheduler/createBatchedLockRecorder';
import { aStage } from '../../../support/builders';
import { createFakeTime } from '../../../support/fakeTime';
import { createMemoryFileSystem, holdAsyncWrites } from '../../../support/memoryFileSystem';

const noHashes: ContentHasher = { hash: async () => undefined, flush: async () => undefined };

/** Lets the promises of writes started by fired timers settle (fake timers fire synchronously). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A memory file system whose asynchronous atomic writes land (or fail) when the test says. */
function aSlowDisk() {
  const fs = createMemoryFileSystem();
  return { fs, inFlight: holdAsyncWrites(fs) };
}

test('entries finishing within a second of each other share one write of the lock file', async () => {
  // Each write of the lock file is a whole rewrite plus an fsync on mlc's main thread (0.7-2.3 s
  // of a 1,000-stage -j2 run at a quarter second's batching, bench/README): while it blocks, a
  // freed slot's next stage waits.
  const fs = createMemoryFileSystem();
  const writes: string[] = [];
  const writeFileAtomic = fs.writeFileAtomic.bind(fs);
  fs.writeFileAtomic = (path, content) => {
    writes.push(path);
    writeFileAtomic(path, content);
  };
  const time = createFakeTime();
  const recorder = createBatchedLockRecorder({ fs, hasher: noHashes, timers: time.timers });
  await recorder.record(aStage({ name: 'first' }));
  time.advance(400);
  await recorder.record(aStage({ name: 'second' }));
  time.advance(500);
  assert.deepEqual(writes, []);
  time.advance(100);
  await settle();
  assert.deepEqual(writes, ['/ws/dvc.lock']);
  assert.match(fs.readText('/ws/dvc.lock'), /first:[\s\S]*second:/);
});

test('a flush asked for while a write is in flight starts after it and builds on the file it left', async () => {
  // The writes run off the main thread: a second write reading the lock file before the first
  // renamed it into place would drop the first's entries, or rename first and be overwritten.
  const { fs, inFlight } = aSlowDisk();
  const time = createFakeTime();
  const recorder = createBatchedLockRecorder({ fs, hasher: noHashes, timers: time.timers });
  await recorder.record(aStage({ name: 'first' }));
  time.advance(1000);
  await settle();
  assert.equal(inFlight.length, 1, 'the timed flush is writing');
  await recorder.record(aStage({ name: 'second' }));
  let secondDone = false;
  const second = recorder.flush().then(() => (secondDone = true));
  await settle();
  assert.equal(inFlight.length, 1, 'the second write waits for the first');
  assert.equal(secondDone, false);
  inFlight.shift()!.finish();
  await settle();
  assert.equal(inFlight.length, 1);
  assert.match(inFlight[0]!.text, /first:[\s\S]*second:/, 'built on the first write');
  inFlight.shift()!.finish();
  await second;
  assert.match(fs.readText('/ws/dvc.lock'), /first:[\s\S]*second:/);
});

test('a failed write of the lock file is reported by the flush that asked for it, and its entries are written by the next', async () => {
  const { fs, inFlight } = aSlowDisk();
  const time = createFakeTime();
  const recorder = createBatchedLockRecorder({ fs, hasher: noHashes, timers: time.timers });
  await recorder.record(aStage({ name: 'first' }));
  const failed = recorder.flush();
  await settle();
  inFlight.shift()!.finish(new Error('ENOSPC: no space left on device'));
  await assert.rejects(failed, /ENOSPC/);
  assert.equal(fs.stat('/ws/dvc.lock'), undefined);
  await recorder.record(aStage({ name: 'second' }));
  const again = recorder.flush();
  await settle();
  inFlight.shift()!.finish();
  await again;
  assert.match(fs.readText('/ws/dvc.lock'), /first:[\s\S]*second:/);
});

test('a timed flush that fails loses nothing: the next flush writes its entries, or rejects if the disk still fails', async () => {
  const { fs, inFlight } = aSlowDisk();
  const time = createFakeTime();
  const recorder = createBatchedLockRecorder({ fs, hasher: noHashes, timers: time.timers });
  await recorder.record(aStage({ name: 'first' }));
  time.advance(1000);
  await settle();
  inFlight.shift()!.finish(new Error('EIO: i/o error'));
  await settle();
  const last = recorder.flush();
  await settle();
  inFlight.shift()!.finish(new Error('EIO: i/o error'));
  await assert.rejects(last, /EIO/);
  const retried = recorder.flush();
  await settle();
  inFlight.shift()!.finish();
  await retried;
  assert.match(fs.readText('/ws/dvc.lock'), /first:/);
});

test('a stage is recorded without reading the lock file while it is as the recorder wrote it; another write is checked, and an unreadable file refuses', async () => {
  // A run rewrites its lock file every second: its memo is never settled (the racy rule), so a
  // read per stage would read and compare the whole file each time.
  const fs = createMemoryFileSystem();
  const reads: string[] = [];
  const readFile = fs.readFile.bind(fs);
  fs.readFile = (path) => {
    reads.push(path);
    return readFile(path);
  };
  const time = createFakeTime();
  const recorder = createBatchedLockRecorder({ fs, hasher: noHashes, timers: time.timers });
  await recorder.record(aStage({ name: 'first' }));
  await recorder.flush();
  reads.length = 0;
  await recorder.record(aStage({ name: 'second' }));
  assert.equal(reads.length, 0, 'the file as written is not read again per stage');
  await recorder.flush();
  assert.match(fs.readText('/ws/dvc.lock'), /first:[\s\S]*second:/);
  // Another program leaves a file mlc cannot read: the next stage's record refuses, with the reason.
  fs.writeFileAtomic('/ws/dvc.lock', "schema: '2.0'\nstages:\n<<<<<<< HEAD\n=======\n>>>>>>> other\n");
  await assert.rejects(recorder.record(aStage({ name: 'third' })), /conflict|does not write/i);
  assert.ok(
    reads.some((path) => path === '/ws/dvc.lock'),
    'the file another program wrote is read',
  );
});
