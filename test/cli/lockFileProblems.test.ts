import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspace, runMlc } from '../support/mlcCli';

const twoStages = (pipelineFile: 'dvc.yaml' | 'mlc.yaml') => ({
  [pipelineFile]: [
    'stages:',
    '  a:',
    '    cmd: echo a > a.txt',
    '    outs: [a.txt]',
    '  b:',
    '    cmd: echo b > b.txt',
    '    outs: [b.txt]',
    '',
  ].join('\n'),
});

/** A workspace whose stages a and b both ran, so the lock file records both. */
async function ranWorkspace(pipelineFile: 'dvc.yaml' | 'mlc.yaml' = 'dvc.yaml'): Promise<string> {
  const root = createWorkspace(twoStages(pipelineFile), 'mlc-lockfile-');
  const first = await runMlc(root, ['run']);
  assert.equal(first.code, 0, first.stderr);
  return root;
}

/**
 * What a merge leaves when two branches changed b's command: markers around the two versions of
 * its `cmd` line. Returns the new text and the 1-based line of `<<<<<<<`.
 */
function withConflictInB(text: string): { text: string; markerLine: number } {
  const lines = text.split('\n');
  const bAt = lines.indexOf('  b:');
  assert.ok(bAt > 0, text);
  const cmdAt = lines.findIndex((line, index) => index > bAt && line.startsWith('    cmd:'));
  const ours = lines[cmdAt]!;
  lines.splice(cmdAt, 1, '<<<<<<< HEAD', ours, '=======', ours.replace('echo b', 'echo bb'), '>>>>>>> feature');
  return { text: lines.join('\n'), markerLine: cmdAt + 1 };
}

test('a dvc.lock with merge conflict markers: validate locates them, status says why, run refuses and keeps the bytes', async () => {
  const root = await ranWorkspace();
  const lockPath = join(root, 'dvc.lock');
  const { text: conflicted, markerLine } = withConflictInB(readFileSync(lockPath, 'utf8'));
  writeFileSync(lockPath, conflicted);

  const validate = await runMlc(root, ['validate', '--json']);
  assert.equal(validate.code, 1, validate.stderr);
  const problems = JSON.parse(validate.stdout).problems as Array<Record<string, unknown>>;
  const lockProblem = problems.find((problem) => problem.file === 'dvc.lock');
  assert.ok(lockProblem, validate.stdout);
  assert.deepEqual(Object.keys(lockProblem), ['file', 'line', 'column', 'severity', 'code', 'message']);
  assert.equal(lockProblem.line, markerLine);
  assert.equal(lockProblem.column, 1);
  assert.equal(lockProblem.severity, 'error');
  assert.equal(lockProblem.code, 'lockFileConflict');
  assert.match(String(lockProblem.message), new RegExp(`git merge conflict markers at line ${markerLine}`));
  assert.match(String(lockProblem.message), /resolve the conflict or delete the file/);

  const human = await runMlc(root, ['validate']);
  assert.equal(human.code, 1);
  assert.match(
    human.stdout,
    new RegExp(`^dvc\\.lock:${markerLine}:1: error\\[lockFileConflict\\]: .*merge conflict`, 'm'),
  );

  const status = await runMlc(root, ['status', '--json']);
  assert.equal(status.code, 2, status.stderr);
  assert.match(status.stderr, new RegExp(`dvc\\.lock:${markerLine}:1: .*merge conflict`));
  const stages = JSON.parse(status.stdout).stages as Array<{ name: string; state: string; reasons: string[] }>;
  assert.deepEqual(
    stages.map((stage) => [stage.name, stage.state]),
    [
      ['a', 'never-run'],
      ['b', 'never-run'],
    ],
  );
  for (const stage of stages) assert.match(stage.reasons.join('; '), /dvc\.lock unreadable.*merge conflict/);

  for (const args of [['run', 'a'], ['run', 'a', '--force'], ['run']]) {
    const run = await runMlc(root, args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /dvc\.lock:\d+:1: .*merge conflict/);
    assert.equal(readFileSync(lockPath, 'utf8'), conflicted, `${args.join(' ')} left dvc.lock alone`);
  }
});

test('mlc.lock is guarded the same way, and so are binary, directory, unreadable and unknown-schema lock files', async () => {
  const root = await ranWorkspace('mlc.yaml');
  const lockPath = join(root, 'mlc.lock');
  const original = readFileSync(lockPath);
  const cases: Array<{ what: string; make: () => void; restore?: () => void; code: string; message: RegExp }> = [
    {
      what: 'conflict markers',
      make: () => writeFileSync(lockPath, withConflictInB(original.toString('utf8')).text),
      code: 'lockFileConflict',
      message: /merge conflict/,
    },
    {
      what: 'binary junk',
      make: () => writeFileSync(lockPath, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff])),
      code: 'lockFileUnreadable',
      message: /not a text file/,
    },
    {
      what: 'a directory',
      make: () => {
        rmSync(lockPath);
        mkdirSync(join(lockPath, 'inside'), { recursive: true });
      },
      restore: () => rmSync(lockPath, { recursive: true }),
      code: 'lockFileUnreadable',
      message: /is a folder/,
    },
    {
      what: 'schema 3.0',
      make: () => writeFileSync(lockPath, original.toString('utf8').replace("schema: '2.0'", "schema: '3.0'")),
      code: 'lockFileSchema',
      message: /schema '3\.0'/,
    },
  ];
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    cases.push({
      what: 'no read permission',
      make: () => {
        writeFileSync(lockPath, original);
        chmodSync(lockPath, 0o200);
      },
      restore: () => chmodSync(lockPath, 0o644),
      code: 'lockFileUnreadable',
      message: /could not be read/,
    });
  }
  for (const { what, make, restore, code, message } of cases) {
    make();
    const snapshot = readBytes(lockPath);
    const validate = await runMlc(root, ['validate', '--json']);
    assert.equal(validate.code, 1, `${what}: ${validate.stdout}${validate.stderr}`);
    const problem = (JSON.parse(validate.stdout).problems as Array<Record<string, unknown>>).find(
      (candidate) => candidate.file === 'mlc.lock',
    );
    assert.equal(problem?.code, code, `${what}: ${validate.stdout}`);
    assert.match(String(problem?.message), message, what);
    const run = await runMlc(root, ['run', 'a', '--force']);
    assert.equal(run.code, 2, `${what}: ${run.stderr}`);
    assert.deepEqual(readBytes(lockPath), snapshot, `${what}: mlc.lock untouched`);
    restore?.();
  }
});

/** The file's bytes, or 'folder' for a folder. */
function readBytes(path: string): Buffer | string {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') return 'folder';
    if ((error as NodeJS.ErrnoException).code === 'EACCES') {
      chmodSync(path, 0o644);
      const bytes = readFileSync(path);
      chmodSync(path, 0o200);
      return bytes;
    }
    throw error;
  }
}
