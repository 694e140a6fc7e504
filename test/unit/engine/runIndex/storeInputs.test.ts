import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileStat } from '../../../../src/engine/ports';
import { fingerprint } from '../../../../src/engine/runIndex/createRecordingFileSystem';
import {
  areInputsUnchanged,
  createInputPacker,
  inputFingerprints,
  joinInputPath,
  splitInputPath,
} from '../../../../src/engine/runIndex/storeInputs';

const fileStat = (overrides: Partial<FileStat> = {}): FileStat => ({
  kind: 'file',
  size: 10,
  mtimeMs: 1_000,
  ctimeMs: 1_000,
  ino: 7,
  mode: 0o644,
  ...overrides,
});

test('a path splits into its folder and name and joins back, at the root and in odd shapes', () => {
  for (const path of ['/ws/a/metrics.csv', '/metrics.csv', '/', '/ws/a/', 'C:/ws/x.csv', 'relative.csv']) {
    const [folder, name] = splitInputPath(path);
    assert.equal(joinInputPath(folder, name), path, path);
  }
  assert.deepEqual(splitInputPath('/ws/a/metrics.csv'), ['/ws/a', 'metrics.csv']);
  assert.deepEqual(splitInputPath('/dvc.yaml'), ['/', 'dvc.yaml']);
});

test('packed inputs read back as the fingerprints they were packed from, present first', () => {
  const pack = createInputPacker(() => undefined);
  const recorded = [
    fingerprint('/ws/run/metrics.csv', fileStat({ ctimeMs: 1_000.5 })),
    fingerprint('/ws/dvc.yaml', undefined),
    fingerprint('/ws/run', fileStat({ kind: 'directory', size: 4096, ino: 3 })),
  ];
  const inputs = pack(recorded);
  assert.deepEqual(inputFingerprints(inputs), [recorded[0], recorded[2], recorded[1]]);
  assert.deepEqual(inputs.absent, ['/ws', 'dvc.yaml']);
});

test('a packed store proves nothing about a file changed within the racy window, nor about a ctime that moved', () => {
  const inputs = createInputPacker(() => undefined)([fingerprint('/ws/run/metrics.csv', fileStat())]);
  const unchanged = (stat: FileStat | undefined, trustedBefore = 5_000) =>
    areInputsUnchanged(
      inputs,
      (newestChangeMs) => newestChangeMs < trustedBefore,
      () => stat,
      () => false,
    );
  assert.equal(unchanged(fileStat()), true, 'older than the window and the same: proven');
  assert.equal(unchanged(fileStat(), 1_000), false, 'mtime and ctime not older than the window: read again');
  assert.equal(unchanged(fileStat({ ctimeMs: 2_000 })), false, 'mtime put back after a rewrite: the ctime moved');
  assert.equal(unchanged(fileStat({ size: 11 })), false);
  assert.equal(unchanged(fileStat({ ino: 8 })), false);
  assert.equal(unchanged(undefined), false, 'deleted');
  const young = createInputPacker(() => undefined)([
    fingerprint('/ws/run/metrics.csv', fileStat({ mtimeMs: 100, ctimeMs: 4_999 })),
  ]);
  assert.equal(
    areInputsUnchanged(
      young,
      (newestChangeMs) => newestChangeMs < 4_999,
      () => fileStat({ mtimeMs: 100, ctimeMs: 4_999 }),
      () => false,
    ),
    false,
    'an old mtime with a ctime inside the window proves nothing',
  );
});

test('an absent input is not stat-ed while its folder is unchanged, and a file created there is seen otherwise', () => {
  const inputs = createInputPacker(() => undefined)([fingerprint('/ws/dvc.yaml', undefined)]);
  const statted: string[] = [];
  const statOf = (exists: boolean) => (path: string) => {
    statted.push(path);
    return exists ? fileStat() : undefined;
  };
  assert.equal(
    areInputsUnchanged(
      inputs,
      () => true,
      statOf(true),
      (folder) => folder === '/ws',
    ),
    true,
  );
  assert.deepEqual(statted, []);
  assert.equal(
    areInputsUnchanged(
      inputs,
      () => true,
      statOf(false),
      () => false,
    ),
    true,
  );
  assert.equal(
    areInputsUnchanged(
      inputs,
      () => true,
      statOf(true),
      () => false,
    ),
    false,
  );
  assert.deepEqual(statted, ['/ws/dvc.yaml', '/ws/dvc.yaml']);
});
