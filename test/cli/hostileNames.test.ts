import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeFileSystem } from '../../src/node/nodeFileSystem';
import { createWorkspace, runMlc } from '../support/mlcCli';
import { writeMlflowFileStore } from '../support/mlflowFixtures';

const SET_TITLE = '\u001b]0;pwned\u0007';
const CLEAR_SCREEN = '\u001b[2J';
// Any control character but the newline that ends lines: what a terminal would act on.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function assertNoRawControls(text: string, what: string): void {
  assert.doesNotMatch(text, RAW_CONTROL, `${what} prints a raw control character:\n${JSON.stringify(text)}`);
}

test('a stage named with an escape sequence is escaped in status, validate, dag and run output, exact in --json', async () => {
  // YAML's "\e" and "\a" are ESC and BEL: a cloned repository can hold such a name.
  const root = createWorkspace({
    'dvc.yaml': `stages:\n  "evil\\e]0;pwned\\a":\n    cmd: echo hi > out.txt\n    outs: ["out.txt"]\n  next:\n    cmd: "true"\n    deps: [out.txt]\n`,
  });
  const name = `evil${SET_TITLE}`;
  const shown = 'evil\\x1b]0;pwned\\x07';
  const texts = {
    status: await runMlc(root, ['status']),
    validate: await runMlc(root, ['validate']),
    dag: await runMlc(root, ['dag']),
    dot: await runMlc(root, ['dag', '--dot']),
    mermaid: await runMlc(root, ['dag', '--mermaid']),
    dryRun: await runMlc(root, ['run', '--dry-run']),
  };
  for (const [what, result] of Object.entries(texts)) {
    assertNoRawControls(result.stdout, `${what} stdout`);
    assertNoRawControls(result.stderr, `${what} stderr`);
    assert.ok(`${result.stdout}${result.stderr}`.includes(shown), `${what} shows the name escaped`);
  }
  assert.match(texts.status.stdout, /^ {2}next +never-run +upstream evil\\x1b\]0;pwned\\x07 changed$/m);
  assert.match(texts.dot.stdout, /^ {2}"evil\\x1b\]0;pwned\\x07" -> "next";$/m);
  assert.match(texts.mermaid.stdout, /^ {2}s0\["evil\\x1b\]0;pwned\\x07"\]$/m);

  const run = await runMlc(root, ['run']);
  assert.equal(run.code, 0, run.stderr);
  assertNoRawControls(run.stdout, 'run stdout');
  assert.match(run.stderr, /^▶ evil\\x1b\]0;pwned\\x07$/m);
  assert.ok(!run.stderr.includes(SET_TITLE), 'progress lines escape the stage name');

  const json = {
    status: JSON.parse((await runMlc(root, ['status', '--json'])).stdout) as { stages: Array<{ name: string }> },
    dag: JSON.parse((await runMlc(root, ['dag', '--json'])).stdout) as { stages: Array<{ name: string }> },
    validate: JSON.parse((await runMlc(root, ['validate', '--json'])).stdout) as {
      problems: Array<{ message: string }>;
    },
  };
  assert.equal(json.status.stages[0]!.name, name);
  assert.equal(json.dag.stages[0]!.name, name);
  assert.ok(json.validate.problems[0]!.message.includes(name), 'the JSON message quotes the exact name');
});

test("another tool's run name with an escape sequence is escaped in runs, show and metrics output, exact in --json", async () => {
  const root = createWorkspace({});
  writeMlflowFileStore(nodeFileSystem, join(root, 'mlruns'), {
    experiments: [
      {
        id: '0',
        name: 'Default',
        runs: [
          {
            id: 'a'.repeat(32),
            name: `clear${CLEAR_SCREEN}me`,
            status: 'FINISHED',
            startTime: 1_700_000_000_000,
            endTime: 1_700_000_100_000,
            params: { [`lr${SET_TITLE}`]: '0.1' },
            metrics: { 'loss\u009b2J': [[1_700_000_000_000, 0.5, 0]] },
          },
        ],
      },
    ],
  });
  const runId = `mlflow:${'a'.repeat(32)}`;
  const texts = {
    runs: await runMlc(root, ['runs']),
    show: await runMlc(root, ['show', runId]),
    metrics: await runMlc(root, ['metrics', runId]),
  };
  for (const [what, result] of Object.entries(texts)) {
    assert.equal(result.code, 0, `${what}: ${result.stderr}`);
    assertNoRawControls(result.stdout, `${what} stdout`);
    assertNoRawControls(result.stderr, `${what} stderr`);
  }
  assert.match(texts.show.stdout, /^Name: +clear\\x1b\[2Jme$/m);
  assert.match(texts.show.stdout, /^lr\\x1b\]0;pwned\\x07 +0\.1$/m);
  assert.match(texts.metrics.stdout, /^loss\\x9b2J +1 /m);
  const shown = JSON.parse((await runMlc(root, ['show', runId, '--json'])).stdout) as {
    name: string;
    params: Record<string, string>;
  };
  assert.equal(shown.name, `clear${CLEAR_SCREEN}me`);
  assert.deepEqual(Object.keys(shown.params), [`lr${SET_TITLE}`]);
  const listed = JSON.parse((await runMlc(root, ['runs', '--json'])).stdout) as { runs: Array<{ name: string }> };
  assert.equal(listed.runs[0]!.name, `clear${CLEAR_SCREEN}me`);
});
