import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { createWorkspace, runMlcSync } from '../support/mlcCli';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

/** A bare remote holding one commit with a pipeline, and two clones of it. */
function twoClones(): { remote: string; a: string; b: string } {
  const seed = createWorkspace({
    'mlc.yaml': 'stages:\n  hello:\n    cmd: echo hello > out.txt\n    outs: [out.txt]\n',
    '.gitignore': '.mlc/\nout.txt\nmlc.lock\n',
  });
  git(seed, 'init', '--quiet', '--initial-branch=main');
  git(seed, 'add', '.');
  git(seed, 'commit', '--quiet', '-m', 'pipeline');
  const remote = join(createWorkspace({}), 'remote.git');
  git(seed, 'clone', '--quiet', '--bare', seed, remote);
  const a = join(createWorkspace({}), 'a');
  const b = join(createWorkspace({}), 'b');
  git(seed, 'clone', '--quiet', remote, a);
  git(seed, 'clone', '--quiet', remote, b);
  return { remote, a, b };
}

function runIds(cwd: string): string[] {
  const result = runMlcSync(cwd, ['runs', '--json', '--source', 'mlc']);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { runs: { id: string }[] }).runs.map((run) => run.id).sort();
}

function makeRun(cwd: string): string {
  const before = new Set(runIds(cwd));
  const result = runMlcSync(cwd, ['run', '--force']);
  assert.equal(result.code, 0, result.stderr);
  const added = runIds(cwd).filter((id) => !before.has(id));
  assert.equal(added.length, 1);
  return added[0]!;
}

function mustSucceed(cwd: string, args: string[]): string {
  const result = runMlcSync(cwd, args);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

test("a run made in clone A appears in clone B's mlc runs after A pushes and B pulls", () => {
  const { remote, a, b } = twoClones();
  const runId = makeRun(a);
  assert.equal(mustSucceed(a, ['push']), 'Pushed 1 run to origin; 0 already there.\n');
  assert.match(git(remote, 'for-each-ref', '--format=%(refname)'), new RegExp(`^refs/mlc/runs/${runId}$`, 'm'));
  assert.deepEqual(runIds(b), []);
  assert.equal(mustSucceed(b, ['pull']), 'Pulled 1 run from origin; 0 already here.\n');
  assert.deepEqual(runIds(b), [runId]);
  const record = (root: string) => readFileSync(join(root, '.mlc/runs', runId, 'run.json'), 'utf8');
  assert.equal(record(b), record(a));
  assert.deepEqual(readdirSync(join(b, '.mlc/runs')), [runId]); // no staging folder left behind
  // Branches, index and work tree are untouched.
  assert.equal(git(b, 'status', '--porcelain'), '');
  assert.equal(mustSucceed(b, ['pull']), 'Pulled 0 runs from origin; 1 already here.\n');
});

test('pushing twice is a no-op, and two clones pushing different runs never conflict', () => {
  const { remote, a, b } = twoClones();
  const runA = makeRun(a);
  const runB = makeRun(b);
  mustSucceed(a, ['push']);
  const refsAfterFirstPush = git(remote, 'for-each-ref');
  assert.equal(mustSucceed(a, ['push']), 'Pushed 0 runs to origin; 1 already there.\n');
  assert.equal(git(remote, 'for-each-ref'), refsAfterFirstPush);
  assert.equal(mustSucceed(b, ['push']), 'Pushed 1 run to origin; 0 already there.\n');
  mustSucceed(a, ['pull']);
  mustSucceed(b, ['pull']);
  assert.deepEqual(runIds(a), [runA, runB].sort());
  assert.deepEqual(runIds(b), [runA, runB].sort());
  // B now holds A's run, byte for byte: pushing it again from B is the same commit, no change.
  assert.equal(mustSucceed(b, ['push']), 'Pushed 0 runs to origin; 2 already there.\n');
});

test('a local run folder with other content than the remote copy is kept and reported (exit 1)', () => {
  const { a, b } = twoClones();
  const runId = makeRun(a);
  mustSucceed(a, ['push']);
  mustSucceed(b, ['pull']);
  const logFolder = join(b, '.mlc/runs', runId);
  writeFileSync(join(logFolder, 'note.txt'), 'edited in b\n');
  const pull = runMlcSync(b, ['pull']);
  assert.equal(pull.code, 1);
  assert.match(pull.stderr, new RegExp(`run ${runId} here differs from origin's copy; yours is kept`));
  assert.equal(readFileSync(join(logFolder, 'note.txt'), 'utf8'), 'edited in b\n');
  const push = runMlcSync(b, ['push']);
  assert.equal(push.code, 1);
  assert.match(push.stderr, /differs from origin's copy; theirs is kept/);
});

test('mlc push outside git or with an unknown remote is a usage error', () => {
  assert.equal(runMlcSync(createWorkspace({}), ['push']).code, 2);
  const { a } = twoClones();
  const result = runMlcSync(a, ['pull', '--remote', 'nowhere']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /no git remote 'nowhere' \(remotes: origin\)/);
});

test('the model registry folder travels as snapshots: pull adds missing files and keeps different ones', () => {
  const { a, b } = twoClones();
  const write = (root: string, path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write(a, '.mlc/registry/churn/versions/1.json', '{"version":1}\n');
  write(a, '.mlc/registry/churn/aliases.json', '{"production":1}\n');
  assert.equal(mustSucceed(a, ['push']), 'Pushed 0 runs to origin; 0 already there. Pushed the model registry.\n');
  assert.equal(mustSucceed(a, ['push']), 'Pushed 0 runs to origin; 0 already there.\n');
  write(b, '.mlc/registry/churn/aliases.json', '{"production":0}\n');
  const pull = runMlcSync(b, ['pull']);
  assert.equal(pull.code, 1);
  assert.equal(pull.stdout, 'Pulled 0 runs from origin; 0 already here. Added 1 registry file.\n');
  assert.match(
    pull.stderr,
    /\.mlc\/registry\/churn\/aliases\.json here differs from a registry snapshot on origin; yours is kept/,
  );
  assert.equal(readFileSync(join(b, '.mlc/registry/churn/versions/1.json'), 'utf8'), '{"version":1}\n');
  assert.equal(readFileSync(join(b, '.mlc/registry/churn/aliases.json'), 'utf8'), '{"production":0}\n');
  assert.deepEqual(readdirSync(join(b, '.mlc')).sort(), ['registry']);
});
