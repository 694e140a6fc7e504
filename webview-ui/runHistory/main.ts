/**
 * Run History page: wires the table model (pure, in tableModel.ts) to the DOM. Every value from a
 * run goes into textContent (see buildElement). UI state is saved with setState on every change.
 */
import './runHistory.css';
import type { RunHistoryAction, RunHistoryUpdate } from '../../src/protocol/runHistory';
import type { RunRow, RunRowSource, RunRowStatus } from '../../src/protocol/runRow';
import { buildElement } from '../shared/buildElement';
import { buildButton, setDisabled, setLabel, setPressed } from '../shared/controls/button';
import { buildTextField, setInvalid } from '../shared/controls/textField';
import { startPanel } from '../shared/startPanel';
import { openColumnChooser } from './columnChooser';
import { type Column, columnsOf } from './runColumns';
import { RunGrid } from './runGrid';
import {
  applyRunsDelta,
  restoreTableState,
  type TableState,
  tableAsText,
  type TableView,
  viewTable,
  withoutMissingSelection,
} from './tableModel';

const STATUSES: readonly RunRowStatus[] = ['running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'queued'];
const SOURCES: readonly RunRowSource[] = ['mlc', 'mlflow', 'dvclive', 'tensorboard', 'csv'];

let runs: RunRow[] = [];
let columns: Column[] = [];
let revision = -1;
let now = Date.now();
let trusted = true;
let hasSnapshot = false;

const connection = startPanel<RunHistoryUpdate, RunHistoryAction>((update) => {
  switch (update.type) {
    case 'snapshotted':
      runs = [...update.snapshot.runs];
      revision = update.snapshot.revision;
      now = update.snapshot.now;
      trusted = update.snapshot.trusted;
      hasSnapshot = true;
      columns = columnsOf(runs);
      forgetMissingSelection();
      render();
      return;
    case 'runsChanged':
      if (update.revision !== revision + 1) {
        // A delta for another base: ask for the whole state again.
        connection.post({ type: 'ready' });
        return;
      }
      revision = update.revision;
      now = update.now;
      runs = applyRunsDelta(runs, update.upserted, update.removed);
      columns = columnsOf(runs);
      forgetMissingSelection();
      render();
      return;
  }
});

/** A deleted run leaves the selection (and the saved state) too. */
function forgetMissingSelection(): void {
  const kept = withoutMissingSelection(state, runs);
  if (kept === state) return;
  state = kept;
  connection.saveState({ table: state });
}

const saved = connection.savedState() as { table?: unknown } | undefined;
let state: TableState = restoreTableState(saved?.table);
let view: TableView = { rows: [], columns: [], problems: [] };

const setState = (next: Partial<TableState>) => {
  state = { ...state, ...next };
  connection.saveState({ table: state });
  render();
};

const app = document.getElementById('app')!;

// Toolbar: filter expression with located errors, quick filters, actions.
const filterInput = buildTextField('Filter runs', {
  type: 'search',
  placeholder: 'Filter: accuracy > 0.9 and train.lr < 0.01, status == failed, free text',
});
filterInput.value = state.filter;
const filterProblem = buildElement('div', { className: 'filter-problem error-text', attributes: { role: 'alert' } });
filterInput.addEventListener('input', () => setState({ filter: filterInput.value }));

const toggleIn = <T extends string>(list: readonly T[], item: T) =>
  list.includes(item) ? list.filter((entry) => entry !== item) : [...list, item];

const statusButtons = STATUSES.map((status) =>
  buildButton(status, () => setState({ statuses: toggleIn(state.statuses, status) }), {
    title: `Show only ${status} runs`,
  }),
);
const sourceButtons = SOURCES.map((source) =>
  buildButton(source, () => setState({ sources: toggleIn(state.sources, source) }), {
    title: `Show only runs from ${source}`,
  }),
);
const starredButton = buildButton('★ starred', () => setState({ starredOnly: !state.starredOnly }), {
  title: 'Show only starred runs',
});

const selectedIds = () => {
  const selected = new Set(state.selection);
  return view.rows.filter((row) => selected.has(row.id)).map((row) => row.id);
};
const activeRun = () => grid.activeRow() ?? view.rows.find((row) => state.selection.includes(row.id));

const compareButton = buildButton('Compare', () => connection.post({ type: 'compareRuns', runIds: selectedIds() }), {
  secondary: false,
});
const chartsButton = buildButton('Show Charts', () => connection.post({ type: 'showCharts', runIds: selectedIds() }));
const copyButton = buildButton('Copy ids', () => connection.post({ type: 'copyIds', runIds: selectedIds() }));
const starButton = buildButton('Star', () => {
  const run = activeRun();
  if (run) connection.post({ type: 'setStarred', runId: run.id, starred: !run.annotation.starred });
});
const noteButton = buildButton('Note…', () => {
  const run = activeRun();
  if (run) connection.post({ type: 'editNote', runId: run.id });
});
const tagsButton = buildButton('Tags…', () => {
  const run = activeRun();
  if (run) connection.post({ type: 'editTags', runId: run.id });
});
const deleteButton = buildButton(
  'Delete…',
  () => {
    const run = activeRun();
    if (run) connection.post({ type: 'deleteRun', runId: run.id });
  },
  { title: 'Delete this mlc run (asks first; other tools’ runs are never deleted)' },
);
const exportTable = (format: 'csv' | 'markdown') => {
  const text = tableAsText(view.rows, view.columns, now);
  connection.post({ type: 'exportTable', format, header: text.header, rows: text.rows });
};
const columnsButton = buildButton('Columns…', () => openColumnChooser(app, columns, state, (next) => setState(next)));
const count = buildElement('span', { className: 'muted', attributes: { 'aria-live': 'polite' } });

app.append(
  buildElement('div', { className: 'toolbar', attributes: { role: 'search' } }, [
    buildElement('div', { className: 'filter-row' }, [filterInput, filterProblem]),
  ]),
  buildElement('div', { className: 'toolbar', attributes: { role: 'toolbar', 'aria-label': 'Quick filters' } }, [
    ...statusButtons,
    buildElement('span', { className: 'muted', text: '·' }),
    ...sourceButtons,
    buildElement('span', { className: 'muted', text: '·' }),
    starredButton,
  ]),
  buildElement('div', { className: 'toolbar', attributes: { role: 'toolbar', 'aria-label': 'Run actions' } }, [
    compareButton,
    chartsButton,
    copyButton,
    starButton,
    noteButton,
    tagsButton,
    deleteButton,
    buildButton('Export CSV…', () => exportTable('csv')),
    buildButton('Export Markdown…', () => exportTable('markdown')),
    columnsButton,
    buildElement('span', { className: 'spacer' }),
    count,
  ]),
);

const grid = new RunGrid(app, {
  onSort: (sort) => setState({ sort }),
  onResize: (columnId, width) => setState({ widths: { ...state.widths, [columnId]: width } }),
  onSelect: (selection) => setState({ selection }),
  onOpen: (run) => connection.post({ type: 'openRun', runId: run.id }),
  onStar: (run) => {
    if (trusted) connection.post({ type: 'setStarred', runId: run.id, starred: !run.annotation.starred });
  },
  onActiveChange: () => updateActionButtons(),
});

function updateActionButtons(): void {
  const selectedCount = selectedIds().length;
  const run = activeRun();
  setDisabled(compareButton, selectedCount < 2);
  setDisabled(chartsButton, selectedCount < 1);
  setDisabled(copyButton, selectedCount < 1);
  // Restricted Mode is read-only: no annotation, no deletion.
  setDisabled(starButton, !run || !trusted);
  setLabel(starButton, run?.annotation.starred ? 'Unstar' : 'Star');
  setDisabled(noteButton, !run || !trusted);
  setDisabled(tagsButton, !run || !trusted);
  setDisabled(deleteButton, !run || run.source !== 'mlc' || !trusted || run.status === 'running');
}

function renderFilterProblem(): void {
  const problem = view.problems[0];
  setInvalid(filterInput, problem !== undefined);
  filterProblem.replaceChildren();
  if (!problem) return;
  const source = state.filter;
  filterProblem.append(
    `column ${problem.start + 1}: ${problem.message}\n`,
    source.slice(0, problem.start),
    buildElement('mark', { text: source.slice(problem.start, problem.end) || ' ' }),
    source.slice(problem.end),
  );
}

function render(): void {
  view = viewTable(runs, columns, state, now);
  if (filterInput.value !== state.filter) filterInput.value = state.filter;
  renderFilterProblem();
  STATUSES.forEach((status, index) => setPressed(statusButtons[index]!, state.statuses.includes(status)));
  SOURCES.forEach((source, index) => setPressed(sourceButtons[index]!, state.sources.includes(source)));
  setPressed(starredButton, state.starredOnly);
  count.textContent = hasSnapshot
    ? `${view.rows.length.toLocaleString('en-US')} of ${runs.length.toLocaleString('en-US')} runs · ${state.selection.length} selected`
    : 'Loading runs…';
  grid.show(view, state, now);
  updateActionButtons();
}

render();
