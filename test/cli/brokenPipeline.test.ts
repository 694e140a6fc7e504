import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspace, runMlc } from '../support/mlcCli';

function workspace(files: Record<string, string>): string {
  return createWorkspace(files);
}

interface ProblemJson {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly severity: string;
}

const brokenPipelines: Record<string, string> = {
  'a YAML syntax error': 'stages:\n  a:\n    cmd: [unclosed\n',
  'duplicate keys': 'stages:\n  s:\n    cmd: echo\n  s:\n    cmd: echo 2\n',
  'binary data': 'stages:\n\u0000\u0001\u0002\u00ff',
};

for (const [what, text] of Object.entries(brokenPipelines)) {
  test(`a pipeline with ${what}: status, dag and run print the problem once and exit 2; --json still prints its document`, async () => {
    const root = workspace({ 'dvc.yaml': text });
    const [status, dag, run, statusJson, dagJson, runJson] = await Promise.all([
      runMlc(root, ['status']),
      runMlc(root, ['dag']),
      runMlc(root, ['run']),
      runMlc(root, ['status', '--json']),
      runMlc(root, ['dag', '--json']),
      runMlc(root, ['run', '--json']),
    ]);
    for (const [name, result] of Object.entries({ status, dag, run, statusJson, dagJson, runJson })) {
      assert.equal(result.code, 2, `${name}: ${result.stdout}${result.stderr}`);
      const located = result.stderr.match(/^dvc\.yaml:\d+:\d+: error\[\w+\]: /gm) ?? [];
      assert.equal(located.length, 1, `${name} prints the problem once, as an error:\n${result.stderr}`);
      assert.doesNotMatch(result.stderr, /^warning: /m, name);
      assert.doesNotMatch(result.stderr, /^\s+at /m, name);
    }
    assert.doesNotMatch(status.stdout, /0 stages: none/);
    for (const [name, result] of Object.entries({ statusJson, dagJson, runJson })) {
      const document = JSON.parse(result.stdout) as { problems: ProblemJson[] };
      assert.equal(document.problems.length, 1, name);
      assert.equal(document.problems[0]!.file, 'dvc.yaml', name);
      assert.equal(document.problems[0]!.severity, 'error', name);
    }
    assert.deepEqual((JSON.parse(statusJson.stdout) as { stages: unknown[] }).stages, []);
    assert.equal((JSON.parse(runJson.stdout) as { status: string }).status, 'invalid');
  });
}

test('a cycle stays exit 1 for dag (the check failed), with the problem in --json', async () => {
  const root = workspace({
    'dvc.yaml':
      'stages:\n  a:\n    cmd: x\n    deps: [b.txt]\n    outs: [a.txt]\n  b:\n    cmd: y\n    deps: [a.txt]\n    outs: [b.txt]\n',
  });
  const dag = await runMlc(root, ['dag', '--json']);
  assert.equal(dag.code, 1, dag.stderr);
  assert.deepEqual(
    (JSON.parse(dag.stdout) as { problems: ProblemJson[] }).problems.map((problem) => problem.code),
    ['cycle'],
  );
});

test('a dep through a symlink loop, through a file, or with a 300-character name is a located problem naming why, never a stack', async () => {
  const longName = 'n'.repeat(300);
  const root = workspace({
    'dvc.yaml': `stages:\n  s:\n    cmd: "true"\n    deps: [loop, file.txt/inside, ${longName}]\n`,
    'file.txt': 'x',
  });
  symlinkSync(join(root, 'loop'), join(root, 'loop'));
  const validate = await runMlc(root, ['validate', '--json']);
  assert.equal(validate.code, 0, validate.stderr);
  const messages = (JSON.parse(validate.stdout) as { problems: Array<ProblemJson & { message: string }> }).problems
    .filter((problem) => problem.code === 'missingDependency')
    .map((problem) => problem.message);
  assert.equal(messages.length, 3, messages.join('\n'));
  assert.match(messages[0]!, /'loop' of stage 's' cannot be read \(a symlink loop\)/);
  assert.match(messages[1]!, /'file\.txt\/inside' of stage 's' cannot be read \(a part of the path is a file/);
  assert.match(messages[2]!, /cannot be read \(the name is too long/);
  const [status, dryRun, run] = await Promise.all([
    runMlc(root, ['status']),
    runMlc(root, ['run', '--dry-run']),
    runMlc(root, ['run', '--json']),
  ]);
  for (const [name, result] of Object.entries({ status, dryRun, run })) {
    assert.doesNotMatch(result.stderr, /^\s+at |Error: E(LOOP|NOTDIR|NAMETOOLONG)/m, `${name}:\n${result.stderr}`);
    assert.match(
      result.stderr,
      /warning\[missingDependency\]: The dependency 'loop' of stage 's' cannot be read/,
      name,
    );
  }
  assert.equal(status.code, 0);
  assert.match(status.stdout, /^ {2}s {2}never-run$/m);
  assert.equal(dryRun.code, 0);
  assert.equal(run.code, 1, 'the stage fails: its deps are missing');
  const document = JSON.parse(run.stdout) as { problems: ProblemJson[]; stages: Array<{ failure?: { code: string } }> };
  assert.equal(document.problems.length, 3);
  assert.equal(document.stages[0]!.failure?.code, 'depMissing');
});
