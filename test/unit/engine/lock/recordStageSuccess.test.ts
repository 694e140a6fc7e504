import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { readLockEntry, recordStageSuccess } from '../../../../src/engine/lock/recordStageSuccess';
import { createContentHasher } from '../../../../src/node/hashing/createContentHasher';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';
import { aStage } from '../../../support/builders';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';
import { makeTempDir } from '../../../support/tempDir';

const root = makeTempDir('mlc-lock-');
const hasher = createContentHasher({ workspaceRoot: root, workers: 0 });
after(() => {
  hasher.dispose();
});

function write(relative: string, content: string): void {
  const path = join(root, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

test('recording a success writes the entry in DVC 3 format: sorted paths, hash: md5, dir nfiles, params', async () => {
  const workspace = join(root, 'format');
  write('format/dvc.yaml', '');
  write('format/params.yaml', 'train:\n  lr: 0.1\n  epochs: 10\nseed: 1.0\n');
  write('format/src/train.py', 'print("hi")\n');
  write('format/data/a.txt', 'hello\n');
  write('format/data/sub/b.txt', 'world\n');
  write('format/model.json', '{}');
  const stage = aStage({
    pipelineFile: join(workspace, 'dvc.yaml'),
    cmd: 'python src/train.py',
    deps: ['src/train.py', 'data'],
    params: ['train.lr', 'seed'],
    outs: ['model.json'],
  });
  const entry = await recordStageSuccess(stage, { fs: nodeFileSystem, hasher });
  assert.deepEqual(
    entry.deps.map((dep) => dep.path),
    ['data', 'src/train.py'],
  );
  assert.equal(
    readFileSync(join(workspace, 'dvc.lock'), 'utf8'),
    [
      "schema: '2.0'",
      'stages:',
      '  train:',
      '    cmd: python src/train.py',
      '    deps:',
      '    - path: data',
      '      hash: md5',
      '      md5: 5369cb520f35f5d77e793cf181884a27.dir',
      '      size: 12',
      '      nfiles: 2',
      '    - path: src/train.py',
      '      hash: md5',
      '      md5: 8a5ecef8d53450221eb33e3b68e1469a',
      '      size: 12',
      '    params:',
      '      params.yaml:',
      '        seed: 1.0',
      '        train.lr: 0.1',
      '    outs:',
      '    - path: model.json',
      '      hash: md5',
      '      md5: 99914b932bd37a50b983c5e7c90ae93b',
      '      size: 2',
      '',
    ].join('\n'),
  );
  assert.deepEqual(readLockEntry(nodeFileSystem, stage)?.deps, entry.deps);
});

test('stages of one lock file finishing in parallel all keep their entries', async () => {
  const workspace = join(root, 'parallel');
  write('parallel/mlc.yaml', '');
  const stages = Array.from({ length: 40 }, (_, index) => {
    write(`parallel/in${index}.txt`, `input ${index}\n`);
    return aStage({ name: `stage${index}`, pipelineFile: join(workspace, 'mlc.yaml'), deps: [`in${index}.txt`] });
  });
  await Promise.all(stages.map((stage) => recordStageSuccess(stage, { fs: nodeFileSystem, hasher })));
  const text = readFileSync(join(workspace, 'mlc.lock'), 'utf8');
  for (const stage of stages) {
    assert.equal(readLockEntry(nodeFileSystem, stage)?.deps[0]?.path, stage.deps[0]!.path);
    assert.ok(text.includes(`  ${stage.name}:\n`), stage.name);
  }
});

test('re-recording one stage rewrites only its entry and leaves the others byte for byte', async () => {
  const fs = createMemoryFileSystem({
    '/ws/dvc.lock':
      "schema: '2.0'\nstages:\n  first:\n    cmd:   echo  kept  # odd spacing stays\n  train:\n    cmd: old\n  last:\n    cmd: echo last\n",
    '/ws/x.txt': 'x',
  });
  const memoryHasher = createContentHasher({ workspaceRoot: '/ws', fs, workers: 0 });
  await recordStageSuccess(aStage({ name: 'train', pipelineFile: '/ws/dvc.yaml', cmd: 'new', deps: ['x.txt'] }), {
    fs,
    hasher: memoryHasher,
  });
  assert.equal(
    new TextDecoder().decode(fs.files.get('/ws/dvc.lock')),
    "schema: '2.0'\nstages:\n  first:\n    cmd:   echo  kept  # odd spacing stays\n  train:\n    cmd: new\n    deps:\n    - path: x.txt\n      hash: md5\n      md5: 9dd4e461268c8034f5c8564e155c67a6\n      size: 1\n  last:\n    cmd: echo last\n",
  );
});

test('an MLproject entry point gets its entry back but no lock file', async () => {
  const fs = createMemoryFileSystem({ '/ws/MLproject': '', '/ws/train.py': 'x' });
  const memoryHasher = createContentHasher({ workspaceRoot: '/ws', fs, workers: 0 });
  const entry = await recordStageSuccess(aStage({ name: 'main', pipelineFile: '/ws/MLproject', deps: ['train.py'] }), {
    fs,
    hasher: memoryHasher,
  });
  assert.equal(entry.deps[0]?.md5, '9dd4e461268c8034f5c8564e155c67a6');
  assert.deepEqual(
    [...fs.files.keys()].filter((path) => path.endsWith('.lock')),
    [],
  );
});

test('a lock file that could not be read is never written: recording fails with its problem and every byte stays', async () => {
  const entries = "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n  b:\n    cmd: echo b\n";
  const unreadable: Record<string, string | Uint8Array> = {
    conflict: entries.replace('  b:\n', '  b:\n<<<<<<< HEAD\n=======\n    cmd: echo bb\n>>>>>>> feature\n'),
    binary: new Uint8Array([0x00, 0xff, 0x13, 0x37]),
    schema: entries.replace("'2.0'", "'3.0'"),
    notAMap: '- a\n- b\n',
    duplicate: `${entries}  a:\n    cmd: echo again\n`,
  };
  const files: Record<string, string | Uint8Array> = { '/ws/folder/dvc.lock/stray.txt': 'x' };
  for (const [name, content] of Object.entries(unreadable)) files[`/ws/${name}/dvc.lock`] = content;
  const fs = createMemoryFileSystem(files);
  const memoryHasher = createContentHasher({ workspaceRoot: '/ws', fs, workers: 0 });
  for (const folder of [...Object.keys(unreadable), 'folder']) {
    const before = new Map(fs.files);
    const stage = aStage({ name: 'a', pipelineFile: `/ws/${folder}/dvc.yaml`, cmd: 'echo new' });
    await assert.rejects(
      recordStageSuccess(stage, { fs, hasher: memoryHasher }),
      /dvc\.lock:\d+:\d+: .* mlc does not write a lock file it could not read\./,
      folder,
    );
    assert.deepEqual(fs.files, before, `${folder}: nothing written`);
  }
});

test('recording another stage keeps a malformed entry and every other entry byte for byte', async () => {
  const text =
    "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n  broken:\n    outs: not-a-list\n  c:\n    cmd: echo c\n";
  const fs = createMemoryFileSystem({ '/ws/dvc.lock': text });
  const memoryHasher = createContentHasher({ workspaceRoot: '/ws', fs, workers: 0 });
  await recordStageSuccess(aStage({ name: 'c', pipelineFile: '/ws/dvc.yaml', cmd: 'echo new' }), {
    fs,
    hasher: memoryHasher,
  });
  const written = new TextDecoder().decode(fs.files.get('/ws/dvc.lock'));
  assert.equal(written, text.replace('    cmd: echo c\n', '    cmd: echo new\n'));
  assert.equal(readLockEntry(fs, aStage({ name: 'broken', pipelineFile: '/ws/dvc.yaml' })), undefined);
  await recordStageSuccess(aStage({ name: 'd', pipelineFile: '/ws/dvc.yaml', cmd: 'echo d' }), {
    fs,
    hasher: memoryHasher,
  });
  assert.equal(
    new TextDecoder().decode(fs.files.get('/ws/dvc.lock')),
    `${written}  d:\n    cmd: echo d\n`,
    'the malformed entry is still known after a write',
  );
});
