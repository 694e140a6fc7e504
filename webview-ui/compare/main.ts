/**
 * Compare page: the table the host computed (params and metrics as rows, a column per run,
 * differing rows highlighted, deltas against the baseline), an "only differences" toggle, the
 * baseline picker, parallel coordinates with brushing, and the files changed between the runs'
 * commits. Values are text; the chart is SVG built element by element.
 */
import './compare.css';
import type { CompareAction, ComparePersistedState, CompareSnapshot, CompareUpdate } from '../../src/protocol/compare';
import { formatMetricValue } from '../../src/protocol/formatRunValues';
import { buildElement } from '../shared/buildElement';
import { buildButton, setPressed } from '../shared/controls/button';
import { buildCheckbox } from '../shared/controls/checkbox';
import { buildSelect } from '../shared/controls/select';
import { runColourIndex } from '../shared/runColours';
import { startPanel } from '../shared/startPanel';
import {
  type Axis,
  type Brush,
  brushAfterKey,
  buildAxes,
  normalise,
  numericRows,
  runsInBrushes,
  valueAt,
} from './parallelCoordinates';

interface CompareUiState extends ComparePersistedState {
  readonly onlyDifferences: boolean;
  readonly axes: readonly string[] | null;
  readonly metric: string | null;
}

const app = document.getElementById('app')!;
const connection = startPanel<CompareUpdate, CompareAction>((update) => {
  switch (update.type) {
    case 'snapshotted':
      snapshot = update.snapshot;
      setUi({ runIds: update.snapshot.runs.map((run) => run.id), baselineId: update.snapshot.baselineId });
      return;
  }
});
const saved = (connection.savedState() ?? {}) as Partial<CompareUiState>;
let ui: CompareUiState = {
  runIds: saved.runIds ?? [],
  baselineId: saved.baselineId ?? '',
  onlyDifferences: saved.onlyDifferences === true,
  axes: Array.isArray(saved.axes) ? saved.axes : null,
  metric: typeof saved.metric === 'string' ? saved.metric : null,
};
let snapshot: CompareSnapshot | undefined;
let brushes: Brush[] = [];

// Outside #app, which every render replaces: a live region announces only when its text changes
// in place, so keyboard brushing is told here (a new region inserted by a render says nothing).
const brushAnnouncer = buildElement('p', {
  className: 'visually-hidden',
  attributes: { role: 'status', 'aria-live': 'polite' },
});
document.body.append(brushAnnouncer);

function setUi(next: Partial<CompareUiState>): void {
  ui = { ...ui, ...next };
  connection.saveState(ui);
  render();
}

const formatSigned = (value: number, text: string) => `${value > 0 ? '+' : value < 0 ? '' : '±'}${text}`;

function renderTable(current: CompareSnapshot): HTMLTableElement {
  const rows = ui.onlyDifferences ? current.rows.filter((row) => row.differs) : current.rows;
  const header = buildElement('tr', {}, [
    buildElement('th', { text: '', attributes: { scope: 'col' } }),
    ...current.runs.map((run) =>
      buildElement(
        'th',
        { className: run.id === current.baselineId ? 'baseline' : '', attributes: { scope: 'col', title: run.id } },
        [
          buildButton(run.name, () => connection.post({ type: 'openRun', runId: run.id }), { title: `Open ${run.id}` }),
          run.id === current.baselineId ? ' (baseline)' : '',
        ],
      ),
    ),
  ]);
  const body: HTMLTableRowElement[] = [];
  for (const kind of ['param', 'metric'] as const) {
    const ofKind = rows.filter((row) => row.kind === kind);
    if (ofKind.length === 0) continue;
    body.push(
      buildElement('tr', { className: 'group-row' }, [
        buildElement('th', {
          text: kind === 'param' ? 'Params' : 'Metrics',
          attributes: { colspan: String(current.runs.length + 1), scope: 'colgroup' },
        }),
      ]),
    );
    for (const row of ofKind) {
      body.push(
        buildElement(
          'tr',
          {
            className: row.differs ? 'differs' : '',
            attributes: row.differs ? { 'aria-label': `${row.name} differs` } : {},
          },
          [
            buildElement('th', { text: row.name, attributes: { scope: 'row' } }),
            ...row.cells.map((cell) => {
              const text = cell.value !== null ? formatMetricValue(cell.value) : cell.text || '—';
              const delta =
                cell.delta === null
                  ? []
                  : [
                      buildElement('span', {
                        className: 'delta',
                        text: `${formatSigned(cell.delta, formatMetricValue(cell.delta))}${
                          cell.deltaPercent === null
                            ? ''
                            : `, ${formatSigned(cell.deltaPercent, `${cell.deltaPercent.toFixed(1)}%`)}`
                        }`,
                      }),
                    ];
              return buildElement('td', { className: cell.value !== null ? 'numeric' : '' }, [text, ...delta]);
            }),
          ],
        ),
      );
    }
  }
  return buildElement('table', { attributes: { 'aria-label': 'Params and metrics of the compared runs' } }, [
    buildElement('thead', {}, [header]),
    buildElement('tbody', {}, body),
  ]);
}

const SVG = 'http://www.w3.org/2000/svg';
const svgElement = (tag: string, attributes: Record<string, string | number>, text?: string) => {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
};

function renderParallel(current: CompareSnapshot): HTMLElement {
  const candidates = numericRows(current.rows);
  const paramNames = candidates.filter((row) => row.kind === 'param').map((row) => row.name);
  const metricNames = candidates.filter((row) => row.kind === 'metric').map((row) => row.name);
  const axesChosen = (ui.axes ?? paramNames.slice(0, 6)).filter((name) => paramNames.includes(name));
  const metric = ui.metric !== null && metricNames.includes(ui.metric) ? ui.metric : metricNames[0];
  const axes = buildAxes(current.rows, axesChosen, metric);

  const metricSelect = buildSelect(
    'Metric axis',
    metricNames.map((name) => [name, name]),
    metric,
    (value) => setUi({ metric: value }),
  );
  const paramBoxes = paramNames.map((name) =>
    buildCheckbox(name, axesChosen.includes(name), (checked) =>
      setUi({ axes: checked ? [...axesChosen, name] : axesChosen.filter((axis) => axis !== name) }),
    ),
  );

  const width = 1000;
  const height = 320;
  const top = 30;
  const bottom = height - 40;
  const left = 60;
  const step = axes.length > 1 ? (width - 2 * left) / (axes.length - 1) : 0;
  const x = (index: number) => left + index * step;
  const y = (axis: Axis, value: number) => bottom - normalise(axis, value) * (bottom - top);
  const svg = svgElement('svg', {
    class: 'parallel',
    viewBox: `0 0 ${width} ${height}`,
    // A group, not an img: an img's children are hidden from assistive technology, and the axes
    // are focusable sliders.
    role: 'group',
    'aria-label': `Parallel coordinates of ${axes.map((axis) => axis.name).join(', ')}`,
  });
  const kept = new Set(runsInBrushes(axes, brushes, current.runs.length));
  current.runs.forEach((run, runIndex) => {
    const points = axes.flatMap((axis, axisIndex) => {
      const value = axis.values[runIndex];
      return value === null || value === undefined ? [] : [`${x(axisIndex)},${y(axis, value)}`];
    });
    if (points.length < 2) return;
    const line = svgElement('polyline', {
      class: `run-line series-${runColourIndex(run.id)}${kept.has(runIndex) ? '' : ' dimmed'}`,
      points: points.join(' '),
    });
    line.append(svgElement('title', {}, run.name));
    svg.append(line);
  });
  axes.forEach((axis, axisIndex) => {
    svg.append(
      svgElement('line', { class: 'axis', x1: x(axisIndex), x2: x(axisIndex), y1: top, y2: bottom }),
      svgElement('text', { x: x(axisIndex), y: height - 20, 'text-anchor': 'middle' }, axis.name),
      svgElement('text', { x: x(axisIndex) + 4, y: top - 6 }, formatMetricValue(axis.max)),
      svgElement('text', { x: x(axisIndex) + 4, y: bottom + 12 }, formatMetricValue(axis.min)),
    );
    const brush = brushes.find((candidate) => candidate.axis === axis.name);
    if (brush) {
      const y1 = y(axis, brush.high);
      const y2 = y(axis, brush.low);
      svg.append(
        svgElement('rect', { class: 'brush', x: x(axisIndex) - 8, y: y1, width: 16, height: Math.max(2, y2 - y1) }),
      );
    }
    // Dragging along an axis brushes it; a click without a drag clears its brush. Focused, arrow
    // keys move the brush, Shift+arrows size it and Escape clears it.
    const hit = svgElement('rect', {
      class: 'axis-hit',
      x: x(axisIndex) - 12,
      y: top,
      width: 24,
      height: bottom - top,
      tabindex: 0,
      role: 'slider',
      'aria-orientation': 'vertical',
      'aria-label': `Brush on ${axis.name}`,
      'aria-valuemin': axis.min,
      'aria-valuemax': axis.max,
      'aria-valuenow': brush ? (brush.low + brush.high) / 2 : axis.min,
      'aria-valuetext': describeBrush(brush),
      'data-axis': axis.name,
    });
    hit.addEventListener('keydown', (event) => {
      const key = (event as KeyboardEvent).key;
      if (key !== 'ArrowUp' && key !== 'ArrowDown' && key !== 'Escape') return;
      if (key === 'Escape' && !brush) return;
      event.preventDefault();
      brushes = brushes.filter((candidate) => candidate.axis !== axis.name);
      if (key !== 'Escape') {
        const direction = key === 'ArrowUp' ? 'up' : 'down';
        brushes.push(brushAfterKey(axis, brush, direction, (event as KeyboardEvent).shiftKey));
      }
      render();
      const keptNow = runsInBrushes(axes, brushes, current.runs.length).length;
      brushAnnouncer.textContent = `${axis.name}: ${describeBrush(brushes.find((candidate) => candidate.axis === axis.name))}; ${keptNow} of ${current.runs.length} runs inside the brushes.`;
      focusAxis(axis.name);
    });
    hit.addEventListener('pointerdown', (event) => {
      const box = svg.getBoundingClientRect();
      const toFraction = (clientY: number) => (bottom - ((clientY - box.top) * height) / box.height) / (bottom - top);
      const start = toFraction((event as PointerEvent).clientY);
      const up = (upEvent: PointerEvent) => {
        window.removeEventListener('pointerup', up);
        const end = toFraction(upEvent.clientY);
        brushes = brushes.filter((candidate) => candidate.axis !== axis.name);
        if (Math.abs(end - start) > 0.02) {
          brushes.push({
            axis: axis.name,
            low: valueAt(axis, Math.min(start, end)),
            high: valueAt(axis, Math.max(start, end)),
          });
        }
        render();
      };
      window.addEventListener('pointerup', up);
    });
    svg.append(hit);
  });
  return buildElement('section', { attributes: { 'aria-label': 'Parallel coordinates' } }, [
    buildElement('h2', { text: 'Parallel coordinates' }),
    buildElement('div', { className: 'chooser' }, [
      'Metric:',
      metricSelect,
      'Params:',
      ...paramBoxes,
      buildButton('Clear brushes', () => {
        brushes = [];
        render();
      }),
    ]),
    axes.length < 2
      ? buildElement('p', { className: 'muted', text: 'Choose at least one numeric param and a metric.' })
      : svg,
    buildElement('p', {
      className: 'muted',
      text: `${kept.size} of ${current.runs.length} runs inside the brushes. Drag along an axis to brush it; click it to clear. From the keyboard: Tab to an axis, arrows move its brush, Shift+arrows size it, Escape clears it.`,
    }),
  ]);
}

function describeBrush(brush: Brush | undefined): string {
  return brush ? `brushed from ${formatMetricValue(brush.low)} to ${formatMetricValue(brush.high)}` : 'no brush';
}

/** After a render replaced the chart: the same axis gets the focus back, so the keys go on working. */
function focusAxis(name: string): void {
  const axes = app.querySelectorAll<SVGElement>('svg.parallel .axis-hit');
  Array.from(axes)
    .find((element) => element.dataset.axis === name)
    ?.focus();
}

function render(): void {
  const current = snapshot;
  if (!current) {
    app.replaceChildren(buildElement('p', { className: 'muted', text: 'Loading runs…' }));
    return;
  }
  const baseline = buildSelect(
    'Baseline run',
    current.runs.map((run) => [run.id, run.name]),
    current.baselineId,
    (runId) => connection.post({ type: 'setBaseline', runId }),
  );
  const onlyDifferences = buildButton('Only differences', () => setUi({ onlyDifferences: !ui.onlyDifferences }));
  setPressed(onlyDifferences, ui.onlyDifferences);
  const children: Node[] = [
    buildElement('section', {}, [
      buildElement('h1', { text: `Compare ${current.runs.length} runs` }),
      buildElement('div', { className: 'toolbar', attributes: { role: 'toolbar', 'aria-label': 'Compare options' } }, [
        'Baseline:',
        baseline,
        onlyDifferences,
      ]),
    ]),
  ];
  if (current.missing.length > 0) {
    children.push(
      buildElement('p', {
        className: 'error-text',
        text: `Not in the run index any more: ${current.missing.join(', ')}`,
      }),
    );
  }
  children.push(buildElement('section', {}, [renderTable(current)]));
  if (current.runs.length >= 2) children.push(renderParallel(current));
  for (const change of current.gitChanges) {
    children.push(
      buildElement('section', { attributes: { 'aria-label': 'Git changes' } }, [
        buildElement('h2', {
          text:
            change.from === change.to
              ? `Same commit ${change.from.slice(0, 8)}`
              : `Files changed from ${change.from.slice(0, 8)} to ${change.to.slice(0, 8)}`,
        }),
        ...(change.dirty
          ? [
              buildElement('p', {
                className: 'muted',
                text: 'A run had uncommitted changes when it ran: they are not in this list.',
              }),
            ]
          : []),
        change.files.length === 0
          ? buildElement('p', {
              className: 'muted',
              text: change.from === change.to ? 'No file changed between the runs’ commits.' : 'none',
            })
          : buildElement(
              'ul',
              {},
              change.files.map((file) => buildElement('li', { text: file })),
            ),
      ]),
    );
  }
  app.replaceChildren(...children);
}

render();
