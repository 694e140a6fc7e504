import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { type FolderTreeChange, watchFolderTree } from '../../../../src/node/workspace/watchFolderTree';
import { makeTempDir } from '../../../support/tempDir';

/** A watched temp folder; `next(path)` resolves with the change of `path` once it is reported. */
async function watchedFolder(
  setup: (root: string) => void = () => {},
  examine?: (path: string) => Promise<{ isDirectory(): boolean }>,
) {
  const root = makeTempDir('mlc-watch-');
  setup(root);
  const seen: FolderTreeChange[] = [];
  const waiting: Array<{ path: string; resolve: (change: FolderTreeChange) => void }> = [];
  const watcher = watchFolderTree(
    root,
    { skip: (relative) => relative.split('/').includes('node_modules'), ...(examine ? { examine } : {}) },
    (changes) => {
      seen.push(...changes);
      for (const change of changes)
        for (const waiter of waiting.filter((entry) => entry.path === change.path)) waiter.resolve(change);
    },
  );
  await watcher.ready;
  const next = (path: string) =>
    new Promise<FolderTreeChange>((resolve, reject) => {
      const found = seen.find((change) => change.path === path);
      if (found) return resolve(found);
      // Generous: a hang fails the test instead of stalling the run; timing is not asserted.
      const timer = setTimeout(
        () => reject(new Error(`no change reported for ${path}; saw ${JSON.stringify(seen)}`)),
        10_000,
      );
      waiting.push({ path, resolve: (change) => (clearTimeout(timer), resolve(change)) });
    });
  return { root, watcher, seen, next };
}

test('a file written at once into folders made by mkdir -p is reported, and so are later writes there', async (t) => {
  const { root, watcher, next } = await watchedFolder();
  t.after(() => watcher.dispose());
  const deep = join(root, 'exp', 'dvclive', 'plots', 'metrics');
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'loss.tsv'), 'step\tloss\n0\t0.9\n');
  assert.equal((await next(join(deep, 'loss.tsv'))).directory, false);
  // The inner folders are watched now: a second file lands there later.
  await new Promise((resolve) => setTimeout(resolve, 100));
  writeFileSync(join(deep, 'acc.tsv'), 'step\tacc\n0\t0.5\n');
  await next(join(deep, 'acc.tsv'));
});

test('changing an existing file and deleting a folder report every file inside it', async (t) => {
  const { root, watcher, next } = await watchedFolder((folder) => {
    mkdirSync(join(folder, 'broken', 'inner'), { recursive: true });
    writeFileSync(join(folder, 'broken', 'inner', 'mlc.yaml'), 'stages: {}\n');
    writeFileSync(join(folder, 'params.yaml'), 'lr: 1\n');
  });
  t.after(() => watcher.dispose());
  writeFileSync(join(root, 'params.yaml'), 'lr: 2\n');
  await next(join(root, 'params.yaml'));
  rmSync(join(root, 'broken'), { recursive: true });
  await next(join(root, 'broken', 'inner', 'mlc.yaml'));
  assert.equal((await next(join(root, 'broken'))).directory, true);
});

test('a renamed folder is reported under both names and watched under the new one', async (t) => {
  const { root, watcher, next } = await watchedFolder((folder) => {
    mkdirSync(join(folder, 'before'));
    writeFileSync(join(folder, 'before', 'dvc.yaml'), 'stages: {}\n');
  });
  t.after(() => watcher.dispose());
  renameSync(join(root, 'before'), join(root, 'after'));
  assert.equal((await next(join(root, 'before'))).directory, true);
  await next(join(root, 'after', 'dvc.yaml'));
  writeFileSync(join(root, 'after', 'dvc.lock'), 'schema: "2.0"\n');
  await next(join(root, 'after', 'dvc.lock'));
});

test('skipped folders are neither watched nor reported', async (t) => {
  const { root, watcher, seen, next } = await watchedFolder((folder) =>
    mkdirSync(join(folder, 'node_modules', 'x'), { recursive: true }),
  );
  t.after(() => watcher.dispose());
  writeFileSync(join(root, 'node_modules', 'x', 'index.js'), '');
  mkdirSync(join(root, 'node_modules', 'y'));
  writeFileSync(join(root, 'marker'), '');
  await next(join(root, 'marker'));
  assert.deepEqual(
    seen.filter((change) => change.path.includes('node_modules')),
    [],
  );
});

test('writes to a file a run appends to are reported without examining it; a new folder still is', async (t) => {
  const examined: string[] = [];
  const { root, watcher, next, seen } = await watchedFolder(
    (folder) => writeFileSync(join(folder, 'train.csv'), 'step,loss\n'),
    (path) => (examined.push(path), lstat(path)),
  );
  t.after(() => watcher.dispose());
  for (let step = 0; step < 50; step++) appendFileSync(join(root, 'train.csv'), `${step},0.5\n`);
  mkdirSync(join(root, 'logs'));
  assert.equal((await next(join(root, 'logs'))).directory, true);
  assert.ok(
    seen.some((change) => change.path === join(root, 'train.csv')),
    'the appends were reported',
  );
  // Only a created, deleted or moved path can be a folder that came or went: one lstat per
  // rename, none per append (each append fired a change event, examined before).
  assert.deepEqual(
    examined.filter((path) => path === join(root, 'train.csv')),
    [],
  );
  assert.ok(examined.includes(join(root, 'logs')), 'the new folder was examined');
});
