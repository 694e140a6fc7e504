import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContentHasher } from '../../../../src/engine/hashing/ports';
import { createBatchedLockRecorder } from '../../../../src/engine/scheduler/createBatchedLockRecorder';
import { aStage } from '../../../support/builders';
import { createFakeTime } from '../../../support/fakeTime';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const noHashes: ContentHasher = { hash: async () => undefined, flush: async () => undefined };

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
  assert.deepEqual(writes, ['/ws/dvc.lock']);
  assert.match(fs.readText('/ws/dvc.lock'), /first:[\s\S]*second:/);
});
