import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompareRow } from '../../../../src/protocol/compare';
import {
  brushAfterKey,
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

test('arrow keys on an axis draw, move and size its brush, within the axis', () => {
  const axis = buildAxes(rows, [], 'accuracy')[0]!;
  const close = (brush: { low: number; high: number }, low: number, high: number) =>
    assert.ok(
      Math.abs(brush.low - low) < 1e-9 && Math.abs(brush.high - high) < 1e-9,
      `${brush.low}..${brush.high}, expected ${low}..${high}`,
    );
  const first = brushAfterKey(axis, undefined, 'up', false);
  assert.equal(first.axis, 'accuracy');
  close(first, 0.84, 0.86);
  close(brushAfterKey(axis, first, 'up', false), 0.845, 0.865);
  close(brushAfterKey(axis, first, 'down', true), 0.845, 0.855);
  // Narrowed twice, it stops at one step tall.
  const narrowest = brushAfterKey(axis, brushAfterKey(axis, first, 'down', true), 'down', true);
  close(narrowest, 0.8475, 0.8525);
  close(brushAfterKey(axis, narrowest, 'down', true), 0.8475, 0.8525);
  close(brushAfterKey(axis, first, 'up', true), 0.835, 0.865);
  // At the top end a move stops there, keeping the brush's height.
  close(brushAfterKey(axis, { axis: 'accuracy', low: 0.88, high: 0.9 }, 'up', false), 0.88, 0.9);
  close(brushAfterKey(axis, { axis: 'accuracy', low: 0.801, high: 0.82 }, 'down', false), 0.8, 0.819);
  // Widened past the ends, it is cut at them.
  close(brushAfterKey(axis, { axis: 'accuracy', low: 0.8, high: 0.9 }, 'up', true), 0.8, 0.9);
  assert.deepEqual(
    runsInBrushes([axis], [brushAfterKey(axis, undefined, 'down', false)], 3),
    [],
    'the first brush keeps only the runs around the middle',
  );
});
