import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { dvcliveFiles } from '../support/dvcliveWriter';
import { type MlcProcess, createWorkspace, runMlc, startMlc, waitFor, writeFiles } from '../support/mlcCli';

function workspace(files: Record<string, string>): string {
  return createWorkspace(files);
}

const HEADER = /^Every change — mlc status \(Ctrl-C to quit\) {4}\d\d:\d\d:\d\d$/m;

/** The frames printed so far (stdout is not a terminal: header, blank line, report; frames apart by a blank line). */
const framesOf = (mlc: MlcProcess) => mlc.output.stdout.split(/^(?=Every change — )/m).filter((frame) => frame !== '');

/** SIGINT as Ctrl-C sends it; mlc must close its watchers and exit 0 by itself, without a stack. */
async function interrupt(mlc: MlcProcess) {
  mlc.child.kill('SIGINT');
  const timeout = setTimeout(() => mlc.child.kill('SIGKILL'), 20_000);
  const result = await mlc.done;
  clearTimeout(timeout);
  assert.deepEqual([result.code, result.signal], [0, null], result.stderr);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
  return result;
}

suite('--watch', { concurrency: 2 }, () => {
  test('mlc status --watch redraws when params change and when a pipeline file is deleted; Ctrl-C exits 0', async () => {
    const root = workspace({
      'dvc.yaml':
        'stages:\n  train:\n    cmd: cp in.txt out.txt\n    deps: [in.txt]\n    params: [lr]\n    outs: [out.txt]\n',
      'in.txt': 'a\n',
      'params.yaml': 'lr: 0.1\n',
      'sub/dvc.yaml': 'stages:\n  extra:\n    cmd: echo extra\n',
    });
    const ran = await runMlc(root, ['run', 'train']);
    assert.equal(ran.code, 0, ran.stderr);
    const mlc = startMlc(root, ['status', '--watch']);
    try {
      await waitFor(
        () => framesOf(mlc).length === 1 && /2 stages: /.test(mlc.output.stdout),
        30_000,
        'the first frame',
      );
      const [first] = framesOf(mlc);
      assert.match(first!, HEADER);
      assert.match(first!, /^ {2}train\s+up-to-date$/m);
      assert.match(first!, /^ {2}sub\/dvc\.yaml:extra\s+never-run$/m);

      writeFiles(root, { 'params.yaml': 'lr: 0.2\n' });
      const changed = await waitFor(
        () => framesOf(mlc).find((frame) => /train\s+changed\s+param lr 0\.1 -> 0\.2/.test(frame)),
        30_000,
        'a frame showing the params change',
      );
      assert.match(changed, /2 stages: /);
      assert.doesNotMatch(mlc.output.stdout, /\x1b/, 'no escape codes when stdout is not a terminal');
      assert.match(mlc.output.stdout, /\n\nEvery change — /, 'frames are separated by a blank line');

      rmSync(join(root, 'sub/dvc.yaml'));
      const afterDelete = await waitFor(
        () => framesOf(mlc).find((frame) => /1 stage: 1 changed/.test(frame)),
        30_000,
        'a frame without the deleted pipeline',
      );
      assert.doesNotMatch(afterDelete, /extra/);
    } finally {
      await interrupt(mlc);
    }
  });

  test('mlc runs --watch --json prints one JSON document per line; a new DVCLive run shows up in a later line', async () => {
    const root = workspace(dvcliveFiles({ folder: 'first/dvclive', series: { loss: [{ step: 0, value: 1 }] } }));
    const mlc = startMlc(root, ['runs', '--watch', '--json']);
    const documents = () =>
      mlc.output.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { runs: Array<{ location: string; source: string }> });
    const locations = (document: { runs: Array<{ location: string }> }) => document.runs.map((run) => run.location);
    try {
      await waitFor(() => documents().length >= 1, 30_000, 'the first document');
      assert.deepEqual(locations(documents()[0]!), ['first/dvclive']);

      writeFiles(root, dvcliveFiles({ folder: 'second/dvclive', series: { loss: [{ step: 0, value: 0.5 }] } }));
      const later = await waitFor(
        () => documents().find((document) => locations(document).includes('second/dvclive')),
        30_000,
        'a document listing the new run',
      );
      assert.deepEqual(locations(later).sort(), ['first/dvclive', 'second/dvclive']);
      assert.ok(later.runs.every((run) => run.source === 'dvclive'));
    } finally {
      await interrupt(mlc);
    }
  });
});
