import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../../src/cli/cliContext';
import { command, withListingsRemembered } from '../../../src/cli/commands/status';
import { recordStageSuccess } from '../../../src/engine/lock/recordStageSuccess';
import { loadWorkspace } from '../../../src/engine/pipeline/loadWorkspace';
import { createContentHasher } from '../../../src/node/hashing/createContentHasher';
import { nodeFileSystem } from '../../../src/node/nodeFileSystem';
import { recordingCliContext } from '../../support/recordingCliContext';
import { makeTempDir } from '../../support/tempDir';

const root = makeTempDir('mlc-status-cli-');

async function runStatus(cwd: string, args: string[]): Promise<{ code: number; output: string; diagnostics: string }> {
  const { context, printed, diagnostics } = recordingCliContext(cwd);
  const code = await command.run(args, context);
  return { code, output: printed.join('\n'), diagnostics: diagnostics.join('') };
}

function project(name: string, files: Record<string, string>): string {
  const folder = join(root, name);
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, relative)), { recursive: true });
    writeFileSync(join(folder, relative), content);
  }
  return folder;
}

const pipeline = [
  'stages:',
  '  prepare:',
  '    cmd: python prepare.py',
  '    deps: [data/raw.csv]',
  '    outs: [data/train.csv]',
  '  train:',
  '    cmd: python train.py',
  '    deps: [data/train.csv]',
  '    params: [train.lr]',
  '    outs: [models/model.json]',
  '',
].join('\n');

async function recordAll(folder: string): Promise<void> {
  const { graph } = loadWorkspace(nodeFileSystem, folder);
  const hasher = createContentHasher({ workspaceRoot: folder, workers: 0 });
  for (const stage of graph.stages) await recordStageSuccess(stage, { fs: nodeFileSystem, hasher });
  hasher.dispose();
}

test('mlc status --json lists every stage with its pipeline, state and reasons', async () => {
  const folder = project('json', {
    'dvc.yaml': pipeline,
    'params.yaml': 'train:\n  lr: 0.1\n',
    'data/raw.csv': 'a\n',
    'data/train.csv': 'b\n',
    'models/model.json': '{}',
  });
  assert.deepEqual(JSON.parse((await runStatus(folder, ['--json'])).output), {
    stages: [
      { name: 'prepare', pipeline: 'dvc.yaml', state: 'never-run', reasons: [] },
      { name: 'train', pipeline: 'dvc.yaml', state: 'never-run', reasons: ['upstream prepare changed'] },
    ],
    problems: [],
  });
  await recordAll(folder);
  writeFileSync(join(folder, 'params.yaml'), 'train:\n  lr: 0.2\n');
  const { code, output } = await runStatus(folder, ['--json']);
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(output).stages, [
    { name: 'prepare', pipeline: 'dvc.yaml', state: 'up-to-date', reasons: [] },
    { name: 'train', pipeline: 'dvc.yaml', state: 'changed', reasons: ['param train.lr 0.1 -> 0.2'] },
  ]);
});

test('human output groups stages by pipeline with state and reasons; --check exits 1 when a stage must run', async () => {
  const folder = project('human', {
    'dvc.yaml': pipeline,
    'params.yaml': 'train:\n  lr: 0.1\n',
    'data/raw.csv': 'a\n',
    'data/train.csv': 'b\n',
    'models/model.json': '{}',
  });
  await recordAll(folder);
  assert.deepEqual(await runStatus(folder, ['--check']), {
    code: 0,
    output: 'dvc.yaml:\n  prepare  up-to-date\n  train    up-to-date\n2 stages: 2 up-to-date',
    diagnostics: '',
  });
  writeFileSync(join(folder, 'data/raw.csv'), 'changed\n');
  const { code, output } = await runStatus(folder, ['--check']);
  assert.equal(code, 1);
  assert.equal(
    output,
    'dvc.yaml:\n  prepare  changed     dep data/raw.csv modified\n  train    changed     upstream prepare changed\n2 stages: 2 changed',
  );
  assert.equal((await runStatus(folder, [])).code, 0, 'status is information without --check');
});

test('targets limit the report to those stages and their upstream; an unknown target is a usage error', async () => {
  const folder = project('targets', {
    'dvc.yaml': pipeline,
    'params.yaml': 'train:\n  lr: 0.1\n',
    'data/raw.csv': 'a\n',
  });
  const { output } = await runStatus(folder, ['prepare', '--json']);
  assert.deepEqual(
    JSON.parse(output).stages.map((stage: { name: string }) => stage.name),
    ['prepare'],
  );
  await assert.rejects(runStatus(folder, ['nope']), UsageError);
});

test('a pipeline with errors: status refuses through the context (printDiagnostic), exit 2', async () => {
  const folder = project('broken', { 'dvc.yaml': 'stages:\n  prepare: [not, a, stage\n' });
  const { code, output, diagnostics } = await runStatus(folder, []);
  assert.equal(code, 2);
  assert.equal(output, '');
  assert.match(diagnostics, /error\[yamlSyntax\]/);
  assert.ok(
    diagnostics.endsWith('mlc status: the pipeline has errors; fix them first (mlc validate lists them).'),
    diagnostics,
  );
});

test('mlc status exits 2 when there is no pipeline file', async () => {
  const folder = project('empty', { 'README.md': 'nothing here' });
  assert.equal((await runStatus(folder, [])).code, 2);
});

test('a stage the live run holding .mlc/lock is executing shows as running; a dead owner does not count', async () => {
  const folder = project('running', {
    'dvc.yaml': pipeline,
    'params.yaml': 'train:\n  lr: 0.1\n',
    'data/raw.csv': 'a\n',
  });
  const writeRun = (pid: number) => {
    const owner = { pid, hostname: hostname() };
    writeFileSync(join(folder, '.mlc/lock'), JSON.stringify({ runId: 'r1', ...owner, acquiredAt: Date.now() }));
    const record = {
      schema: 1,
      id: 'r1',
      status: 'running',
      startedAt: Date.now(),
      updatedAt: Date.now(),
      owner,
      stages: [
        {
          address: 'prepare',
          name: 'prepare',
          pipeline: 'dvc.yaml',
          status: 'running',
          reasons: [],
          attempts: [],
          logFile: 'logs/prepare.log',
        },
      ],
    };
    writeFileSync(join(folder, '.mlc/runs/r1/run.json'), JSON.stringify(record));
  };
  mkdirSync(join(folder, '.mlc/runs/r1'), { recursive: true });
  writeRun(process.pid);
  const states = async () =>
    JSON.parse((await runStatus(folder, ['--json'])).output).stages.map((stage: { state: string }) => stage.state);
  assert.deepEqual(await states(), ['running', 'never-run']);
  writeRun(2 ** 22 + 12345); // above Linux's pid_max: no such process
  assert.deepEqual(await states(), ['never-run', 'never-run']);
});

test('folder listings are shared between discovery and hashing only up to a budget of entries, then read again', () => {
  const calls: string[] = [];
  const listing = (count: number) =>
    Array.from({ length: count }, (_, index) => ({ name: `f${index}`, kind: 'file' as const }));
  const sizes: Record<string, number> = { '/ws/a': 3, '/ws/b': 4, '/ws/c': 2 };
  const fs = withListingsRemembered(
    { ...nodeFileSystem, readDirectory: (path) => (calls.push(path), listing(sizes[path]!)) },
    5,
  );
  for (const path of ['/ws/a', '/ws/b', '/ws/c', '/ws/a', '/ws/b', '/ws/c']) fs.readDirectory(path);
  // a (3) is kept, b (3 + 4 > 5) is not, c (3 + 2 = 5) is: only b is listed twice.
  assert.deepEqual(calls, ['/ws/a', '/ws/b', '/ws/c', '/ws/b']);
  assert.equal(fs.readDirectory('/ws/b').length, 4);
});
