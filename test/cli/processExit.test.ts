import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { makeTempDir } from '../support/tempDir';
import { createWorkspace, runMlc, startMlc } from '../support/mlcCli';

/**
 * How the mlc process ends once its command has answered: at once when nothing is left to wait
 * for, and only after its output is written when a reader is slow.
 */
suite('mlc process exit', () => {
  test('once the command has answered and nothing is pending, mlc exits without draining the loop (no beforeExit)', async () => {
    const root = createWorkspace({ 'mlc.yaml': 'stages:\n  a:\n    cmd: ": > out"\n    outs: [out]\n' });
    // beforeExit is Node's sign that it drained the loop (and ran what V8 had scheduled) first.
    const preload = join(makeTempDir('mlc-exit-preload-'), 'beforeExit.js');
    writeFileSync(preload, `process.on('beforeExit', () => process.stderr.write('drained the loop\\n'));\n`);
    const result = await runMlc(root, ['status'], { NODE_OPTIONS: `--require ${preload}` });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /never-run/);
    assert.doesNotMatch(result.stderr, /drained the loop/);
  });

  test('output a slow reader has not taken yet is written whole before mlc exits', async () => {
    const stages = Array.from(
      { length: 3000 },
      (_, index) => `  s${index}:\n    cmd: ": > o${index}"\n    outs: [o${index}]\n`,
    );
    const root = createWorkspace({ 'mlc.yaml': `stages:\n${stages.join('')}` });
    const mlc = startMlc(root, ['status', '--json']);
    // Stop reading: the pipe fills (64 KB) and mlc's write waits for the reader.
    mlc.child.stdout!.pause();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    mlc.child.stdout!.resume();
    const result = await mlc.done;
    assert.equal(result.code, 0, result.stderr);
    const status = JSON.parse(result.stdout) as { stages: unknown[] };
    assert.equal(status.stages.length, 3000);
  });
});
