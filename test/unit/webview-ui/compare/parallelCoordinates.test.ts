import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompareRow } from '../../../../src/protocol/compare';
import {
  buildAxes,
  normalise,
  numericRows,
  runsInBrushes,
  valueAt,
} from '../../../../webview-ui/compare/parallelCoordinates';

const cell = (value: number | null, text = value === null ? '' : String(value)) => ({
  text,
  value,
  delta: null,
  deltaPercent: null,
});
const rows: CompareRow[] = [
  { kind: 'param', name: 'lr', differs: true, cells: [cell(0.1), cell(0.01), cell(0.001)] },
  { kind: 'param', name: 'model', differs: true, cells: [cell(null, 'cnn'), cell(null, 'mlp'), cell(null, 'cnn')] },
  { kind: 'param', name: 'seed', differs: false, cells: [cell(1), cell(1), cell(1)] },
  { kind: 'metric', name: 'accuracy', differs: true, cells: [cell(0.8), cell(0.9), cell(null)] },
];

test('only rows with a number can be axes; axes span their runs’ range', () => {
  assert.deepEqual(
    numericRows(rows).map((row) => row.name),
    ['lr', 'seed', 'accuracy'],
  );
  const axes = buildAxes(rows, ['lr', 'seed'], 'accuracy');
  assert.deepEqual(
    axes.map((axis) => [axis.name, axis.min, axis.max]),
    [
      ['lr', 0.001, 0.1],
      ['seed', 1, 1],
      ['accuracy', 0.8, 0.9],
    ],
  );
  assert.equal(normalise(axes[0]!, 0.1), 1);
  assert.equal(normalise(axes[1]!, 1), 0.5, 'a flat axis puts runs in the middle');
  assert.ok(Math.abs(valueAt(axes[2]!, 0.5) - 0.85) < 1e-12);
});

test('brushes keep the runs inside every brushed range; a run without the value is out', () => {
  const axes = buildAxes(rows, ['lr'], 'accuracy');
  assert.deepEqual(runsInBrushes(axes, [], 3), [0, 1, 2]);
  assert.deepEqual(runsInBrushes(axes, [{ axis: 'lr', low: 0.005, high: 1 }], 3), [0, 1]);
  assert.deepEqual(
    runsInBrushes(
      axes,
      [
        { axis: 'lr', low: 0.005, high: 1 },
        { axis: 'accuracy', low: 0.85, high: 1 },
      ],
      3,
    ),
    [1],
  );
  assert.deepEqual(runsInBrushes(axes, [{ axis: 'accuracy', low: 0, high: 1 }], 3), [0, 1]);
});
