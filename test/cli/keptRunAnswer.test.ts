import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, suite, test } from 'node:test';
import { bundleCli } from '../../bench/support/bundleCli';
import { createWorkspace } from '../support/mlcCli';
import { makeTempDir } from '../support/tempDir';

// `mlc run` as users start it: dist/cli.js, which answers a plain up-to-date run from the kept
// answer (dist/cli.keptRun.js) before loading the CLI bundle, and loads it for anything else.
// The other CLI suites spawn the CLI bundle itself, so this is where the loader's path is tested.
suite('mlc run: the kept answer given before the CLI is loaded', () => {
  let cli = '';
  let refuseBundle = '';
  let countVerdictReads = '';
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
    // Loaded with --require: prints on stderr how often the kept answer's file was read.
    countVerdictReads = join(folder, 'count-verdict-reads.cjs');
    writeFileSync(
      countVerdictReads,
      `const fs = require('node:fs');
const readFileSync = fs.readFileSync;
let reads = 0;
fs.readFileSync = function (path, ...rest) {
  if (String(path).endsWith('up-to-date.json')) reads++;
  return readFileSync.call(this, path, ...rest);
};
process.on('exit', () => process.stderr.write('verdict reads: ' + reads + '\\n'));`,
    );
  });

  const mlc = (
    cwd: string,
    args: readonly string[],
    options: { bundleRefused?: boolean; verdictReadsCounted?: boolean; env?: NodeJS.ProcessEnv } = {},
  ) => {
    const nodeOptions = [
      ...(options.bundleRefused ? ['--require', refuseBundle] : []),
      ...(options.verdictReadsCounted ? ['--require', countVerdictReads] : []),
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
    assert.equal(mlc(root, ['run'], { env: { MLC_RUN_VERDICT: '0' } }).stdout, 'Everything is up to date.');
    assert.equal(mlc(root, ['run']).stdout, 'kept answer');

    // A changed dependency: the kept answer no longer holds, and the stage runs. The loader asked
    // and the bundle it loaded did not ask again (the kept answer's file read once).
    writeFileSync(join(root, 'in.txt'), 'xyz\n');
    const changed = mlc(root, ['run'], { verdictReadsCounted: true });
    assert.match(changed.stdout, /copy/);
    assert.match(changed.stderr, /verdict reads: 1\n/);
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'xyz\n');

    // A torn kept answer is no answer: the loader goes on to the CLI, which answers in full.
    writeFileSync(verdictFile, readFileSync(verdictFile, 'utf8').slice(0, 20));
    const torn = mlc(root, ['run']);
    assert.deepEqual([torn.code, torn.stdout], [0, 'Everything is up to date.'], torn.stderr);
  });
});
