import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readLockFile } from '../../../../src/engine/lock/readLockFile';
import { checkPipelines, loadWorkspace, workspaceFrom } from '../../../../src/engine/pipeline/loadWorkspace';
import { parsePipelineFile } from '../../../../src/engine/pipeline/loadPipeline';
import type { FileSystem } from '../../../../src/engine/ports';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';
import {
  PARSED_WORKSPACE_CACHE_FILE,
  loadWorkspaceWithParseCache,
  openParsedWorkspaceCache,
} from '../../../../src/node/workspace/parsedWorkspaceCache';
import { codeIdentity } from '../../../../src/node/workspace/workspaceFacts';

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mlc-parse-cache-'));
  folders.push(root);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

/**
 * A new process's view of the disk: its own file system object (so readLockFile's in-process memo
 * starts empty) that counts the content reads of each file.
 */
function freshProcessFs(): FileSystem & { reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const count = (path: string) => reads.set(path, (reads.get(path) ?? 0) + 1);
  return {
    ...nodeFileSystem,
    reads,
    readFile(path) {
      count(path);
      return nodeFileSystem.readFile(path);
    },
    readText(path) {
      count(path);
      return nodeFileSystem.readText(path);
    },
  };
}

/** A clock 10 s ahead: the files just written count as settled (not racy) when a parse is kept. */
const later = () => Date.now() + 10_000;

/** One CLI process: opens the cache, parses `file`, saves. */
function parseInProcess(
  root: string,
  file: string,
  options: Partial<Parameters<typeof openParsedWorkspaceCache>[1]> = {},
) {
  const fs = freshProcessFs();
  const cache = openParsedWorkspaceCache(root, { code: 'test', now: later, ...options });
  const parsed = cache.parse(fs, join(root, file));
  cache.save();
  return { parsed, contentReads: fs.reads.get(join(root, file)) ?? 0 };
}

const cmdOf = (parsed: ReturnType<typeof parsePipelineFile>) => parsed.pipeline.stages.map((stage) => stage.cmd);

/**
 * Rewrites a file in place (same inode) with text of the same size and puts its mtime back to the
 * nanosecond (`touch -r`: Node's utimes rounds), as a write within the same mtime tick leaves it.
 */
function rewriteKeepingSizeAndMtime(path: string, text: string): void {
  const before = statSync(path, { bigint: true });
  assert.equal(BigInt(Buffer.byteLength(text)), before.size, 'the test needs a same-size rewrite');
  const reference = `${path}.mtime`;
  execFileSync('touch', ['-r', path, reference]);
  writeFileSync(path, text);
  execFileSync('touch', ['-r', reference, path]);
  rmSync(reference);
  const after = statSync(path, { bigint: true });
  assert.equal(after.mtimeNs, before.mtimeNs);
  assert.equal(after.ino, before.ino);
}

const PIPELINE = 'stages:\n  train:\n    cmd: python train.py --lr 1\n    deps: [data.csv]\n    outs: [model.pkl]\n';

test('a second process reuses the stored parse without reading the pipeline file, and gets the same result', () => {
  const root = workspace({ 'mlc.yaml': PIPELINE, 'data.csv': 'x\n' });
  const first = parseInProcess(root, 'mlc.yaml');
  assert.equal(first.contentReads, 1);
  assert.ok(existsSync(join(root, PARSED_WORKSPACE_CACHE_FILE)));
  const second = parseInProcess(root, 'mlc.yaml');
  assert.equal(second.contentReads, 0, 'the stored parse was used');
  assert.deepEqual(second.parsed, parsePipelineFile(nodeFileSystem, join(root, 'mlc.yaml')));
});

test('a pipeline file rewritten with the same size and its mtime put back is parsed again (ctime differs)', async () => {
  const root = workspace({ 'mlc.yaml': PIPELINE });
  parseInProcess(root, 'mlc.yaml');
  // Past the kernel's coarse clock tick, so the rewrite gets a later ctime.
  await new Promise((resolve) => setTimeout(resolve, 30));
  rewriteKeepingSizeAndMtime(join(root, 'mlc.yaml'), PIPELINE.replace('--lr 1', '--lr 2'));
  const again = parseInProcess(root, 'mlc.yaml');
  assert.equal(again.contentReads, 1);
  assert.deepEqual(cmdOf(again.parsed), ['python train.py --lr 2']);
});

test('the parse of a file written within the racy window is used but not kept (a same-tick rewrite would not show)', () => {
  const root = workspace({ 'mlc.yaml': PIPELINE });
  // The real clock: the file was written this very moment, so its mtime and ctime could be those
  // of a rewrite in the same tick; the fingerprint cannot vouch for it yet.
  assert.deepEqual(cmdOf(parseInProcess(root, 'mlc.yaml', { now: Date.now }).parsed), ['python train.py --lr 1']);
  assert.equal(parseInProcess(root, 'mlc.yaml', { now: Date.now }).contentReads, 1, 'nothing was kept to reuse');
  // Once its timestamps are older than the window, the parse is kept.
  parseInProcess(root, 'mlc.yaml');
  assert.equal(parseInProcess(root, 'mlc.yaml').contentReads, 0);
});

test('a change to params.yaml that a pipeline interpolates is seen, same size and mtime put back', async () => {
  const root = workspace({
    'dvc.yaml': 'stages:\n  train:\n    cmd: python train.py --lr ${lr}\n',
    'params.yaml': 'lr: 1\n',
  });
  assert.deepEqual(cmdOf(parseInProcess(root, 'dvc.yaml').parsed), ['python train.py --lr 1']);
  assert.equal(parseInProcess(root, 'dvc.yaml').contentReads, 0);
  await new Promise((resolve) => setTimeout(resolve, 30));
  rewriteKeepingSizeAndMtime(join(root, 'params.yaml'), 'lr: 7\n');
  assert.deepEqual(cmdOf(parseInProcess(root, 'dvc.yaml').parsed), ['python train.py --lr 7']);
});

test('a parse made by another build of mlc is not reused', () => {
  const root = workspace({ 'mlc.yaml': PIPELINE });
  parseInProcess(root, 'mlc.yaml', { code: 'build 1' });
  assert.equal(parseInProcess(root, 'mlc.yaml', { code: 'build 2' }).contentReads, 1);
});

test('a torn cache file is ignored and replaced', () => {
  const root = workspace({ 'mlc.yaml': PIPELINE });
  parseInProcess(root, 'mlc.yaml');
  writeFileSync(join(root, PARSED_WORKSPACE_CACHE_FILE), 'not v8');
  assert.equal(parseInProcess(root, 'mlc.yaml').contentReads, 1);
  assert.equal(parseInProcess(root, 'mlc.yaml').contentReads, 0);
});

const lockText = (md5: string) =>
  `schema: '2.0'\nstages:\n  train:\n    cmd: python train.py --lr 1\n    deps:\n    - path: data.csv\n      md5: ${md5}\n      size: 2\n`;

test('a lock file changed within the same mtime tick (same size) is parsed again: its text is compared, not its stat', () => {
  const root = workspace({ 'mlc.yaml': PIPELINE, 'data.csv': 'x\n', 'mlc.lock': lockText('a'.repeat(32)) });
  const lockPath = join(root, 'mlc.lock');
  const entryMd5 = (fs: FileSystem) =>
    readLockFile(fs, lockPath).parsed.value.stages.get('train')?.deps[0]?.md5 ?? 'no entry';
  loadWorkspaceWithParseCache(freshProcessFs(), root, {}, 'test');
  const reused = freshProcessFs();
  loadWorkspaceWithParseCache(reused, root, {}, 'test');
  assert.equal(entryMd5(reused), 'a'.repeat(32));
  rewriteKeepingSizeAndMtime(lockPath, lockText('b'.repeat(32)));
  const next = freshProcessFs();
  loadWorkspaceWithParseCache(next, root, {}, 'test');
  assert.equal(entryMd5(next), 'b'.repeat(32), 'the stored parse of the old text was not used');
});

test('run from the TypeScript sources (tsx), mlc keeps no cache: a parser edit would not change what it compares', () => {
  assert.equal(codeIdentity('/src/node/workspace/parsedWorkspaceCache.ts'), undefined);
  const root = workspace({ 'mlc.yaml': PIPELINE });
  loadWorkspaceWithParseCache(freshProcessFs(), root, {}, codeIdentity('/src/node/workspace/parsedWorkspaceCache.ts'));
  assert.equal(existsSync(join(root, PARSED_WORKSPACE_CACHE_FILE)), false);
  const bundle = join(root, 'cli.js');
  writeFileSync(bundle, '// a build');
  assert.match(codeIdentity(bundle) ?? '', /cli\.js:10:/);
});

/** One CLI process's workspace load through the cache (the clock `later`, so nothing is racy). */
function checkInProcess(root: string, fs = freshProcessFs(), now = later) {
  const cache = openParsedWorkspaceCache(root, { code: 'test', now });
  cache.seedLockFiles(fs);
  const checked = cache.checkPipelines(fs, root);
  cache.save();
  return { checked, fs, workspace: workspaceFrom(fs, checked) };
}

const PARAMS_PIPELINE =
  'stages:\n  prep:\n    cmd: python prep.py\n    deps: [data.csv]\n    params: [lr]\n    outs: [clean.csv]\n' +
  '  train:\n    cmd: python train.py\n    deps: [clean.csv, missing.csv]\n    outs: [model.pkl]\n';

/** A workspace with its `.mlc` folder already made (as after any mlc command: the root's listing is one of the facts). */
function paramsWorkspace(): string {
  const root = workspace({ 'mlc.yaml': PARAMS_PIPELINE, 'data.csv': 'x\n', 'params.yaml': 'lr: 1\n' });
  mkdirSync(join(root, '.mlc'));
  return root;
}

const codesOf = (workspace: { problems: readonly { code: string }[] }) =>
  workspace.problems.map((problem) => problem.code);

test('a second process reuses the checked workspace: no file the checks read is read again, and the workspace is the same', () => {
  const root = paramsWorkspace();
  const first = checkInProcess(root);
  assert.ok((first.fs.reads.get(join(root, 'params.yaml')) ?? 0) > 0, 'the params check read the file');
  const second = checkInProcess(root);
  assert.equal(second.fs.reads.get(join(root, 'params.yaml')) ?? 0, 0, 'vouched for by its fingerprint');
  assert.equal(second.fs.reads.get(join(root, 'mlc.yaml')) ?? 0, 0);
  assert.deepEqual(second.checked, checkPipelines(nodeFileSystem, root));
  const fresh = loadWorkspace(nodeFileSystem, root);
  assert.deepEqual(codesOf(second.workspace), ['missingDependency']);
  assert.deepEqual(second.workspace.problems, fresh.problems);
  assert.deepEqual(second.workspace.graph.edges, fresh.graph.edges);
  assert.deepEqual(second.workspace.graph.levels(), fresh.graph.levels());
  assert.deepEqual(
    second.workspace.graph.stages.map((stage) => second.workspace.graph.address(stage)),
    ['prep', 'train'],
  );
  assert.deepEqual(second.workspace.graph.upstream('train'), ['prep']);
});

test('a params file the checks read, rewritten within the same mtime tick (same size), is checked again', async () => {
  const root = paramsWorkspace();
  checkInProcess(root);
  assert.deepEqual(codesOf(checkInProcess(root).workspace), ['missingDependency']);
  await new Promise((resolve) => setTimeout(resolve, 30));
  rewriteKeepingSizeAndMtime(join(root, 'params.yaml'), 'lx: 1\n');
  assert.deepEqual(codesOf(checkInProcess(root).workspace), ['missingParam', 'missingDependency']);
});

test('a dependency that appears, or a new pipeline file in a sub-folder, is seen by the next process', () => {
  const root = paramsWorkspace();
  checkInProcess(root);
  assert.deepEqual(codesOf(checkInProcess(root).workspace), ['missingDependency']);
  writeFileSync(join(root, 'missing.csv'), 'y\n');
  assert.deepEqual(codesOf(checkInProcess(root).workspace), []);
  mkdirSync(join(root, 'sub'));
  writeFileSync(
    join(root, 'sub', 'dvc.yaml'),
    'stages:\n  evaluate:\n    cmd: python eval.py\n    deps: [../model.pkl]\n',
  );
  const next = checkInProcess(root).workspace;
  assert.deepEqual(next.graph.upstream('sub/dvc.yaml:evaluate'), ['prep', 'train']);
});

test('a workspace checked within the racy window is used but not kept', () => {
  const root = paramsWorkspace();
  checkInProcess(root, freshProcessFs(), Date.now);
  const again = checkInProcess(root, freshProcessFs(), Date.now);
  assert.ok((again.fs.reads.get(join(root, 'params.yaml')) ?? 0) > 0, 'checked again');
});

test('the lock files are checked on every load, the rest reused: a lock file made unreadable is an error at once', () => {
  const root = paramsWorkspace();
  checkInProcess(root);
  checkInProcess(root);
  writeFileSync(join(root, 'mlc.lock'), 'stages: [');
  assert.ok(codesOf(checkInProcess(root).workspace).includes('lockFileSyntax'));
});

test('an up-to-date load writes nothing: the cache file is left as it was', () => {
  const root = paramsWorkspace();
  checkInProcess(root);
  const cacheFile = join(root, PARSED_WORKSPACE_CACHE_FILE);
  const before = statSync(cacheFile, { bigint: true });
  checkInProcess(root);
  const after = statSync(cacheFile, { bigint: true });
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtimeNs, before.mtimeNs);
});

test('the names in a big data folder the checks listed are not kept in the cache (a digest of each listing is), and a file added there is still seen', () => {
  const root = paramsWorkspace();
  mkdirSync(join(root, 'data'));
  for (let index = 0; index < 2000; index++)
    writeFileSync(join(root, 'data', `sample-${index}-with-a-long-name.csv`), '');
  checkInProcess(root);
  const cached = readFileSync(join(root, PARSED_WORKSPACE_CACHE_FILE));
  assert.ok(!cached.includes('sample-1999-with-a-long-name'), 'no file name of the data folder in the cache');
  assert.ok(cached.length < 20_000, `the cache stays small (${cached.length} bytes)`);
  assert.deepEqual(codesOf(checkInProcess(root).workspace), ['missingDependency']);
  writeFileSync(join(root, 'data', 'dvc.yaml'), 'stages:\n  late:\n    cmd: python late.py\n');
  assert.ok(
    checkInProcess(root).workspace.graph.stages.some((stage) => stage.name === 'late'),
    'a pipeline file added to the listed folder is found',
  );
});
