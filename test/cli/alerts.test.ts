import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { createWorkspace, runMlc } from '../support/mlcCli';
import { makeTempDir } from '../support/tempDir';

// Alerts of mlc.yaml fired by real processes: the example project's training script with a NaN
// learning rate (a param), and a stage that goes quiet.
function churnWithNanLearningRate(): string {
  const folder = makeTempDir('mlc-alerts-churn-');
  const example = resolve(__dirname, '../../examples/churn');
  for (const path of ['src', 'data/raw.csv', 'params.yaml', 'mlc.yaml'])
    cpSync(join(example, path), join(folder, path), {
      recursive: true,
      filter: (from) => !from.includes('__pycache__'),
    });
  const params = readFileSync(join(folder, 'params.yaml'), 'utf8');
  // YAML's .nan reaches train.py as --lr nan: every weight, and so the loss, becomes NaN.
  const injected = params.replace(/lr: [\d.]+/, 'lr: .nan').replace(/epochs: \d+/, 'epochs: 12');
  assert.notEqual(injected, params);
  writeFileSync(join(folder, 'params.yaml'), injected);
  return folder;
}

function auditTypes(folder: string): string[] {
  return readFileSync(join(folder, '.mlc/audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { type: string }).type);
}

test('a NaN injected by a param fires the NaN alert of the churn example; --fail-on-alert exits 1', async () => {
  const folder = churnWithNanLearningRate();
  const result = await runMlc(folder, ['run', '-j', '1', 'train', '--fail-on-alert', '--json']);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /⚠ alert: loss is NaN at step 1 of train \(mlc\.yaml:\d+\)/);
  assert.match(result.stderr, /1 alert\(s\) fired \(--fail-on-alert\)/);
  const output = JSON.parse(result.stdout) as {
    runId: string;
    status: string;
    alerts: { kind: string; value: string }[];
  };
  assert.equal(output.status, 'succeeded', 'the stages themselves succeeded: the exit code is the alert');
  assert.deepEqual(
    output.alerts.map((alert) => [alert.kind, alert.value]),
    [['nonFinite', 'nan']],
  );
  const record = JSON.parse(readFileSync(join(folder, '.mlc/runs', output.runId, 'run.json'), 'utf8')) as {
    alerts: { rule: string; step: number; metric: string }[];
  };
  assert.deepEqual(
    record.alerts.map((alert) => [alert.rule, alert.metric, alert.step]),
    [['loss is NaN', 'loss', 1]],
  );
  const events = readFileSync(join(folder, '.mlc/runs', output.runId, 'events.jsonl'), 'utf8');
  assert.match(events, /"type":"alertFired"/);
  assert.deepEqual(auditTypes(folder), ['alert', 'run']);

  // Without --fail-on-alert the alert is printed and recorded, and the exit code is the run's.
  const again = await runMlc(folder, ['run', '-j', '1', 'train', '--force']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /⚠ alert: loss is NaN/);
  assert.match(again.stdout, /⚠ alert: loss is NaN at step 1 of train/);
});

test('a stage that writes nothing for longer than stalled: fires the stalled alert while it runs', async () => {
  const folder = createWorkspace(
    {
      'mlc.yaml': `stages:
  quiet:
    cmd: echo start && sleep 3 && echo done
alerts:
  - { stalled: 1s }
`,
    },
    'mlc-alerts-stalled-',
  );
  const result = await runMlc(folder, ['run', '--fail-on-alert']);
  assert.equal(result.code, 1, result.stderr);
  const alertLine = result.stderr.split('\n').findIndex((line) => line.includes('⚠ alert: the run has written no'));
  const doneLine = result.stderr.split('\n').findIndex((line) => line.includes('[quiet] done'));
  assert.ok(alertLine >= 0, result.stderr);
  assert.ok(alertLine < doneLine, `the alert came while the stage ran:\n${result.stderr}`);
  const [runId] = readdirSync(join(folder, '.mlc/runs'));
  const record = JSON.parse(readFileSync(join(folder, '.mlc/runs', runId!, 'run.json'), 'utf8')) as {
    alerts: { kind: string }[];
  };
  assert.deepEqual(
    record.alerts.map((alert) => alert.kind),
    ['stalled'],
  );
});

test('a metric that ends worse than in the previous succeeded run fires the regression alert', async () => {
  const folder = createWorkspace(
    {
      'params.yaml': 'accuracy: 0.9\n',
      'mlc.yaml': `stages:
  score:
    cmd: >-
      echo '{"accuracy": \${accuracy}}' > metrics.json
    params: [accuracy]
    metrics: [metrics.json]
alerts:
  - { metric: accuracy, vs: previous, max_drop: 0.05 }
`,
    },
    'mlc-alerts-regression-',
  );
  const first = await runMlc(folder, ['run', '--fail-on-alert', '--json']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /cannot fire: no earlier succeeded run has the metric accuracy/);
  const baseline = (JSON.parse(first.stdout) as { runId: string }).runId;

  writeFileSync(join(folder, 'params.yaml'), 'accuracy: 0.8\n');
  const second = await runMlc(folder, ['run', '--fail-on-alert', '--json']);
  assert.equal(second.code, 1, second.stderr);
  const { alerts } = JSON.parse(second.stdout) as {
    alerts: { kind: string; baselineRun: string; value: number; message: string }[];
  };
  assert.deepEqual(
    alerts.map((alert) => [alert.kind, alert.baselineRun, alert.value]),
    [['regression', baseline, 0.8]],
  );
  assert.match(
    alerts[0]!.message,
    /accuracy 0\.8 dropped more than 0\.05 below the baseline run .* \(0\.9\) at the end of the run/,
  );
});
