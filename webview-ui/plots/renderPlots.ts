/**
 * Draws DVC plot views (src/protocol/plotViews.ts) into a host element: lines, scatter and smooth
 * with uPlot, confusion matrices as a grid of cells with their counts, horizontal bars as DOM
 * rows, images as <img> from webview URIs (SVG too: never inlined, so its scripts never run).
 * Revisions (the workspace, runs) are overlaid on one chart for lines, side by side otherwise.
 * Colours come from the theme's --vscode-* variables. Every text from files goes in as text.
 */
import 'uplot/dist/uPlot.min.css';
import './plots.css';
import uPlot from 'uplot';
import { formatMetricValue } from '../../src/protocol/formatRunValues';
import type {
  BarPlotView,
  ConfusionPlotView,
  ImagePlotView,
  LinePlotView,
  PlotSeries,
  PlotView,
} from '../../src/protocol/plotViews';
import { buildElement } from '../shared/buildElement';
import { RUN_COLOUR_VARIABLES, RUN_DASHES } from '../shared/runColours';

export interface RenderedPlots {
  /** Destroys the charts (uPlot instances hold listeners on the window). */
  dispose(): void;
}

const cssVariable = (name: string, fallback: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/** Replaces the host's content by one card per plot view. */
export function renderPlots(
  host: HTMLElement,
  views: readonly PlotView[],
  revisions: readonly string[],
): RenderedPlots {
  const charts: uPlot[] = [];
  host.replaceChildren();
  if (views.length === 0) {
    host.append(
      buildElement('p', {
        className: 'plots-empty',
        text: 'No plots: no stage declares plots: and no pipeline has a top-level plots: section.',
      }),
    );
  }
  for (const view of views) {
    const template = view.kind === 'image' ? 'image' : view.template;
    const card = buildElement(
      'section',
      { className: `plot-card plot-${view.kind}`, attributes: { 'data-plot-id': view.id } },
      [
        buildElement('h3', { className: 'plot-title', text: view.title }),
        buildElement('div', {
          className: 'plot-subtitle',
          text: view.title === view.id ? template : `${view.id} · ${template}`,
        }),
      ],
    );
    host.append(card);
    if (view.kind === 'line') renderLines(card, view, revisions, charts);
    else if (view.kind === 'confusion') renderConfusion(card, view);
    else if (view.kind === 'bar') renderBars(card, view);
    else renderImages(card, view);
    for (const missing of view.missing) {
      card.append(
        buildElement('div', {
          className: 'plot-missing',
          text: `${missing.revision}: ${missing.file} — ${missing.reason}`,
        }),
      );
    }
  }
  return {
    dispose() {
      for (const chart of charts) chart.destroy();
      charts.length = 0;
    },
  };
}

/** The label of a series in legends: revision, then file and column when the plot has several. */
function seriesLabel(series: PlotSeries, view: LinePlotView, revisions: readonly string[]): string {
  const files = new Set(view.series.map((other) => `${other.file}\0${other.field}`));
  const parts = revisions.length > 1 ? [series.revision] : [];
  if (files.size > 1) parts.push(`${series.file}:${series.field}`);
  return parts.join(' · ') || series.field;
}

/**
 * All series on one x axis: every point of every series sorted by x (stable, so a ROC curve's
 * vertical runs keep their order), each series holding its own values and null elsewhere, drawn
 * with spanGaps so a line still joins its own points.
 */
export function alignSeries(series: readonly { x: readonly (number | null)[]; y: readonly (number | null)[] }[]): {
  xs: number[];
  ys: (number | null)[][];
} {
  const points: { x: number; series: number; y: number | null }[] = [];
  series.forEach((one, index) => {
    one.x.forEach((x, pointIndex) => {
      if (x !== null) points.push({ x, series: index, y: one.y[pointIndex] ?? null });
    });
  });
  points.sort((a, b) => a.x - b.x);
  const ys = series.map(() => new Array<number | null>(points.length).fill(null));
  points.forEach((point, index) => {
    ys[point.series]![index] = point.y;
  });
  return { xs: points.map((point) => point.x), ys };
}

function renderLines(card: HTMLElement, view: LinePlotView, revisions: readonly string[], charts: uPlot[]): void {
  if (view.series.length === 0) {
    card.append(buildElement('div', { className: 'plot-missing', text: 'No data to draw.' }));
    return;
  }
  const chartHost = buildElement('div', { className: 'plot-chart' });
  card.append(chartHost);
  const isScatter = view.template === 'scatter';
  const isSmooth = view.template === 'smooth';
  const drawn = view.series.flatMap((series) =>
    isSmooth
      ? [
          { source: series, y: series.y, faint: true },
          { source: series, y: series.smoothed ?? series.y, faint: false },
        ]
      : [{ source: series, y: series.y, faint: false }],
  );
  const aligned = alignSeries(drawn.map((entry) => ({ x: entry.source.x, y: entry.y })));
  const foreground = cssVariable('--vscode-foreground', '#cccccc');
  const grid = cssVariable('--vscode-charts-lines', 'rgba(128,128,128,0.3)');
  // One colour per file and column, so a metric keeps its colour across revisions (told apart by dash).
  const columnKeys = [...new Set(view.series.map((series) => `${series.file}\0${series.field}`))];
  const colourIndex = (series: PlotSeries) => columnKeys.indexOf(`${series.file}\0${series.field}`);
  const uplotSeries: uPlot.Series[] = [
    { label: view.xLabel || 'x' },
    ...drawn.map((entry) => {
      const index = colourIndex(entry.source);
      const colour = cssVariable(RUN_COLOUR_VARIABLES[index % RUN_COLOUR_VARIABLES.length]!, '#3794ff');
      const dash = RUN_DASHES[Math.max(0, revisions.indexOf(entry.source.revision)) % RUN_DASHES.length]!;
      return {
        label: `${seriesLabel(entry.source, view, revisions)}${isSmooth && entry.faint ? ' (raw)' : ''}`,
        stroke: colour,
        width: entry.faint ? 1 : 2,
        alpha: entry.faint ? 0.35 : 1,
        dash: [...dash],
        spanGaps: true,
        ...(isScatter ? { paths: () => null, points: { show: true, size: 5, fill: colour, stroke: colour } } : {}),
        ...(!isScatter ? { points: { show: false } } : {}),
      } satisfies uPlot.Series;
    }),
  ];
  const width = Math.max(320, Math.min(900, card.clientWidth || 640));
  const axis = (label: string): uPlot.Axis => ({
    label,
    stroke: foreground,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
  });
  const chart = new uPlot(
    {
      width,
      height: 280,
      scales: { x: { time: false } },
      axes: [axis(view.xLabel), axis(view.yLabel)],
      series: uplotSeries,
      legend: { show: true },
      cursor: { drag: { x: true, y: false } },
    },
    [aligned.xs, ...aligned.ys] as uPlot.AlignedData,
    chartHost,
  );
  chartHost.setAttribute('data-points', String(aligned.xs.length));
  charts.push(chart);
}

function revisionBlock(revision: string, file: string, multipleFiles: boolean, children: Node[]): HTMLElement {
  return buildElement('div', { className: 'plot-revision', attributes: { 'data-revision': revision } }, [
    buildElement('div', { className: 'plot-revision-name', text: multipleFiles ? `${revision} · ${file}` : revision }),
    ...children,
  ]);
}

function renderConfusion(card: HTMLElement, view: ConfusionPlotView): void {
  const row = buildElement('div', { className: 'plot-revisions' });
  const multipleFiles = new Set(view.matrices.map((matrix) => matrix.file)).size > 1;
  for (const matrix of view.matrices) {
    const max = Math.max(1, ...matrix.counts.flat());
    const size = matrix.classes.length;
    const grid = buildElement('div', {
      className: 'confusion-grid',
      attributes: { role: 'table', 'aria-label': `${view.title} (${matrix.revision})` },
    });
    grid.style.setProperty('grid-template-columns', `auto repeat(${size}, minmax(2.5em, 1fr))`);
    grid.append(buildElement('div', { className: 'confusion-corner', text: `${view.xLabel} \\ ${view.yLabel}` }));
    for (const label of matrix.classes)
      grid.append(buildElement('div', { className: 'confusion-header', text: label }));
    matrix.classes.forEach((actual, rowIndex) => {
      grid.append(buildElement('div', { className: 'confusion-header', text: actual }));
      matrix.classes.forEach((predicted, columnIndex) => {
        const count = matrix.counts[rowIndex]![columnIndex]!;
        const share = matrix.normalized?.[rowIndex]?.[columnIndex];
        const intensity = share ?? count / max;
        const cell = buildElement('div', {
          className: 'confusion-cell',
          text: share === undefined ? String(count) : `${(share * 100).toFixed(1)}%`,
          attributes: {
            'data-actual': actual,
            'data-predicted': predicted,
            'data-count': String(count),
            title: `${view.xLabel} ${actual}, ${view.yLabel} ${predicted}: ${count}`,
          },
        });
        cell.style.setProperty(
          'background-color',
          `color-mix(in srgb, var(--vscode-charts-blue, #3794ff) ${Math.round(intensity * 85)}%, transparent)`,
        );
        if (intensity > 0.5) cell.classList.add('strong');
        grid.append(cell);
      });
    });
    row.append(revisionBlock(matrix.revision, matrix.file, multipleFiles, [grid]));
  }
  card.append(row);
}

function renderBars(card: HTMLElement, view: BarPlotView): void {
  const row = buildElement('div', { className: 'plot-revisions' });
  const multipleFiles = new Set(view.groups.map((group) => group.file)).size > 1;
  const max = Math.max(0, ...view.groups.flatMap((group) => group.bars.map((bar) => Math.abs(bar.value ?? 0))));
  for (const group of view.groups) {
    const list = buildElement('div', { className: 'bar-list', attributes: { 'aria-label': view.title } });
    for (const bar of group.bars) {
      const fill = buildElement('div', { className: 'bar-fill' });
      fill.style.setProperty('width', `${max === 0 ? 0 : (Math.abs(bar.value ?? 0) / max) * 100}%`);
      list.append(
        buildElement('div', { className: 'bar-row', attributes: { 'data-category': bar.category } }, [
          buildElement('div', { className: 'bar-label', text: bar.category }),
          buildElement('div', { className: 'bar-track' }, [fill]),
          buildElement('div', {
            className: 'bar-value',
            text: bar.value === null ? '–' : formatMetricValue(bar.value),
          }),
        ]),
      );
    }
    row.append(revisionBlock(group.revision, group.file, multipleFiles, [list]));
  }
  card.append(row);
}

function renderImages(card: HTMLElement, view: ImagePlotView): void {
  const row = buildElement('div', { className: 'plot-revisions' });
  for (const image of view.images) {
    const content = image.uri
      ? buildElement('img', { className: 'plot-img', attributes: { src: image.uri, alt: image.path } })
      : buildElement('div', { className: 'plot-missing', text: 'This image cannot be shown here.' });
    row.append(revisionBlock(image.revision, image.path, false, [content]));
  }
  card.append(row);
}
