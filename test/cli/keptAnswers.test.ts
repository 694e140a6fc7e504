import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, suite, test } from 'node:test';
import { bundleCli } from '../../bench/support/bundleCli';
import { createWorkspace } from '../support/mlcCli';
import { makeTempDir } from '../support/tempDir';

// `mlc run` and `mlc status` as users start them: dist/cli.js, which answers a plain up-to-date
// run, or a status, from the kept answer (dist/cli.keptAnswers.js) before loading the CLI bundle,
// and loads it for anything else. The other CLI suites spawn the CLI bundle itself, so this is
// where the loader's path is tested.
suite('mlc run and mlc status: the kept answer given before the CLI is loaded', () => {
  let cli = '';
  let refuseBundle = '';
  let countKeptAnswerReads = '';
  before(async () => {
    const folder = makeTempDir('mlc-cli-dist-');
    cli = await bundleCli(folder);
    // Loaded with --require: reading the CLI bundle fails, so an answer proves it was not loaded.
    refuseBundle = join(folder, 'refuse-bundle.cjs');
    writeFileSync(
      refuseBundle,
      `const fs = require('node:fs');
const readFileSync = fs.readFileSync;
fs.readFileSync = function (path, ...rest) {
  if (String(path).endsWith('cli.bundle.js')) throw new Error('the CLI bundle was loaded');
  return readFileSync.call(this, path, ...rest);
};`,
    );
    // Loaded with --require: prints on stderr how often a kept answer's file was read.
    countKeptAnswerReads = join(folder, 'count-kept-answer-reads.cjs');
    writeFileSync(
      countKeptAnswerReads,
      `const fs = require('node:fs');
const readFileSync = fs.readFileSync;
let reads = 0;
fs.readFileSync = function (path, ...rest) {
  if (/[\\/]\\.mlc[\\/]cache[\\/](up-to-date|status)\\.json$/.test(String(path))) reads++;
  return readFileSync.call(this, path, ...rest);
};
process.on('exit', () => process.stderr.write('kept answer reads: ' + reads + '\\n'));`,
    );
  });

  const mlc = (
    cwd: string,
    args: readonly string[],
    options: { bundleRefused?: boolean; keptAnswerReadsCounted?: boolean; env?: NodeJS.ProcessEnv } = {},
  ) => {
    const nodeOptions = [
      ...(options.bundleRefused ? ['--require', refuseBundle] : []),
      ...(options.keptAnswerReadsCounted ? ['--require', countKeptAnswerReads] : []),
    ];
    const result = spawnSync(process.execPath, [...nodeOptions, cli, ...args], {
      cwd,
      env: { ...process.env, ...options.env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
  };
  // Files younger than two seconds may still change unseen within their timestamp tick: no answer
  // resting on them is kept (the racy rule).
  const settle = () => new Promise((resolve) => setTimeout(resolve, 2100));

  test('a plain up-to-date run is answered without the bundle; any other question, bad usage or change loads it', async () => {
    const root = createWorkspace({
      'mlc.yaml': 'stages:\n  copy:\n    cmd: cp in.txt out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n',
      'in.txt': 'abc\n',
    });
    assert.match(mlc(root, ['run']).stdout, /copy/);
    await settle();
    // The bundle answers and keeps its answer; marked, so that it being given shows on stdout.
    assert.equal(mlc(root, ['run']).stdout, 'Everything is up to date.');
    const verdictFile = join(root, '.mlc/cache/up-to-date.json');
    const kept = JSON.parse(readFileSync(verdictFile, 'utf8')) as { output: string };
    writeFileSync(verdictFile, JSON.stringify({ ...kept, output: 'kept answer' }));

    // The loader gives the kept answer without reading the bundle, for the same question however
    // it is spelled (-j changes nothing that is answered).
    for (const args of [['run'], ['run', '-j', '1'], ['run', '-j=2', '--verbose']]) {
      const answered = mlc(root, args, { bundleRefused: true });
      assert.deepEqual([answered.code, answered.stdout], [0, 'kept answer'], `${args.join(' ')}: ${answered.stderr}`);
    }
    // The bundle asks the same question (the same key): started by itself, it gives it too.
    const bundle = spawnSync(process.execPath, [join(cli, '..', 'cli.bundle.js'), 'run'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(bundle.stdout.trim(), 'kept answer');

    // Other questions are the bundle's to answer (it is refused here, so they fail to start).
    for (const args of [
      ['run', '--json'],
      ['run', '--dry-run'],
      ['run', 'copy'],
      ['run', '--help'],
      ['run', '-j', '0'],
    ]) {
      assert.notEqual(mlc(root, args, { bundleRefused: true }).code, 0, args.join(' '));
    }
    const badUsage = mlc(root, ['run', '-j', '0']);
    assert.equal(badUsage.code, 2);
    assert.match(badUsage.stderr, /-j expects a whole number/);
    assert.equal(mlc(root, ['run'], { env: { MLC_KEPT_ANSWERS: '0' } }).stdout, 'Everything is up to date.');
    assert.equal(mlc(root, ['run']).stdout, 'kept answer');

    // A changed dependency: the kept answer no longer holds, and the stage runs. The loader asked
    // and the bundle it loaded did not ask again (the kept answer's file read once).
    writeFileSync(join(root, 'in.txt'), 'xyz\n');
    const changed = mlc(root, ['run'], { keptAnswerReadsCounted: true });
    assert.match(changed.stdout, /copy/);
    assert.match(changed.stderr, /kept answer reads: 1\n/);
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'xyz\n');

    // A torn kept answer is no answer: the loader goes on to the CLI, which answers in full.
    writeFileSync(verdictFile, readFileSync(verdictFile, 'utf8').slice(0, 20));
    const torn = mlc(root, ['run']);
    assert.deepEqual([torn.code, torn.stdout], [0, 'Everything is up to date.'], torn.stderr);
  });

  test('a status is answered without the bundle while nothing it read changed, its exit code included', async () => {
    const root = createWorkspace({
      'mlc.yaml':
        'stages:\n  count:\n    cmd: ls data > count.txt\n    deps: [data, params.yaml]\n    outs: [count.txt]\n',
      'params.yaml': 'lr: 0.1\n',
      'data/a.csv': '1\n',
      'data/part/b.csv': '2\n',
    });
    const status = (args: readonly string[], options: Parameters<typeof mlc>[2] = {}) => {
      const answered = mlc(root, ['status', ...args], options);
      return { code: answered.code, stdout: answered.stdout, stderr: answered.stderr };
    };
    const stateOf = (answered: { stdout: string }) =>
      (JSON.parse(answered.stdout) as { stages: Array<{ state: string }> }).stages.map((stage) => stage.state);
    // The first status of a workspace creates .mlc/ for its caches, which changes the folder it
    // listed: that answer is not kept; the next one is.
    status(['--json']);
    await settle();
    // Never run: the bundle answers (exit 1 with --check) and keeps the answer, which the loader
    // then gives without it, exit code and all.
    assert.deepEqual(stateOf(status(['--json', '--check'])), ['never-run']);
    const keptNeverRun = status(['--json', '--check'], { bundleRefused: true });
    assert.deepEqual([keptNeverRun.code, stateOf(keptNeverRun)], [1, ['never-run']], keptNeverRun.stderr);

    // The run changes the lock: the kept "never-run" no longer holds.
    assert.equal(mlc(root, ['run']).code, 0);
    await settle();
    const afterRun = status(['--json', '--check'], { keptAnswerReadsCounted: true });
    assert.deepEqual([afterRun.code, stateOf(afterRun)], [0, ['up-to-date']]);
    // The loader asked, found it stale, and the bundle did not ask again.
    assert.match(afterRun.stderr, /kept answer reads: 1\n/);
    const keptUpToDate = status(['--json', '--check'], { bundleRefused: true });
    assert.deepEqual([keptUpToDate.code, stateOf(keptUpToDate)], [0, ['up-to-date']], keptUpToDate.stderr);

    // The human report is another question, kept apart; so are --watch and a target.
    assert.notEqual(status([], { bundleRefused: true }).code, 0);
    assert.match(status([]).stdout, /count\s+up-to-date/);
    assert.match(status([], { bundleRefused: true }).stdout, /count\s+up-to-date/);
    assert.notEqual(status(['count', '--json'], { bundleRefused: true }).code, 0);
    assert.notEqual(status(['--watch'], { bundleRefused: true }).code, 0);
    assert.equal(status(['--json'], { env: { MLC_KEPT_ANSWERS: '0' } }).code, 0);

    // One status answer is kept at a time: the last question asked.
    assert.equal(status(['--json', '--check'], { bundleRefused: true }).code, 1);

    // Each change a stage depends on ends the kept answer: a file rewritten in place in a
    // subfolder (same size), a file added to the data folder, a params value, the pipeline.
    const changes: Array<[string, () => void]> = [
      ['a file rewritten in place', () => writeFileSync(join(root, 'data/part/b.csv'), '3\n')],
      ['a file added', () => writeFileSync(join(root, 'data/c.csv'), '4\n')],
      ['a param', () => writeFileSync(join(root, 'params.yaml'), 'lr: 0.2\n')],
    ];
    for (const [change, make] of changes) {
      assert.equal(mlc(root, ['run']).code, 0, change);
      await settle();
      assert.deepEqual(stateOf(status(['--json'])), ['up-to-date'], change);
      assert.deepEqual(stateOf(status(['--json'], { bundleRefused: true })), ['up-to-date'], change);
      make();
      // The same question as the answer kept: only a check of what it read can refuse it.
      assert.deepEqual(stateOf(status(['--json'])), ['changed'], change);
    }
    writeFileSync(
      join(root, 'mlc.yaml'),
      readFileSync(join(root, 'mlc.yaml'), 'utf8').replace('ls data', 'ls -a data'),
    );
    assert.deepEqual(stateOf(status(['--json'])), ['changed']);
  });
});
