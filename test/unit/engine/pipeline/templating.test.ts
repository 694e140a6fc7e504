import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPipeline } from '../../../../src/engine/pipeline/loadPipeline';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const params = `
lr: 1.0
small: 0.00001
flag: true
name: my model
none_value:
nested: {a: {b: [10, {c: deep}]}}
opts: {epochs: 3, verbose: true, quiet: false, tags: [x, "y z"], inner: {k: v}, empty: "", nothing: null, ratio: 0.5}
bad: {list: [[1]]}
`;

function load(text: string, files: Record<string, string> = {}) {
  return loadPipeline(
    createMemoryFileSystem({ '/ws/dvc.yaml': text, '/ws/params.yaml': params, ...files }),
    '/ws/dvc.yaml',
  );
}

function firstStage(text: string) {
  const { pipeline, problems } = load(text);
  assert.deepEqual(problems, []);
  return pipeline.stages[0]!;
}

test('params.yaml is loaded first; floats and bools are rendered as DVC does', () => {
  assert.equal(
    firstStage('stages:\n  s:\n    cmd: run ${lr} ${small} ${flag} ${none_value}\n').cmd,
    'run 1.0 1e-05 true None',
  );
});

test('nested keys and list indexes resolve: a.b[1].c and a.b.0', () => {
  assert.equal(firstStage('stages:\n  s:\n    cmd: run ${nested.a.b[1].c} ${nested.a.b.0}\n').cmd, 'run deep 10');
});

test('\\${ is an escaped literal ${', () => {
  assert.equal(firstStage('stages:\n  s:\n    cmd: echo \\${HOME} ${lr}\n').cmd, 'echo ${HOME} 1.0');
  assert.equal(firstStage('stages:\n  s:\n    cmd: echo \\${HOME}\n').cmd, 'echo ${HOME}');
});

test('a lone ${x} keeps the raw value: a bool stays a bool', () => {
  const stage = firstStage('stages:\n  s:\n    cmd: run\n    frozen: ${flag}\n    always_changed: ${flag}\n');
  assert.equal(stage.frozen, true);
  assert.equal(stage.alwaysChanged, true);
});

test('dict unpacking in cmd: strings quoted when needed, true -> --k, false omitted, lists nargs, nested dotted', () => {
  assert.equal(
    firstStage('stages:\n  s:\n    cmd: python train.py ${opts}\n').cmd,
    "python train.py --epochs 3 --verbose --tags x 'y z' --inner.k v --empty '' --nothing None --ratio 0.5",
  );
});

test('a nested list cannot be unpacked', () => {
  const { problems } = load('stages:\n  s:\n    cmd: run ${bad}\n');
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.line, problem.column]),
    [['invalidInterpolationType', 3, 10]],
  );
});

test('keys of maps are templated too', () => {
  const text =
    'stages:\n  s:\n    foreach: [a, b]\n    do:\n      cmd: run\n      outs:\n        - ${item}.csv:\n            cache: false\n';
  const { pipeline } = load(text);
  assert.deepEqual(
    pipeline.stages.map((stage) => [stage.outs[0]!.path, stage.outs[0]!.cache]),
    [
      ['a.csv', false],
      ['b.csv', false],
    ],
  );
});

test('templated params file names resolve (a params map key with ${})', () => {
  const text =
    'vars:\n  - out: best.json\nstages:\n  s:\n    cmd: run\n    outs:\n      - ${out}\n  t:\n    cmd: run\n    params:\n      - ${out}:\n';
  const { pipeline } = load(text);
  assert.deepEqual(
    pipeline.stages[1]!.params.map((param) => [param.file, param.keys]),
    [['best.json', 'all']],
  );
});

test('top-level sections are templated; values used from params files are recorded', () => {
  const text =
    'vars:\n  - dir: results\nstages:\n  s:\n    cmd: run ${lr} ${nested.a.b.0} ${dir}\nmetrics:\n  - ${dir}/metrics.json\n';
  const { pipeline } = load(text);
  assert.deepEqual(pipeline.metricsFiles, ['results/metrics.json']);
  assert.deepEqual(pipeline.templateParams, { 'params.yaml': { lr: 1, 'nested.a.b.0': 10 } });
});

test('vars: path:key loads only those keys; inline maps merge with nested maps', () => {
  const files = { '/ws/conf.yaml': 'model: {depth: 4}\nunused: 1\n' };
  const text =
    'vars:\n  - conf.yaml:model\n  - model: {width: 8}\nstages:\n  s:\n    cmd: run ${model.depth} ${model.width}\n';
  const { pipeline, problems } = load(text, files);
  assert.deepEqual(problems, []);
  assert.equal(pipeline.stages[0]!.cmd, 'run 4 8');
});

test('python and toml params files feed templates', () => {
  const files = { '/ws/p.py': 'class Train:\n    lr = 1.0\n', '/ws/t.toml': '[data]\nsplit = 0.2\n' };
  const text = 'vars: [p.py, t.toml]\nstages:\n  s:\n    cmd: run ${Train.lr} ${data.split}\n';
  const { pipeline, problems } = load(text, files);
  assert.deepEqual(problems, []);
  assert.equal(pipeline.stages[0]!.cmd, 'run 1.0 0.2');
});

test('dict unpacking cannot inject: hostile keys and values reach the program as words, nothing runs', () => {
  // Values were quoted, keys were not: a key such as `x; touch pwned` ran `touch` (params may come
  // from a recorded run of another tool when a run is repeated with its params).
  const hostile = [
    '$(touch pwned)',
    '`touch pwned`',
    "'; touch pwned; '",
    'a b',
    '*',
    'x\ny',
    '"$HOME"',
    '&& touch pwned',
  ];
  const entries = hostile.flatMap((text, index) => [
    `  ${JSON.stringify(`k${index}${text}`)}: ${JSON.stringify(text)}`,
    `  ${JSON.stringify(`l${index}`)}: [${JSON.stringify(text)}, plain]`,
  ]);
  const { pipeline, problems } = loadPipeline(
    createMemoryFileSystem({
      '/ws/dvc.yaml': 'stages:\n  s:\n    cmd: printf "<%s>" ${opts}\n',
      '/ws/params.yaml': `opts:\n${entries.join('\n')}\n`,
    }),
    '/ws/dvc.yaml',
  );
  assert.deepEqual(problems, []);
  const folder = mkdtempSync(join(tmpdir(), 'mlc-unpack-'));
  try {
    const result = spawnSync('/bin/sh', ['-c', pipeline.stages[0]!.cmd as string], { cwd: folder, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const expected = hostile.flatMap((text, index) => [`--k${index}${text}`, text, `--l${index}`, text, 'plain']);
    assert.equal(result.stdout, expected.map((word) => `<${word}>`).join(''));
    assert.deepEqual(readdirSync(folder), [], 'nothing was created by the command line');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
