import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import type { ContentHasher } from '../../../../src/engine/hashing/ports';
import type { Clock } from '../../../../src/engine/ports';
import type { Stage } from '../../../../src/engine/pipeline/model';
import { recordStageSuccess } from '../../../../src/engine/lock/recordStageSuccess';
import { computeStatus } from '../../../../src/engine/status/computeStatus';
import { createContentHasher } from '../../../../src/node/hashing/createContentHasher';
import { nodeFileSystem as fs } from '../../../../src/node/nodeFileSystem';
import { aStage, aStageGraph, type StageSpec } from '../../../support/builders';
import { makeTempDir } from '../../../support/tempDir';

const root = makeTempDir('mlc-status-');
const hashers: Array<{ dispose(): void }> = [];
after(() => {
  for (const hasher of hashers) hasher.dispose();
});

let projects = 0;

/**
 * For the tests that count what a warm status reads: the files they have just written are cached
 * only by a hasher that runs past the racy window, as a status long after the writes does.
 */
const aMinuteLater: Clock = { now: () => Date.now() + 60_000 };

/** A fresh project folder with files; stages built in it get its dvc.yaml. */
function project(files: Record<string, string>, clock?: Clock) {
  const folder = join(root, `p${projects++}`);
  const write = (relative: string, content: string) => {
    mkdirSync(dirname(join(folder, relative)), { recursive: true });
    writeFileSync(join(folder, relative), content);
  };
  for (const [relative, content] of Object.entries({ 'dvc.yaml': '', ...files })) write(relative, content);
  const hasher = createContentHasher({ workspaceRoot: folder, workers: 0, ...(clock ? { clock } : {}) });
  hashers.push(hasher);
  const stage = (spec: StageSpec) => aStage({ pipelineFile: join(folder, 'dvc.yaml'), ...spec });
  const record = (...stages: Stage[]) => Promise.all(stages.map((each) => recordStageSuccess(each, { fs, hasher })));
  const status = async (stages: Stage[], options: { running?: string[]; addresses?: string[] } = {}) => {
    const context = { fs, hasher, runningStages: new Set(options.running ?? []) };
    const result = await computeStatus(aStageGraph(stages), context, options.addresses);
    return Object.fromEntries([...result].map(([address, value]) => [address, [value.state, ...value.reasons]]));
  };
  return {
    folder,
    write,
    stage,
    record,
    status,
    remove: (relative: string) => rmSync(join(folder, relative), { recursive: true }),
  };
}

test('a stage without a lock entry is never-run; after its success is recorded it is up-to-date', async () => {
  const p = project({ 'in.txt': 'a', 'params.yaml': 'lr: 0.1\n' });
  const train = p.stage({ deps: ['in.txt'], params: ['lr'], outs: ['out.txt'] });
  assert.deepEqual(await p.status([train]), { train: ['never-run'] });
  p.write('out.txt', 'result');
  await p.record(train);
  assert.deepEqual(await p.status([train]), { train: ['up-to-date'] });
});

test('each kind of change is named: deps modified/deleted, cmd, outs missing/modified', async () => {
  const p = project({ 'data/train.csv': 'x', 'data/raw.csv': 'y', 'models/model.json': '{}' });
  const train = p.stage({ deps: ['data/train.csv', 'data/raw.csv'], outs: ['models/model.json'] });
  await p.record(train);
  p.write('data/train.csv', 'changed');
  p.remove('data/raw.csv');
  p.write('models/model.json', '{"changed": true}');
  const edited = { ...train, cmd: 'python train.py --fast' };
  assert.deepEqual(await p.status([edited]), {
    train: [
      'changed',
      'cmd changed',
      'dep data/train.csv modified',
      'dep data/raw.csv deleted',
      'out models/model.json modified',
    ],
  });
  p.remove('models/model.json');
  assert.deepEqual((await p.status([train])).train?.at(-1), 'out models/model.json missing');
});

test('params changes are named with Python-formatted old and new values, new and deleted keys', async () => {
  const p = project({ 'params.yaml': 'train:\n  lr: 0.1\n  epochs: 10\nflag: true\n' });
  const stage = p.stage({ params: ['train.lr', 'train.epochs', 'flag'] });
  await p.record(stage);
  p.write('params.yaml', 'train:\n  lr: 0.2\n  epochs: 10.0\nflag: 1\nseed: 3\n');
  assert.deepEqual(
    await p.status([stage]),
    { train: ['changed', 'param train.lr 0.1 -> 0.2'] },
    '10 == 10.0, True == 1',
  );
  const more = p.stage({ params: ['train.lr', 'train.epochs', 'flag', 'seed'] });
  assert.deepEqual((await p.status([more])).train, ['changed', 'param train.lr 0.1 -> 0.2', 'param seed new']);
  p.write('params.yaml', 'train:\n  lr: 0.1\n  epochs: 10\n');
  assert.deepEqual((await p.status([stage])).train, ['changed', 'param flag deleted']);
});

test('whole-file params compare every top-level key, current and recorded', async () => {
  const p = project({ 'conf.json': '{"a": 1, "b": [1, 2]}' });
  const stage = p.stage({ params: [{ 'conf.json': 'all' }] });
  await p.record(stage);
  assert.deepEqual((await p.status([stage])).train, ['up-to-date']);
  p.write('conf.json', '{"b": [1, 3], "c": null}');
  assert.deepEqual((await p.status([stage])).train, [
    'changed',
    'param b [1, 2] -> [1, 3]',
    'param c new',
    'param a deleted',
  ]);
});

test('a directory dep is compared by its .dir hash: a file added inside makes it modified', async () => {
  const p = project({ 'data/a.txt': 'hello\n', 'data/sub/b.txt': 'world\n' });
  const stage = p.stage({ deps: ['data'] });
  const [entry] = await p.record(stage);
  assert.equal(entry?.deps[0]?.md5, '5369cb520f35f5d77e793cf181884a27.dir');
  assert.deepEqual((await p.status([stage])).train, ['up-to-date']);
  p.write('data/sub/c.txt', 'new\n');
  assert.deepEqual((await p.status([stage])).train, ['changed', 'dep data modified']);
});

test('downstream stages of a changed or never-run stage are changed with the upstream reason, transitively', async () => {
  const p = project({ 'raw.csv': 'r', 'prepared.csv': 'p', 'model.json': 'm', 'report.md': 'x' });
  const prepare = p.stage({ name: 'prepare', deps: ['raw.csv'], outs: ['prepared.csv'] });
  const train = p.stage({ name: 'train', deps: ['prepared.csv'], outs: ['model.json'] });
  const report = p.stage({ name: 'report', deps: ['model.json'], outs: ['report.md'] });
  const side = p.stage({ name: 'side', deps: ['raw.csv'], cmd: 'echo side', outs: [] });
  await p.record(prepare, train, report, side);
  const all = [prepare, train, report, side];
  assert.deepEqual(await p.status(all), {
    prepare: ['up-to-date'],
    train: ['up-to-date'],
    report: ['up-to-date'],
    side: ['up-to-date'],
  });
  p.write('raw.csv', 'new raw');
  assert.deepEqual(await p.status(all), {
    prepare: ['changed', 'dep raw.csv modified'],
    train: ['changed', 'upstream prepare changed'],
    report: ['changed', 'upstream train changed'],
    side: ['changed', 'dep raw.csv modified'],
  });
  assert.deepEqual(Object.keys(await p.status(all, { addresses: ['train'] })), ['prepare', 'train']);
});

test('frozen stages are frozen and do not change their downstream; always_changed and callbacks always change', async () => {
  const p = project({ 'raw.csv': 'r', 'prepared.csv': 'p' });
  const prepare = p.stage({ name: 'prepare', deps: ['raw.csv'], outs: ['prepared.csv'], frozen: true });
  const train = p.stage({ name: 'train', deps: ['prepared.csv'] });
  const always = p.stage({ name: 'always', deps: ['raw.csv'], alwaysChanged: true });
  const callback = p.stage({ name: 'callback', cmd: 'date' });
  await p.record(prepare, train, always, callback);
  p.write('raw.csv', 'changed');
  assert.deepEqual(await p.status([prepare, train, always, callback]), {
    prepare: ['frozen'],
    train: ['up-to-date'],
    always: ['changed', 'always changed'],
    callback: ['changed', 'always changed'],
  });
});

test('running stages are reported running, and their downstream as changed', async () => {
  const p = project({ 'a.txt': 'a', 'b.txt': 'b' });
  const first = p.stage({ name: 'first', deps: ['a.txt'], outs: ['b.txt'] });
  const second = p.stage({ name: 'second', deps: ['b.txt'] });
  await p.record(first, second);
  assert.deepEqual(await p.status([first, second], { running: ['first'] }), {
    first: ['running'],
    second: ['changed', 'upstream first changed'],
  });
});

test('a legacy lock entry (no hash: md5) is compared with md5-dos2unix, so a CRLF file is up to date', async () => {
  const p = project({
    'crlf.txt': 'a\r\nb\r\n',
    'dvc.lock':
      "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    deps:\n    - path: crlf.txt\n      md5: dd8c6a395b5dd36c56d23275028f526c\n      size: 6\n",
  });
  const stage = p.stage({ deps: ['crlf.txt'] });
  assert.deepEqual((await p.status([stage])).train, ['up-to-date']);
  p.write('crlf.txt', 'a\r\nc\r\n');
  assert.deepEqual((await p.status([stage])).train, ['changed', 'dep crlf.txt modified']);
});

test('MLproject entry points have no lock file and always count as changed', async () => {
  const p = project({ MLproject: 'name: x\n' });
  const main = aStage({ name: 'main', pipelineFile: join(p.folder, 'MLproject'), cmd: 'python train.py' });
  assert.deepEqual(await p.status([main]), { main: ['changed', 'always changed'] });
});

test('a no-change status reads no data file: every hash comes from the stat cache', async () => {
  const p = project(
    { 'big/a.bin': 'a'.repeat(1000), 'big/b.bin': 'b'.repeat(1000), 'params.yaml': 'lr: 1\n' },
    aMinuteLater,
  );
  const stage = p.stage({ deps: ['big'], params: ['lr'] });
  await p.record(stage);
  const reads: string[] = [];
  const counting = { ...fs, readFile: (path: string) => (reads.push(path), fs.readFile(path)) };
  const hasher = createContentHasher({ workspaceRoot: p.folder, fs: counting, workers: 0, clock: aMinuteLater });
  hashers.push(hasher);
  const result = await computeStatus(aStageGraph([stage]), { fs: counting, hasher });
  assert.equal(result.get('train')?.state, 'up-to-date');
  assert.deepEqual(
    reads.filter((path) => path.includes('/big/')),
    [],
  );
});

/** A recorded stage with one dep and an out, a fresh hasher past the racy window (as a new process has: the stat cache comes from hashes.tsv), and its dvc.lock. */
async function recordedStage() {
  const p = project({ 'in.txt': 'aaaa' }, aMinuteLater);
  const stage = p.stage({ deps: ['in.txt'], outs: ['out.txt'] });
  p.write('out.txt', 'result');
  await p.record(stage);
  const hasher = createContentHasher({ workspaceRoot: p.folder, workers: 0, clock: aMinuteLater });
  hashers.push(hasher);
  const lockPath = join(p.folder, 'dvc.lock');
  // The editor's worker: one long-lived file system (the lock memo lives as long), a clock.
  const status = async (context: { fs: typeof fs; clock: Clock }) =>
    (await computeStatus(aStageGraph([stage]), { ...context, hasher })).get('train');
  return { folder: p.folder, stage, hasher, lockPath, status };
}

test('a hash the stat cache knows comes at once, without hash(); a dep rewritten with the same size and an mtime under a millisecond later is hashed again and seen modified', async () => {
  const { folder, stage, hasher } = await recordedStage();
  const asked = { hash: [] as string[], known: [] as string[] };
  const counting: ContentHasher = {
    hash: (path, algorithm) => (asked.hash.push(basename(path)), hasher.hash(path, algorithm)),
    hashIfKnown: (path, algorithm) => {
      const known = hasher.hashIfKnown(path, algorithm);
      if (known) asked.known.push(basename(path));
      return known;
    },
    flush: () => hasher.flush(),
  };
  const status = async () => (await computeStatus(aStageGraph([stage]), { fs, hasher: counting })).get('train');
  assert.equal((await status())?.state, 'up-to-date');
  assert.deepEqual(asked, { hash: [], known: ['in.txt', 'out.txt'] });

  const dep = join(folder, 'in.txt');
  const { atime, mtimeMs } = statSync(dep);
  writeFileSync(dep, 'bbbb');
  utimesSync(dep, atime, (mtimeMs + 0.01) / 1000);
  const moved = statSync(dep).mtimeMs - mtimeMs;
  assert.ok(moved > 0 && moved < 1, `the mtime moved by less than a millisecond (${moved} ms)`);
  asked.known = [];
  const changed = await status();
  assert.deepEqual([changed?.state, changed?.reasons], ['changed', ['dep in.txt modified']]);
  assert.deepEqual(asked, { hash: ['in.txt'], known: ['out.txt'] });
});

/** dvc.lock with the dep's recorded md5 replaced by another of the same length, written in place. */
function rewriteRecordedMd5(lockPath: string): void {
  const text = readFileSync(lockPath, 'utf8');
  const recorded = /md5: ([0-9a-f]{32})/.exec(text)![1]!;
  const other = recorded.replace(/^./, (first) => (first === '0' ? '1' : '0'));
  writeFileSync(lockPath, text.replace(recorded, other));
}

test('a dvc.lock entry rewritten in place to another md5 of the same length with its mtime put back makes the stage changed (the lock memo compares ctime)', async () => {
  const { lockPath, status } = await recordedStage();
  // A whole-millisecond mtime, which utimes can put back exactly after the rewrite.
  const tick = new Date(Math.floor(Date.now()));
  utimesSync(lockPath, tick, tick);
  // Long after the lock was written: its stat is settled, and answers from then on.
  assert.equal((await status({ fs, clock: aMinuteLater }))?.state, 'up-to-date');
  const before = statSync(lockPath);
  rewriteRecordedMd5(lockPath);
  utimesSync(lockPath, tick, tick);
  const after = statSync(lockPath);
  assert.deepEqual([after.ino, after.size, after.mtimeMs], [before.ino, before.size, before.mtimeMs]);
  const changed = await status({ fs, clock: aMinuteLater });
  assert.deepEqual([changed?.state, changed?.reasons], ['changed', ['dep in.txt modified']]);
});

test('a dvc.lock entry rewritten to another md5 of the same length within the same timestamp tick makes the stage changed (the lock memo racy rule)', async () => {
  const { lockPath, status } = await recordedStage();
  // A coarse file system: the rewrite below keeps every number of the lock file's stat.
  const firstStat = fs.stat(lockPath);
  const sameTick = { ...fs, stat: (path: string) => (path === lockPath ? firstStat : fs.stat(path)) };
  const now: Clock = { now: () => Date.now() };
  assert.equal((await status({ fs: sameTick, clock: now }))?.state, 'up-to-date');
  rewriteRecordedMd5(lockPath);
  const changed = await status({ fs: sameTick, clock: now });
  assert.deepEqual([changed?.state, changed?.reasons], ['changed', ['dep in.txt modified']]);
});

test('every stage of a lock file that could not be read is never-run with the reason; a malformed entry names itself', async () => {
  const p = project({ 'in.txt': 'a' });
  const prepare = p.stage({ name: 'prepare', deps: ['in.txt'] });
  const train = p.stage({ name: 'train', deps: ['in.txt'] });
  await p.record(prepare, train);
  assert.deepEqual(await p.status([prepare, train]), { prepare: ['up-to-date'], train: ['up-to-date'] });
  const recorded = readFileSync(join(p.folder, 'dvc.lock'), 'utf8');
  p.write('dvc.lock', recorded.replace('  train:\n', '  train:\n<<<<<<< HEAD\n=======\n>>>>>>> feature\n'));
  const markerLine = recorded.split('\n').indexOf('  train:') + 2;
  const why = `lock dvc.lock unreadable: git merge conflict markers at line ${markerLine}`;
  assert.deepEqual(await p.status([prepare, train]), { prepare: ['never-run', why], train: ['never-run', why] });
  p.remove('dvc.lock');
  p.write('dvc.lock/stray.txt', 'x');
  assert.deepEqual(await p.status([prepare]), {
    prepare: ['never-run', 'lock dvc.lock unreadable: dvc.lock is a folder, not a lock file'],
  });
  p.remove('dvc.lock');
  // train's entry: its key line and the deeper lines below it.
  p.write('dvc.lock', recorded.replace(/( {2}train:\n)(?: {4}.*\n)*/, '$1    deps: 3\n'));
  assert.deepEqual(await p.status([prepare, train]), {
    prepare: ['up-to-date'],
    train: ['never-run', 'lock dvc.lock entry malformed'],
  });
});

test('a dep that became a FIFO after it was recorded is named as such, not as deleted', async () => {
  const p = project({ 'data/train.csv': 'x' });
  const train = p.stage({ deps: ['data/train.csv'] });
  await p.record(train);
  p.remove('data/train.csv');
  execFileSync('mkfifo', [join(p.folder, 'data/train.csv')]);
  assert.deepEqual(await p.status([train]), {
    train: ['changed', 'dep data/train.csv is not a regular file or folder (a FIFO, socket or device)'],
  });
});
