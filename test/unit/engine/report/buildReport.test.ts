import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import { buildReport } from '../../../../src/engine/report/buildReport';
import { formatReportMarkdown, sparkline } from '../../../../src/engine/report/formatReport';
import type { RevisionFiles } from '../../../../src/engine/report/ports';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const revision = (files: Record<string, string>): RevisionFiles => ({
  readText: (path) => Promise.resolve(files[path]),
});

test('a params file missing at the base falls back to the values its lock file recorded there', async () => {
  const pipeline = 'stages:\n  train:\n    cmd: python3 train.py\n    params: [train.lr]\n';
  const fs = createMemoryFileSystem({ '/ws/sub/mlc.yaml': pipeline, '/ws/sub/params.yaml': 'train:\n  lr: 0.2\n' });
  const { pipelines } = loadWorkspace(fs, '/ws');
  const baseLock = [
    "schema: '2.0'",
    'stages:',
    '  train:',
    '    cmd: python3 train.py',
    '    params:',
    '      params.yaml:',
    '        train.lr: 0.1',
    '',
  ].join('\n');
  const report = await buildReport('/ws', pipelines, {
    base: revision({ 'sub/mlc.lock': baseLock }),
    workspace: revision({ 'sub/params.yaml': 'train:\n  lr: 0.2\n' }),
  });
  assert.equal(report.params.length, 1);
  const [row] = report.params;
  assert.equal(row!.file, 'sub/params.yaml');
  assert.equal(row!.name, 'train.lr');
  assert.equal(row!.base, 0.1);
  assert.equal(row!.workspace, 0.2);
  assert.equal(Math.round(row!.deltaPercent!), 100);
});

test('a metrics file that is not a map is a problem, not an exception', async () => {
  const fs = createMemoryFileSystem({ '/ws/mlc.yaml': 'stages:\n  t:\n    cmd: x\n    metrics: [m.json]\n' });
  const { pipelines } = loadWorkspace(fs, '/ws');
  const report = await buildReport('/ws', pipelines, {
    base: revision({ 'm.json': '[1, 2' }),
    workspace: revision({ 'm.json': '{"acc": 1}' }),
  });
  assert.deepEqual(
    report.metrics.map((row) => [row.name, row.base, row.workspace]),
    [['acc', undefined, 1]],
  );
  assert.equal(report.problems.length, 1);
});

test('sparkline scales a series to eight levels, buckets long ones and draws a flat one flat', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([5, 5, 5]), '▁▁▁');
  assert.equal(sparkline([1, 1, 3, 3], 2), '▁█');
  assert.equal(sparkline([]), '');
});

test('the Markdown report ends with a trend line per series of the latest run, escaping names', () => {
  const series = (values: number[]) => ({
    steps: Float64Array.from(values.keys()),
    values: Float64Array.from(values),
    timestamps: new Float64Array(values.length).fill(Number.NaN),
  });
  const text = formatReportMarkdown(
    { metrics: [], params: [], problems: [] },
    { ref: 'main', commit: '0123456789abcdef0123456789abcdef01234567' },
    { latestRun: { id: 'run-1', status: 'succeeded', series: { loss: series([4, 3, 2, 1]), 'a|b': series([1, 2]) } } },
  );
  assert.equal(
    text,
    [
      '## mlc report: workspace vs `main (0123456)`',
      '',
      '### Metrics',
      '',
      'No metrics files declared by the stages.',
      '',
      '### Params',
      '',
      'No params declared by the stages.',
      '',
      '### Latest run `run-1` (succeeded)',
      '',
      '| Series | Trend | Last | Min | Max |',
      '| --- | --- | ---: | ---: | ---: |',
      '| a\\|b | ▁█ | 2 | 1 | 2 |',
      '| loss | █▆▃▁ | 1 | 1 | 4 |',
      '',
    ].join('\n'),
  );
});
