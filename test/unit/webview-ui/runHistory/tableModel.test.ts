import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilter } from '../../../../webview-ui/runHistory/compileFilter';
import { columnsOf } from '../../../../webview-ui/runHistory/runColumns';
import {
  applyRunsDelta,
  INITIAL_TABLE_STATE,
  moveColumn,
  restoreTableState,
  sortRows,
  tableAsText,
  toggleSort,
  viewTable,
  visibleColumns,
  withoutMissingSelection,
} from '../../../../webview-ui/runHistory/tableModel';
import { aRunRow } from '../../../support/runRows';

const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);
const rows = [
  aRunRow({ id: 'a', params: { 'train.lr': 0.1, model: 'cnn' }, metrics: { accuracy: 0.95, loss: 0.2 } }),
  aRunRow({ id: 'b', status: 'failed', params: { 'train.lr': 0.001 }, metrics: { accuracy: 0.5 } }),
  aRunRow({
    id: 'mlflow:c',
    source: 'mlflow',
    name: 'baseline',
    params: { 'train.lr': 0.005 },
    metrics: { accuracy: 0.92 },
  }),
  aRunRow({ id: 'd', annotation: { starred: true, note: 'the good one', tags: ['keep'] }, metrics: {} }),
];
const columns = columnsOf(rows);
const ids = (list: readonly { id: string }[]) => list.map((row) => row.id);
const filtered = (expression: string) => {
  const compiled = compileFilter(expression, columns, NOW);
  assert.deepEqual(compiled.problems, [], expression);
  return ids(rows.filter((row) => compiled.predicate?.(row) ?? true));
};

test('columns are the run fields, then every param and every metric by name', () => {
  const labels = columns.filter((column) => column.group !== 'run').map((column) => `${column.group}:${column.label}`);
  assert.deepEqual(labels, ['params:model', 'params:train.lr', 'metrics:accuracy', 'metrics:loss']);
});

test('filters compare params and metrics as numbers and fields as text', () => {
  assert.deepEqual(filtered('accuracy > 0.9 and train.lr < 0.01'), ['mlflow:c']);
  assert.deepEqual(filtered('status == failed'), ['b']);
  assert.deepEqual(filtered('source == MLflow'), ['mlflow:c']);
  assert.deepEqual(filtered('metrics.accuracy >= 0.92'), ['a', 'mlflow:c']);
  assert.deepEqual(filtered('params.model != cnn'), ['b', 'mlflow:c', 'd']);
  assert.deepEqual(filtered('name ~ base'), ['mlflow:c']);
  assert.deepEqual(filtered('starred == true'), ['d']);
  assert.deepEqual(filtered('good'), ['d'], 'free text matches notes');
  assert.deepEqual(filtered('keep or failed'), ['b', 'd'], 'free text matches tags and status');
  assert.deepEqual(filtered('not (accuracy < 0.9)'), ['a', 'mlflow:c', 'd']);
});

test('an unknown column is a located problem with a suggestion, and filters nothing', () => {
  const compiled = compileFilter('status == failed and accuracyy > 1', columns, NOW);
  assert.equal(compiled.predicate, undefined);
  assert.equal(compiled.problems.length, 1);
  assert.deepEqual([compiled.problems[0]!.start, compiled.problems[0]!.end], [21, 30]);
  assert.match(compiled.problems[0]!.message, /No column is named "accuracyy". Did you mean "accuracy"/);
  assert.equal(viewTable(rows, columns, { ...INITIAL_TABLE_STATE, filter: 'accuracyy > 1' }, NOW).rows.length, 4);
});

test('a click sorts by one column and cycles; Shift adds keys', () => {
  let sort = toggleSort([], 'metric:accuracy', false);
  assert.deepEqual(sort, [{ columnId: 'metric:accuracy', descending: false }]);
  sort = toggleSort(sort, 'metric:accuracy', false);
  assert.deepEqual(sort, [{ columnId: 'metric:accuracy', descending: true }]);
  assert.deepEqual(toggleSort(sort, 'metric:accuracy', false), []);
  sort = toggleSort(sort, 'run:status', true);
  assert.deepEqual(sort, [
    { columnId: 'metric:accuracy', descending: true },
    { columnId: 'run:status', descending: false },
  ]);
  assert.deepEqual(toggleSort(sort, 'run:name', false), [{ columnId: 'run:name', descending: false }]);
});

test('sorting is stable, multi-key, and keeps missing values last in both directions', () => {
  const byAccuracy = (descending: boolean) =>
    ids(sortRows(rows, [{ columnId: 'metric:accuracy', descending }], columns, NOW));
  assert.deepEqual(byAccuracy(false), ['b', 'mlflow:c', 'a', 'd']);
  assert.deepEqual(byAccuracy(true), ['a', 'mlflow:c', 'b', 'd']);
  const bySourceThenLr = sortRows(
    rows,
    [
      { columnId: 'run:source', descending: true },
      { columnId: 'param:train.lr', descending: false },
    ],
    columns,
    NOW,
  );
  assert.deepEqual(ids(bySourceThenLr), ['mlflow:c', 'b', 'a', 'd']);
});

test('quick filters restrict statuses, sources and starred runs', () => {
  const view = (state: Partial<typeof INITIAL_TABLE_STATE>) =>
    ids(viewTable(rows, columns, { ...INITIAL_TABLE_STATE, ...state }, NOW).rows);
  assert.deepEqual(view({ statuses: ['failed'] }), ['b']);
  assert.deepEqual(view({ sources: ['mlc'] }), ['a', 'b', 'd']);
  assert.deepEqual(view({ starredOnly: true }), ['d']);
});

test('columns can be hidden and moved; the order survives unknown ids', () => {
  const order = moveColumn(columns, [], 'run:name', -1);
  assert.deepEqual(order.slice(0, 3), ['run:starred', 'run:name', 'run:status']);
  const shown = visibleColumns(columns, {
    ...INITIAL_TABLE_STATE,
    columnOrder: ['ghost', ...order],
    hidden: [...INITIAL_TABLE_STATE.hidden, 'run:starred'],
  });
  assert.equal(shown[0]!.id, 'run:name');
  assert.ok(!shown.some((column) => column.id === 'run:id'), 'id is hidden by default');
});

test('a persisted state is restored, and garbage falls back to defaults', () => {
  assert.deepEqual(restoreTableState(undefined), INITIAL_TABLE_STATE);
  const restored = restoreTableState({
    filter: 'x > 1',
    sort: [{ columnId: 'run:name', descending: true }, 7],
    widths: { a: 'no', b: 80 },
  });
  assert.equal(restored.filter, 'x > 1');
  assert.deepEqual(restored.sort, [{ columnId: 'run:name', descending: true }]);
  assert.deepEqual(restored.widths, { b: 80 });
});

test('a delta replaces changed runs in place and puts new ones on top', () => {
  const next = applyRunsDelta(rows, [aRunRow({ id: 'b', status: 'succeeded' }), aRunRow({ id: 'new' })], ['d']);
  assert.deepEqual(ids(next), ['new', 'a', 'b', 'mlflow:c']);
  assert.equal(next[2]!.status, 'succeeded');
});

test('export text has group-qualified headers and the cells as shown', () => {
  const shown = visibleColumns(columns, { ...INITIAL_TABLE_STATE, hidden: [] }).filter((column) =>
    ['run:name', 'param:train.lr', 'metric:accuracy'].includes(column.id),
  );
  const text = tableAsText(rows.slice(0, 2), shown, NOW);
  assert.deepEqual(text.header, ['name', 'params.train.lr', 'metrics.accuracy']);
  assert.deepEqual(text.rows, [
    ['a', '0.1', '0.95'],
    ['b', '0.001', '0.5'],
  ]);
});

test('selected runs that are gone leave the selection; an unchanged selection keeps the state object', () => {
  const state = { ...INITIAL_TABLE_STATE, selection: ['a', 'deleted'] };
  assert.deepEqual(withoutMissingSelection(state, rows).selection, ['a']);
  const kept = { ...INITIAL_TABLE_STATE, selection: ['a'] };
  assert.equal(withoutMissingSelection(kept, rows), kept);
});
