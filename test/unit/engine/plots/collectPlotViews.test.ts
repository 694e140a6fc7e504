import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import { collectPlotViews } from '../../../../src/engine/plots/collectPlotViews';
import type { PlotRevisionSource } from '../../../../src/engine/plots/ports';
import { type PlotSpec, resolvePlotSpecs } from '../../../../src/engine/plots/resolvePlotSpecs';
import { workspacePlotFiles } from '../../../../src/engine/plots/workspacePlotFiles';
import type { FileSystem } from '../../../../src/engine/ports';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';
import type {
  BarPlotView,
  ConfusionPlotView,
  ImagePlotView,
  LinePlotView,
  PlotTemplate,
  PlotView,
} from '../../../../src/protocol/plotViews';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';
import { realWorldFixtures, skipWithoutRealWorldFixtures } from '../../../support/realWorldFixtures';

const workspace = (fs: FileSystem, root: string): PlotRevisionSource => ({
  name: 'workspace',
  files: workspacePlotFiles(fs, root),
});

/** The plots of a real-world project folder, as `mlc plots show` resolves them. */
async function plotsOf(project: string) {
  const root = join(realWorldFixtures(), project);
  const loaded = loadWorkspace(nodeFileSystem, root);
  const specs = resolvePlotSpecs(loaded.pipelines, root);
  const views = await collectPlotViews(specs.value, [workspace(nodeFileSystem, root)]);
  return { specs: specs.value, specProblems: specs.problems, views: views.value, problems: views.problems };
}

/** One file of a real-world project drawn with a chosen template (the corpus lacks some templates). */
async function drawWith(project: string, file: string, template: PlotTemplate, axes: { x?: string; y?: string }) {
  const root = join(realWorldFixtures(), project);
  const spec: PlotSpec = {
    id: file,
    title: file,
    template,
    header: true,
    sources: [{ file, ...(axes.y ? { y: [axes.y] } : {}), ...(axes.x ? { x: axes.x } : {}) }],
    mayBeFolder: false,
    pipelineFile: join(root, 'dvc.yaml'),
    position: { line: 1, column: 1 },
  };
  const result = await collectPlotViews([spec], [workspace(nodeFileSystem, root)]);
  assert.deepEqual(result.problems, []);
  return result.value[0]!;
}

const byId = (views: readonly PlotView[], id: string) => {
  const view = views.find((candidate) => candidate.id === id);
  assert.ok(view, `no plot ${id} in ${views.map((candidate) => candidate.id).join(', ')}`);
  return view;
};

test('linear: top-level plot with y mapping two DVCLive TSVs (dvc-vscode-dvc-demo) gives one series per file', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const { views } = await plotsOf('dvc-vscode-dvc-demo/thousand-images-64fa614');
  const accuracy = byId(views, 'Accuracy') as LinePlotView;
  assert.equal(accuracy.kind, 'line');
  assert.equal(accuracy.template, 'linear');
  assert.equal(accuracy.yLabel, 'accuracy');
  assert.equal(accuracy.xLabel, 'step');
  assert.deepEqual(
    accuracy.series.map((series) => [series.file, series.field]),
    [
      ['training/plots/metrics/train/acc.tsv', 'acc'],
      ['training/plots/metrics/test/acc.tsv', 'acc'],
    ],
  );
  const test = accuracy.series[1]!;
  assert.deepEqual(test.x.slice(0, 2), [0, 1]);
  assert.deepEqual(test.y.slice(0, 2), [0.2712, 0.4104]);
  // The images folder and the confusion matrix JSON are not in the corpus: listed as missing.
  assert.deepEqual(byId(views, 'Confusion matrix').missing, [
    { revision: 'workspace', file: 'training/plots/sklearn/confusion_matrix.json', reason: 'not in the workspace' },
  ]);
});

test('linear: a stage plot of a DVCLive sklearn JSON ({"roc": [...]}) with x and y (dvc-example-get-started)', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const { views } = await plotsOf('dvc-example-get-started/pr35-021e6cf');
  const roc = byId(views, 'evaluation/plots/sklearn/roc.json') as LinePlotView;
  assert.equal(roc.template, 'linear');
  assert.equal(roc.xLabel, 'fpr');
  assert.equal(roc.yLabel, 'tpr');
  assert.deepEqual(roc.series[0]!.x.slice(0, 3), [0, 0, 0]);
  assert.deepEqual(roc.series[0]!.y.slice(0, 3), [0, 0.01597444089456869, 0.027156549520766772]);
  assert.equal(byId(views, 'evaluation/plots/sklearn/confusion_matrix.json').kind, 'confusion');
  assert.equal(byId(views, 'evaluation/plots/importance.png').kind, 'image');
});

test('simple: the same ROC file drawn with the simple template keeps every point', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const view = (await drawWith('dvc-example-get-started/pr35-021e6cf', 'evaluation/plots/sklearn/roc.json', 'simple', {
    x: 'fpr',
    y: 'tpr',
  })) as LinePlotView;
  assert.equal(view.template, 'simple');
  const series = view.series[0]!;
  assert.equal(series.x.length, series.y.length);
  assert.equal(series.y[series.y.length - 1], 1);
  assert.equal(series.smoothed, undefined);
});

test('scatter: probs.json (top-level plot, x actual, y prob) from dvc-vscode-dvc-demo', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const { views } = await plotsOf('dvc-vscode-dvc-demo/main-f62608c');
  const probs = byId(views, 'probs.json') as LinePlotView;
  assert.equal(probs.template, 'scatter');
  assert.equal(probs.title, 'Predicted Probabilities');
  assert.deepEqual(probs.series[0]!.x.slice(0, 3), [1, 6, 1]);
  assert.deepEqual(probs.series[0]!.y.slice(0, 2), [0.6091510653495789, 0.5793711543083191]);
});

test('smooth: a DVCLive loss TSV gets a moving average beside the raw values', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const view = (await drawWith(
    'dvclive-iterative-dvclive-exp-tracking/main-ce14a78/dvclive',
    'plots/metrics/train/loss.tsv',
    'smooth',
    { x: 'step' },
  )) as LinePlotView;
  const series = view.series[0]!;
  assert.equal(series.field, 'loss'); // DVC's default y: the last column
  assert.equal(series.smoothed!.length, series.y.length);
  const mean = (values: readonly (number | null)[]) =>
    (values as number[]).reduce((sum, value) => sum + value, 0) / values.length;
  assert.ok(Math.abs(mean(series.smoothed!) - mean(series.y)) < Math.abs(mean(series.y)));
});

test('a folder plot with x: step (DVCLive dvc.yaml) becomes one plot per file inside it', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const { views } = await plotsOf('dvclive-iterative-dvclive-exp-tracking/main-ce14a78/dvclive');
  assert.deepEqual(
    views.map((view) => view.id),
    ['plots/metrics/epoch.tsv', 'plots/metrics/train/loss.tsv'],
  );
  assert.ok(views.every((view) => view.kind === 'line' && view.series.length === 1));
});

test('confusion: 10,000 rows of actual,predicted (dvc-example-dvc-experiments plots/ folder) count into a matrix', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const view = (await drawWith('dvc-example-dvc-experiments/main-48b1e50', 'plots/confusion.csv', 'confusion', {
    x: 'actual',
    y: 'predicted',
  })) as ConfusionPlotView;
  assert.equal(view.kind, 'confusion');
  const matrix = view.matrices[0]!;
  assert.equal(
    matrix.counts.flat().reduce((sum, count) => sum + count, 0),
    10_000,
  );
  assert.ok(matrix.classes.includes('3'));
  assert.equal(matrix.classes.length, matrix.counts.length);
  assert.equal(matrix.normalized, undefined);
  assert.equal(view.xLabel, 'actual');
  assert.equal(view.yLabel, 'predicted');
});

test('confusion_normalized: each actual class row sums to 1', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const view = (await drawWith(
    'dvc-example-dvc-experiments/main-48b1e50',
    'plots/confusion.csv',
    'confusion_normalized',
    { x: 'actual', y: 'predicted' },
  )) as ConfusionPlotView;
  const matrix = view.matrices[0]!;
  matrix.normalized!.forEach((row, index) => {
    const total = matrix.counts[index]!.reduce((sum, count) => sum + count, 0);
    if (total > 0) assert.ok(Math.abs(row.reduce((sum, value) => sum + value, 0) - 1) < 1e-9);
  });
});

test('bar_horizontal: one bar per row, y names the bar and x is its length (dice_multi.tsv)', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const file = 'results/train/plots/metrics/dice_multi.tsv';
  const project = 'dvc-example-get-started-experiments/tune-arch-e6e4570';
  const view = (await drawWith(project, file, 'bar_horizontal', { x: 'dice_multi', y: 'step' })) as BarPlotView;
  assert.equal(view.kind, 'bar');
  assert.deepEqual(view.groups[0]!.bars.slice(0, 2), [
    { category: '0', value: 0.4964015509117974 },
    { category: '1', value: 0.4964015509117974 },
  ]);
  const sorted = (await drawWith(project, file, 'bar_horizontal_sorted', {
    x: 'dice_multi',
    y: 'step',
  })) as BarPlotView;
  const values = sorted.groups[0]!.bars.map((bar) => bar.value!);
  assert.deepEqual(
    values,
    [...values].sort((a, b) => b - a),
  );
  assert.equal(values.length, view.groups[0]!.bars.length);
});

test('images: a PNG and an SVG are references per revision, never read; an absent one is missing', async () => {
  const fs = createMemoryFileSystem({
    '/ws/dvc.yaml': 'plots:\n  - eval/importance.png\n  - eval/shap.svg\n',
    '/ws/eval/importance.png': new Uint8Array([137, 80, 78, 71]),
  });
  const loaded = loadWorkspace(fs, '/ws');
  const specs = resolvePlotSpecs(loaded.pipelines, '/ws');
  const { value } = await collectPlotViews(specs.value, [workspace(fs, '/ws')]);
  const [png, svg] = value as ImagePlotView[];
  assert.deepEqual(png!.images, [{ revision: 'workspace', path: 'eval/importance.png', mime: 'image/png' }]);
  assert.deepEqual(svg!.images, []);
  assert.deepEqual(svg!.missing, [{ revision: 'workspace', file: 'eval/shap.svg', reason: 'not in the workspace' }]);
});

test('top-level forms of the dvcyaml schema fixtures: x maps per file, one x for every y file', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const root = join(realWorldFixtures(), 'dvc-dvcyaml-schema-fixtures/main-f563c18/examples/valid');
  const text = nodeFileSystem.readText(join(root, 'plots_list.dvc.yaml'));
  const fs = createMemoryFileSystem({ '/ws/dvc.yaml': text });
  const specs = resolvePlotSpecs(loadWorkspace(fs, '/ws').pipelines, '/ws');
  assert.deepEqual(specs.problems, []);
  const spec = (id: string) => specs.value.find((candidate) => candidate.id === id)!;
  assert.deepEqual(spec('test_vs_train_confusion').sources, [
    { file: 'train_classes.csv', y: ['predicted_class'], x: 'actual_class' },
    { file: 'test_classes.csv', y: ['predicted_class', 'predicted_class2'], x: 'actual_class' },
  ]);
  assert.equal(spec('test_vs_train_confusion').template, 'confusion');
  assert.deepEqual(spec('confusion').sources, [
    { file: 'dir/preds.csv', y: ['predicted'], x: { file: 'dir/actual.csv', column: 'actual' } },
  ]);
  assert.deepEqual(spec('roc_vs_prc').sources, [
    { file: 'precision_recall.json', y: ['precision'], x: 'recall' },
    { file: 'roc.json', y: ['tpr'], x: 'fpr' },
  ]);
  assert.deepEqual(spec('evaluation/shap.png').sources, [{ file: 'evaluation/shap.png' }]);
  // Stage plots: path relative to the stage's wdir, flags as written, DVC's default template.
  assert.deepEqual(spec('plot5').sources, [{ file: 'plot5', y: ['epoch'], x: 'auc' }]);
  assert.equal(spec('plot5').xLabel, 'AUC');
  assert.equal(spec('plot1').template, 'linear');
});

test('x from another file is joined by row index; a revision per run shows both side by side', async () => {
  const files = (preds: string) =>
    createMemoryFileSystem({ '/ws/dir/actual.csv': 'actual\ncat\ndog\ndog\n', '/ws/dir/preds.csv': preds });
  const spec: PlotSpec = {
    id: 'confusion',
    title: 'confusion',
    template: 'confusion',
    header: true,
    sources: [{ file: 'dir/preds.csv', y: ['predicted'], x: { file: 'dir/actual.csv', column: 'actual' } }],
    mayBeFolder: false,
    pipelineFile: '/ws/dvc.yaml',
    position: { line: 2, column: 5 },
  };
  const { value, problems } = await collectPlotViews(
    [spec],
    [
      { name: 'workspace', files: workspacePlotFiles(files('predicted\ncat\ndog\ncat\n'), '/ws') },
      { name: 'run-1', files: workspacePlotFiles(files('predicted\ncat\ndog\ndog\n'), '/ws') },
    ],
  );
  assert.deepEqual(problems, []);
  const [view] = value as ConfusionPlotView[];
  assert.deepEqual(
    view!.matrices.map((matrix) => [matrix.revision, matrix.classes, matrix.counts]),
    [
      [
        'workspace',
        ['cat', 'dog'],
        [
          [1, 0],
          [1, 1],
        ],
      ],
      [
        'run-1',
        ['cat', 'dog'],
        [
          [1, 0],
          [0, 2],
        ],
      ],
    ],
  );
});

test('bad definitions and files are located problems, never exceptions', async () => {
  const fs = createMemoryFileSystem({
    '/ws/dvc.yaml': [
      'plots:',
      '  - both:',
      '      x: {a.json: x, b.json: x}',
      '      y: {c.json: y}',
      '  - broken.json:',
      '      template: fancy.json',
      '  - rows.csv:',
      '      y: nope',
      '',
    ].join('\n'),
    '/ws/broken.json': '[{"x": 1,\n  "y": oops}]',
    '/ws/rows.csv': 'x,y\n1,2\n',
  });
  const specs = resolvePlotSpecs(loadWorkspace(fs, '/ws').pipelines, '/ws');
  assert.deepEqual(
    specs.problems.map((problem) => [problem.code, problem.severity, problem.line]),
    [
      ['plotDefinitionInvalid', 'error', 2],
      ['plotTemplateUnknown', 'warning', 5],
    ],
  );
  const { value, problems } = await collectPlotViews(specs.value, [workspace(fs, '/ws')]);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.file, problem.line]),
    [
      ['plotFileSyntax', 'broken.json', 2],
      ['plotColumnMissing', '/ws/dvc.yaml', 7],
    ],
  );
  assert.deepEqual(value[0]!.missing, [
    { revision: 'workspace', file: 'broken.json', reason: 'unreadable (see problems)' },
  ]);
  assert.deepEqual((value[1] as LinePlotView).series, []);
});
