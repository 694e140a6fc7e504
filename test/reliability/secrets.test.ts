import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { createWorkspace, runMlc, runMlcSync } from '../support/mlcCli';
import { printFigure } from './support/soak';

/**
 * mlc keeps no secret of its own (PRODUCT.md: they live in VS Code's SecretStorage, and no code of
 * mlc reads or writes one today); secrets reach it through the environment, which every stage
 * inherits: tokens of a CI job (MLC_REPORT_TOKEN for the merge-request note), cloud keys, tracking
 * tokens, an ssh passphrase helper. The suite's flows run with known test secrets in the
 * environment, stages that use them and a stage that fails, then every file the flows produced
 * (`.mlc/` records, logs, events, metrics, the audit log, caches, the lock, outs) and every output
 * of mlc is searched for them.
 */

const secrets: Record<string, string> = {
  MLC_REPORT_TOKEN: 'glpat-TESTSECRET-report-7f3a9c',
  AWS_SECRET_ACCESS_KEY: 'TESTSECRET/aws/2b1e8d4c6f',
  MLFLOW_TRACKING_TOKEN: 'TESTSECRET-mlflow-91c2',
  SSH_PASSPHRASE: 'TESTSECRET passphrase with spaces',
  WANDB_API_KEY: 'TESTSECRET0wandb0d41d8cd98f00b204e9800998ecf8427e',
};

/** Uses every secret (a length, a hash) without printing one, as a real stage would. */
const stageScript = `
const crypto = require('crypto');
const fs = require('fs');
const names = ${JSON.stringify(Object.keys(secrets))};
const used = names.map((name) => name + ' ' + crypto.createHash('sha256').update(process.env[name] || '').digest('hex'));
fs.writeFileSync('model.txt', used.join('\\n') + '\\n');
fs.writeFileSync('train.csv', 'step,loss\\n0,1\\n1,0.5\\n');
fs.writeFileSync('scores.json', JSON.stringify({ acc: 0.5 }));
console.log('trained with', names.length, 'credentials');
if (process.argv[2] === 'fail') { console.error('upload refused'); process.exit(3); }
`;

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (name === '.git') return [];
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('no test secret from the environment reaches a file mlc writes or its output', { timeout: 600_000 }, async () => {
  const root = createWorkspace({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'mlc.yaml': [
      'stages:',
      '  train:',
      '    cmd: node stage.js',
      '    deps: [stage.js]',
      '    outs: [model.txt]',
      '    plots: [train.csv]',
      '    metrics:',
      '      - scores.json:',
      '          cache: false',
      '  upload:',
      '    cmd: node stage.js fail',
      '    deps: [model.txt]',
      '',
    ].join('\n'),
    'stage.js': stageScript,
  });
  const outputs: string[] = [];
  const mlc = (args: string[]) => {
    const result = runMlcSync(root, args, secrets);
    outputs.push(`mlc ${args.join(' ')}:\n${result.stdout}${result.stderr}`);
    return result;
  };
  mlc(['validate', '--json']);
  mlc(['dag', '--json']);
  mlc(['status', '--json']);
  const run = await runMlc(root, ['run', '--keep-going', '--verbose'], secrets);
  outputs.push(`mlc run:\n${run.stdout}${run.stderr}`);
  assert.equal(run.code, 1, run.stderr);
  const again = await runMlc(root, ['run', '--force', '--json'], secrets);
  outputs.push(`mlc run --json:\n${again.stdout}${again.stderr}`);
  const runs = JSON.parse(mlc(['runs', '--json', '--source', 'mlc']).stdout) as { runs: Array<{ id: string }> };
  assert.ok(runs.runs.length >= 2);
  for (const { id } of runs.runs) {
    mlc(['show', id, '--json']);
    mlc(['show', id]);
    mlc(['metrics', id, '--json']);
  }
  mlc(['report', '--verbose']);
  mlc(['audit']);
  mlc(['stop', runs.runs[0]!.id]);

  const produced = filesUnder(root).filter((path) => !path.endsWith('stage.js'));
  assert.ok(
    produced.some((path) => path.includes(`${join('.mlc', 'runs')}`) && path.endsWith('.log')),
    produced.join('\n'),
  );
  const leaks: string[] = [];
  for (const path of produced) {
    const text = readFileSync(path).toString('latin1');
    for (const [name, value] of Object.entries(secrets))
      if (text.includes(value)) leaks.push(`${name} in ${relative(root, path)}`);
  }
  for (const output of outputs) {
    for (const [name, value] of Object.entries(secrets))
      if (output.includes(value)) leaks.push(`${name} in ${output.split('\n')[0]}`);
  }
  assert.deepEqual(leaks, []);
  printFigure(
    `secrets: ${Object.keys(secrets).length} test secrets in the environment of ${outputs.length} mlc commands; ${produced.length} files produced and every output searched, none found`,
  );
});
