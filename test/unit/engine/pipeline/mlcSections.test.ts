import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPipeline } from '../../../../src/engine/pipeline/loadPipeline';
import { parseDuration } from '../../../../src/engine/pipeline/parseDuration';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

// The illustrative mlc.yaml of PRODUCT.md.
const productExample = `vars: [params.yaml]
stages:
  prepare:
    cmd: python3 src/prepare.py --seed \${seed}
    deps: [src/prepare.py, data/raw.csv]
    params: [seed, prepare.split]
    outs: [data/train.csv, data/test.csv]
  train:
    cmd: python3 src/train.py
    deps: [src/train.py, data/train.csv]
    params: [train]
    outs: [models/model.json]
    metrics: [metrics/train.json]
    plots: [logs/train.csv]          # per-epoch series, charted live
    runner: local                    # mlc: where it runs (default local)
    timeout: 2h                      # mlc: kill after this long
    retries: 1                       # mlc: rerun on failure
  evaluate:
    cmd: python3 src/evaluate.py
    deps: [src/evaluate.py, models/model.json, data/test.csv]
    metrics: [metrics/eval.json]

models:
  churn: { path: models/model.json, metrics: metrics/eval.json }

runners:
  gpu-box: { type: ssh, host: gpu-box, user: ml, workdir: ~/work/churn }
  cluster: { type: slurm, via: gpu-box, partition: gpu, gres: "gpu:1", time: "02:00:00" }

deploy:
  local:
    model: churn
    runner: local
    start: python3 src/serve.py --model {model} --port 8601
    health: http://127.0.0.1:8601/health
    gates:
      - { metric: accuracy, min: 0.80 }
      - { metric: accuracy, vs: production, max_drop: 0.01 }

alerts:
  - { metric: loss, when: nan }
  - { metric: val_accuracy, below: 0.5, after_step: 10 }
  - { stalled: 10m }
`;

test('the PRODUCT.md mlc.yaml parses without problems into stages, runners, models, deploy and alerts', () => {
  const fs = createMemoryFileSystem({
    '/ws/mlc.yaml': productExample,
    '/ws/params.yaml': 'seed: 7\nprepare: {split: 0.2}\ntrain: {lr: 0.1}\n',
  });
  const { pipeline, problems } = loadPipeline(fs, '/ws/mlc.yaml');
  assert.deepEqual(problems, []);
  assert.equal(pipeline.kind, 'mlc');
  assert.equal(pipeline.stages[0]!.cmd, 'python3 src/prepare.py --seed 7');
  const train = pipeline.stages[1]!;
  assert.deepEqual([train.runner, train.timeoutMs, train.retries], ['local', 7_200_000, 1]);
  assert.deepEqual(
    train.outs.map((output) => output.kind),
    ['out', 'metric', 'plot'],
  );
  assert.deepEqual(pipeline.models, [
    { name: 'churn', path: 'models/model.json', metrics: 'metrics/eval.json', position: { line: 24, column: 3 } },
  ]);
  assert.deepEqual(
    pipeline.runners.map((runner) => [runner.name, runner.type, runner.options]),
    [
      ['gpu-box', 'ssh', { host: 'gpu-box', user: 'ml', workdir: '~/work/churn' }],
      ['cluster', 'slurm', { via: 'gpu-box', partition: 'gpu', gres: 'gpu:1', time: '02:00:00' }],
    ],
  );
  const target = pipeline.deploy[0]!;
  assert.equal(target.start, 'python3 src/serve.py --model {model} --port 8601');
  assert.deepEqual(target.gates, [
    { metric: 'accuracy', min: 0.8 },
    { metric: 'accuracy', vs: 'production', maxDrop: 0.01 },
  ]);
  assert.deepEqual(
    pipeline.alerts.map(({ position: _position, ...rule }) => rule),
    [{ metric: 'loss', when: 'nan' }, { metric: 'val_accuracy', below: 0.5, afterStep: 10 }, { stalledMs: 600_000 }],
  );
});

test('mlc sections report located problems: bad runner type, missing host, unknown via, bad timeout, env', () => {
  const text = `runners:
  a: { type: kubernetes }
  b: { type: ssh }
  c: { type: slurm, via: nowhere }
stages:
  s:
    cmd: x
    timeout: soon
    retries: -1
    env: { A: 1, B: [x] }
deploy:
  t:
    model: ghost
    runner: b
alerts:
  - { metric: loss }
`;
  const { problems } = loadPipeline(createMemoryFileSystem({ '/ws/mlc.yaml': text }), '/ws/mlc.yaml');
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.line, problem.column]),
    [
      ['wrongType', 2, 14],
      ['missingField', 3, 3],
      ['unknownRunner', 4, 26],
      ['wrongType', 8, 14],
      ['wrongType', 9, 14],
      ['wrongType', 10, 21],
      ['missingField', 12, 3],
      ['unknownModel', 12, 3],
      ['missingField', 16, 5],
    ],
  );
});

test('every alert kind parses, and each incomplete or unknown alert is a located problem', () => {
  const text = `stages:
  s: { cmd: x }
deploy:
  api: { model: m, start: serve }
models:
  m: { path: m.bin }
alerts:
  - { metric: loss, when: nan }
  - { metric: grad, when: INF }
  - { metric: acc, below: 0.5, after_step: 10 }
  - { metric: acc, vs: previous, max_drop: 0.02 }
  - { stalled: 5m }
  - { deployment: api }
  - { metric: loss, when: sometimes }
  - { metric: acc, vs: previous }
  - { deployment: apj }
  - { stalled: 0 }
  - { metric: loss }
`;
  const { pipeline, problems } = loadPipeline(createMemoryFileSystem({ '/ws/mlc.yaml': text }), '/ws/mlc.yaml');
  assert.deepEqual(
    pipeline.alerts.slice(0, 6).map(({ position: _position, ...rule }) => rule),
    [
      { metric: 'loss', when: 'nan' },
      { metric: 'grad', when: 'inf' },
      { metric: 'acc', below: 0.5, afterStep: 10 },
      { metric: 'acc', vs: 'previous', maxDrop: 0.02 },
      { stalledMs: 300_000 },
      { deployment: 'api' },
    ],
  );
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.line, problem.column, problem.message]),
    [
      [
        'wrongType',
        14,
        27,
        'when must be nan, inf or nonfinite (alert when the metric becomes NaN, an infinity, or either).',
      ],
      [
        'missingField',
        15,
        5,
        'A regression alert (vs) needs max_drop (the metric should stay high) or max_rise (it should stay low).',
      ],
      [
        'unknownDeployTarget',
        16,
        19,
        "The deploy target 'apj' is not declared under deploy: in this file. Did you mean 'api'?",
      ],
      ['wrongType', 17, 16, 'stalled must be a duration such as 10m or 1h.'],
      [
        'missingField',
        18,
        5,
        'An alert needs a metric with when, below, above or vs, or stalled: <duration>, or deployment: <target>.',
      ],
    ],
  );
});

test('parseDuration reads 90s, 10m, 2h, 1h30m and plain seconds', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration(45), 45_000);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(parseDuration('-5'), undefined);
});
