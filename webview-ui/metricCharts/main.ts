/**
 * Metric Charts page: two tabs, "Metrics" (one uPlot chart per metric, grouped by prefix, every
 * shown run overlaid) and "Plots" (DVC plots, mounted by the plots module into `#plots-root`).
 * Everything a run brings (names, metric names) is written as text (buildElement). The page saves
 * its runs and choices with setState, so a reloaded window restores the same charts.
 */
import 'uplot/dist/uPlot.min.css';
import './metricCharts.css';
import uPlot from 'uplot';
import { formatMetricValue } from '../../src/protocol/formatRunValues';
import type {
  ChartRun,
  ChartSeries,
  ChartXAxis,
  MetricChartsAction,
  MetricChartsPersistedState,
  MetricChartsSnapshot,
  MetricChartsUpdate,
  RefineRange,
} from '../../src/protocol/metricCharts';
import { buildButton, buildElement } from '../shared/buildElement';
import { dashesForRuns, RUN_COLOUR_VARIABLES, runColourIndex } from '../shared/runColours';
import { startPanel } from '../shared/startPanel';
import { mountPlotsTab } from '../plots/plotsTab';
import { formatTime } from '../shared/runTimes';
import {
  alertChartX,
  type AlignedSeries,
  appendPoints,
  seriesAfterSnapshot,
  chartCsv,
  countPoints,
  groupMetrics,
  mergeAlerts,
  mergeSeries,
  refineRequest,
  runOrigin,
  type SeriesState,
  smoothEma,
  toXY,
  valueNear,
  visiblePoints,
  type XYSeries,
} from './chartModel';

type Tab = 'metrics' | 'plots';

/** What the page keeps across hide/show and window reloads (the host reads `runIds`). */
interface PageState extends MetricChartsPersistedState {
  readonly xAxis: ChartXAxis;
  readonly smoothing: number;
  readonly logScale: boolean;
  readonly pinned: readonly string[];
  readonly search: string;
  readonly hidden: readonly string[];
  readonly tab: Tab;
}

const CHART_HEIGHT = 220;
const X_AXIS_TITLES: Record<ChartXAxis, string> = {
  step: 'Step',
  wallTime: 'Wall time',
  relativeTime: 'Relative time (s)',
};

interface RunEntry {
  /** Replaced when a live batch brings alerts. */
  info: Omit<ChartRun, 'series'>;
  readonly series: Map<string, SeriesState>;
  origin: number | null;
}

interface ChartView {
  readonly metric: string;
  readonly card: HTMLElement;
  readonly plotHost: HTMLElement;
  readonly readout: HTMLElement;
  readonly pinButton: HTMLButtonElement;
  plot?: uPlot;
  layoutKey: string;
  aligned?: AlignedSeries;
  /** Run ids in series order (each run has a raw series, then a smoothed one when smoothing). */
  runOrder: string[];
  /** The user's zoom in chart x units; null = the whole range (follows live data). */
  zoom: { min: number; max: number } | null;
  /** True while the page itself changes the scales (not a user zoom). */
  isSettingScales: boolean;
  refineTimer?: ReturnType<typeof setTimeout>;
  /** Whether the card is within a screen of the visible area; undefined until first measured. */
  isNearView?: boolean;
  /** Its data changed while it was far from view: drawn when it comes near. */
  needsDraw: boolean;
}

const app = document.getElementById('app')!;
const DEFAULT_STATE: PageState = {
  runIds: [],
  xAxis: 'step',
  smoothing: 0,
  logScale: false,
  pinned: [],
  search: '',
  hidden: [],
  tab: 'metrics',
};
let state: PageState = DEFAULT_STATE;
const runs = new Map<string, RunEntry>();
let runOrder: string[] = [];
let live = new Set<string>();
let missing: readonly string[] = [];
const charts = new Map<string, ChartView>();
let dirtyMetrics = new Set<string>();
let isEverythingDirty = true;
let frameRequested = false;
let nextRequestId = 1;
/** The refinement each chart waits for (older answers are dropped). */
const pendingRefines = new Map<
  string,
  { readonly requestId: number; readonly column: 'step' | 'timestamp'; readonly ranges: readonly RefineRange[] }
>();
/** Bumped when the theme changes: charts are rebuilt with the new colours. */
let themeVersion = 0;

const connection = startPanel<MetricChartsUpdate, MetricChartsAction>((update) => {
  switch (update.type) {
    case 'snapshotted':
      applySnapshot(update.snapshot);
      // A new snapshot means other runs or a run that ended: plots shown are read again.
      if (state.tab === 'plots') plotsView.refresh();
      return;
    case 'seriesAppended': {
      const entry = runs.get(update.runId);
      if (!entry) return;
      for (const [metric, batch] of Object.entries(update.series)) {
        const current = entry.series.get(metric);
        // A reset replaces the run's whole series; a zoom's detail no longer matches it.
        const overview = appendPoints(current?.overview, batch, update.reset);
        entry.series.set(metric, update.reset ? { overview } : { ...current, overview });
        markDirty(metric);
      }
      if (update.reset) entry.origin = computeOrigin(entry);
      if (update.alerts && update.alerts.length > 0) {
        entry.info = { ...entry.info, alerts: mergeAlerts(entry.info.alerts ?? [], update.alerts) };
        for (const alert of update.alerts) markDirty(alert.metric);
      }
      if (update.live) live.add(update.runId);
      else live.delete(update.runId);
      scheduleRender();
      return;
    }
    case 'plotsLoaded':
      plotsView.receive(update);
      return;
    case 'seriesRefined': {
      const pending = pendingRefines.get(update.metric);
      if (pending?.requestId !== update.requestId || !charts.get(update.metric)?.zoom) return;
      pendingRefines.delete(update.metric);
      for (const range of pending.ranges) {
        const entry = runs.get(range.runId);
        const current = entry?.series.get(update.metric);
        const points = update.series[range.runId];
        if (!entry || !current || !points) continue;
        const detail = { column: pending.column, min: range.min, max: range.max, points };
        entry.series.set(update.metric, { overview: current.overview, detail });
      }
      markDirty(update.metric);
      scheduleRender();
      return;
    }
  }
});

const restored = connection.savedState() as Partial<PageState> | undefined;
if (restored && typeof restored === 'object') state = { ...state, ...restored };

function saveState(): void {
  connection.saveState(state);
}

function setState(change: Partial<PageState>, rebuild = true): void {
  state = { ...state, ...change };
  saveState();
  if (rebuild) {
    isEverythingDirty = true;
    scheduleRender();
  }
}

function computeOrigin(entry: RunEntry): number | null {
  return runOrigin(
    entry.info.startedAt,
    [...entry.series.values()].map((series) => series.overview),
  );
}

function applySnapshot(snapshot: MetricChartsSnapshot): void {
  const before = new Map(runs);
  const wasLive = live;
  runs.clear();
  for (const run of snapshot.runs) {
    const { series: read, ...info } = run;
    const held = before.get(run.id);
    const series = seriesAfterSnapshot(
      read,
      { startedAt: run.startedAt, isLive: snapshot.live.includes(run.id) },
      held && { startedAt: held.info.startedAt, wasLive: wasLive.has(run.id), series: held.series },
    );
    const entry: RunEntry = {
      info,
      series: new Map(Object.entries(series).map(([metric, points]) => [metric, { overview: points as ChartSeries }])),
      origin: null,
    };
    entry.origin = computeOrigin(entry);
    runs.set(run.id, entry);
  }
  runOrder = snapshot.runs.map((run) => run.id);
  live = new Set(snapshot.live);
  missing = snapshot.missing;
  // The user's zooms stay (a snapshot comes whenever runs change, e.g. while a pipeline runs).
  setState({ runIds: [...runOrder, ...missing] });
}

function markDirty(metric: string): void {
  dirtyMetrics.add(metric);
}

function scheduleRender(): void {
  if (frameRequested) return;
  frameRequested = true;
  // Live batches that land in the same frame are drawn once: no flicker, no wasted draws.
  requestAnimationFrame(() => {
    frameRequested = false;
    render();
  });
}

// ---- Page structure ----

const metricsTab = buildElement('button', {
  text: 'Metrics',
  attributes: { role: 'tab', id: 'tab-metrics', 'aria-controls': 'panel-metrics' },
  onClick: () => selectTab('metrics'),
});
const plotsTab = buildElement('button', {
  text: 'Plots',
  attributes: { role: 'tab', id: 'tab-plots', 'aria-controls': 'panel-plots' },
  onClick: () => selectTab('plots'),
});
const searchInput = buildElement('input', {
  attributes: { type: 'search', placeholder: 'Search metrics', 'aria-label': 'Search metrics' },
});
searchInput.addEventListener('input', () => setState({ search: searchInput.value }));
const xAxisSelect = buildElement(
  'select',
  { attributes: { 'aria-label': 'X axis' } },
  (Object.keys(X_AXIS_TITLES) as ChartXAxis[]).map((axis) =>
    buildElement('option', { text: X_AXIS_TITLES[axis], attributes: { value: axis } }),
  ),
);
xAxisSelect.addEventListener('change', () => {
  for (const view of charts.values()) view.zoom = null;
  for (const entry of runs.values())
    for (const [metric, series] of entry.series) entry.series.set(metric, { overview: series.overview });
  setState({ xAxis: xAxisSelect.value as ChartXAxis });
});
const smoothingInput = buildElement('input', {
  attributes: { type: 'range', min: '0', max: '0.99', step: '0.01', 'aria-label': 'Smoothing' },
});
const smoothingValue = buildElement('span', { className: 'muted smoothing-value' });
smoothingInput.addEventListener('input', () => {
  smoothingValue.textContent = Number(smoothingInput.value).toFixed(2);
  setState({ smoothing: Number(smoothingInput.value) });
});
const logButton = buildButton('Log scale', () => setState({ logScale: !state.logScale }), 'Logarithmic y axis');
const resetButton = buildButton(
  'Reset zoom',
  () => {
    for (const view of charts.values()) resetZoom(view);
  },
  'Show every chart’s whole range (double-click a chart resets that one)',
);
const addRunsButton = buildButton('Add runs…', () => connection.post({ type: 'addRuns' }));
const status = buildElement('span', { className: 'muted', attributes: { 'aria-live': 'polite' } });
const legend = buildElement('div', { className: 'legend', attributes: { role: 'group', 'aria-label': 'Runs' } });
const chartsArea = buildElement('div', { className: 'charts' });
const emptyMessage = buildElement('p', { className: 'muted empty' });

const metricsPanel = buildElement(
  'div',
  { className: 'tab-panel', attributes: { role: 'tabpanel', id: 'panel-metrics', 'aria-labelledby': 'tab-metrics' } },
  [
    buildElement('div', { className: 'toolbar', attributes: { role: 'toolbar', 'aria-label': 'Chart options' } }, [
      searchInput,
      buildElement('label', { className: 'muted', text: 'x' }, [xAxisSelect]),
      buildElement('label', { className: 'muted smoothing', text: 'Smoothing ' }, [smoothingInput, smoothingValue]),
      logButton,
      resetButton,
      addRunsButton,
      buildElement('span', { className: 'spacer' }),
      status,
    ]),
    legend,
    emptyMessage,
    chartsArea,
  ],
);
// The plots module (DVC `plots:`, another part of this panel) mounts into #plots-root; this page
// only provides the element and shows or hides its tab.
const plotsRoot = buildElement('div', { attributes: { id: 'plots-root' } });
const plotsView = mountPlotsTab(plotsRoot, (action) => connection.post(action));
const plotsPanel = buildElement(
  'div',
  { className: 'tab-panel', attributes: { role: 'tabpanel', id: 'panel-plots', 'aria-labelledby': 'tab-plots' } },
  [plotsRoot],
);

app.append(
  buildElement('div', { className: 'toolbar tabs', attributes: { role: 'tablist', 'aria-label': 'Charts' } }, [
    metricsTab,
    plotsTab,
  ]),
  metricsPanel,
  plotsPanel,
);

function selectTab(tab: Tab): void {
  setState({ tab }, false);
  showTab();
  if (tab === 'metrics') {
    isEverythingDirty = true;
    scheduleRender();
  }
}

function showTab(): void {
  const isMetrics = state.tab === 'metrics';
  metricsTab.setAttribute('aria-selected', String(isMetrics));
  plotsTab.setAttribute('aria-selected', String(!isMetrics));
  metricsPanel.hidden = !isMetrics;
  plotsPanel.hidden = isMetrics;
  if (!isMetrics) plotsView.show();
}

function syncControls(): void {
  if (searchInput.value !== state.search) searchInput.value = state.search;
  xAxisSelect.value = state.xAxis;
  smoothingInput.value = String(state.smoothing);
  smoothingValue.textContent = state.smoothing.toFixed(2);
  logButton.setAttribute('aria-pressed', String(state.logScale));
}

// ---- Colours ----

function cssVariable(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function runColour(runId: string): string {
  return cssVariable(RUN_COLOUR_VARIABLES[runColourIndex(runId)]!, '#3794ff');
}

// VS Code sets the theme's variables on <html> (style) and its kind on <body> (class).
new MutationObserver(() => {
  themeVersion++;
  isEverythingDirty = true;
  scheduleRender();
}).observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
new MutationObserver(() => {
  themeVersion++;
  isEverythingDirty = true;
  scheduleRender();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---- Legend ----

function renderLegend(): void {
  const hidden = new Set(state.hidden);
  legend.replaceChildren(
    ...runOrder.map((runId) => {
      const run = runs.get(runId)!.info;
      const swatch = buildElement('span', { className: `swatch series-${runColourIndex(runId)}` });
      const toggle = buildElement(
        'button',
        {
          className: 'legend-run',
          attributes: {
            type: 'button',
            'aria-pressed': String(!hidden.has(runId)),
            title: `${run.source} · ${run.status}${run.startedAt !== null ? ` · ${formatTime(run.startedAt)}` : ''}\n${run.id}`,
            'data-run-id': runId,
          },
          onClick: () => {
            const next = new Set(state.hidden);
            if (next.has(runId)) next.delete(runId);
            else next.add(runId);
            setState({ hidden: [...next] }, false);
            renderLegend();
            for (const view of charts.values()) applyVisibility(view);
          },
        },
        [swatch, run.name, live.has(runId) ? buildElement('span', { className: 'live', text: ' ● live' }) : ''],
      );
      const remove = buildButton(
        '×',
        () => connection.post({ type: 'removeRun', runId }),
        `Remove ${run.name} from the charts`,
      );
      remove.className = 'icon';
      remove.setAttribute('aria-label', `Remove ${run.name}`);
      return buildElement('span', { className: 'legend-item' }, [toggle, remove]);
    }),
    ...missing.map((runId) => buildElement('span', { className: 'muted', text: `${runId} (not found)` })),
  );
}

// ---- Charts ----

function metricNames(): Set<string> {
  const names = new Set<string>();
  for (const entry of runs.values()) for (const metric of entry.series.keys()) names.add(metric);
  return names;
}

let shownLayout = '';

function render(): void {
  showTab();
  syncControls();
  if (state.tab !== 'metrics') return;
  const names = metricNames();
  const groups = groupMetrics(names, state.search);
  const pinned = state.pinned.filter((metric) => groups.some((group) => group.metrics.includes(metric)));
  const sections: { title: string; metrics: readonly string[] }[] = [];
  if (pinned.length > 0) sections.push({ title: 'Pinned', metrics: pinned });
  for (const group of groups) {
    const rest = group.metrics.filter((metric) => !pinned.includes(metric));
    if (rest.length > 0) sections.push({ title: group.prefix === '' ? 'Metrics' : `${group.prefix}/`, metrics: rest });
  }
  const shownCount = sections.reduce((total, section) => total + section.metrics.length, 0);
  status.textContent = `${runOrder.length} run${runOrder.length === 1 ? '' : 's'} · ${shownCount} of ${names.size} metrics${live.size > 0 ? ` · ${live.size} live` : ''}`;
  emptyMessage.textContent =
    runOrder.length === 0
      ? 'No run to chart. Add runs, or run a pipeline: its metrics appear here as they are written.'
      : names.size === 0
        ? 'These runs have no metric series yet.'
        : shownCount === 0
          ? 'No metric matches the search.'
          : '';
  emptyMessage.hidden = emptyMessage.textContent === '';
  renderLegend();

  const layout = JSON.stringify(sections);
  if (layout !== shownLayout) {
    shownLayout = layout;
    const wanted = new Set(sections.flatMap((section) => section.metrics));
    for (const [metric, view] of charts) {
      if (wanted.has(metric)) continue;
      nearView.unobserve(view.card);
      view.plot?.destroy();
      charts.delete(metric);
    }
    chartsArea.replaceChildren(
      ...sections.map((section) =>
        buildElement('section', { className: 'chart-group' }, [
          buildElement('h2', { text: section.title }),
          buildElement(
            'div',
            { className: 'chart-grid' },
            section.metrics.map((metric) => (charts.get(metric) ?? createView(metric)).card),
          ),
        ]),
      ),
    );
    isEverythingDirty = true;
  }
  const pinnedSet = new Set(state.pinned);
  for (const view of charts.values()) {
    view.pinButton.setAttribute('aria-pressed', String(pinnedSet.has(view.metric)));
    if (!isEverythingDirty && !dirtyMetrics.has(view.metric)) continue;
    view.isNearView ??= isNearViewport(view.card);
    // Charts far below the fold wait: a run with fifty metrics draws the few in view first.
    if (view.isNearView) drawChart(view);
    else view.needsDraw = true;
  }
  isEverythingDirty = false;
  dirtyMetrics = new Set();
}

function createView(metric: string): ChartView {
  const plotHost = buildElement('div', { className: 'plot' });
  const readout = buildElement('div', {
    className: 'readout',
    attributes: { role: 'status', 'aria-label': `${metric} at the cursor` },
  });
  const pinButton = buildButton(
    'Pin',
    () => {
      const pinned = new Set(state.pinned);
      if (pinned.has(metric)) pinned.delete(metric);
      else pinned.add(metric);
      setState({ pinned: [...pinned] });
    },
    'Keep this chart at the top',
  );
  const view: ChartView = {
    metric,
    plotHost,
    readout,
    pinButton,
    card: buildElement('div', { className: 'chart', attributes: { 'data-metric': metric } }, [
      buildElement('div', { className: 'chart-header' }, [
        buildElement('h3', { text: metric, attributes: { title: metric } }),
        buildElement('span', { className: 'spacer' }),
        pinButton,
        buildButton('PNG', () => exportPng(view), `Save the ${metric} chart as a PNG image`),
        buildButton('CSV', () => exportCsv(view), `Save the ${metric} series as CSV`),
      ]),
      plotHost,
      readout,
    ]),
    layoutKey: '',
    runOrder: [],
    zoom: null,
    isSettingScales: false,
    needsDraw: false,
  };
  charts.set(metric, view);
  viewsByCard.set(view.card, view);
  nearView.observe(view.card);
  return view;
}

function chartWidth(view: ChartView): number {
  return Math.max(200, Math.floor(view.plotHost.clientWidth || chartsArea.clientWidth || 600));
}

/** The aligned data of one chart: per run its raw series, then (when smoothing) the smoothed one. */
function chartData(view: ChartView): { aligned: AlignedSeries; runIds: string[] } {
  const runIds = runOrder.filter((runId) => runs.get(runId)!.series.has(view.metric));
  const series: XYSeries[] = [];
  for (const runId of runIds) {
    const entry = runs.get(runId)!;
    const xy = toXY(visiblePoints(entry.series.get(view.metric)!), state.xAxis, entry.origin, state.logScale);
    series.push(xy);
    if (state.smoothing > 0) series.push({ xs: xy.xs, ys: smoothEma(xy.ys, state.smoothing) });
  }
  // Eight x positions per pixel before snapping: far more than can be told apart.
  return { aligned: mergeSeries(series, 8 * chartWidth(view)), runIds };
}

/** How far outside the visible area a chart is still drawn (so scrolling finds it ready). */
const NEAR_VIEW_MARGIN = 600;

function isNearViewport(card: HTMLElement): boolean {
  const box = card.getBoundingClientRect();
  const area = chartsArea.getBoundingClientRect();
  return box.bottom >= area.top - NEAR_VIEW_MARGIN && box.top <= area.bottom + NEAR_VIEW_MARGIN;
}

const viewsByCard = new WeakMap<Element, ChartView>();
const nearView = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      const view = viewsByCard.get(entry.target);
      if (!view) continue;
      view.isNearView = entry.isIntersecting;
      if (view.isNearView && view.needsDraw) {
        markDirty(view.metric);
        scheduleRender();
      }
    }
  },
  { root: chartsArea, rootMargin: `${NEAR_VIEW_MARGIN}px 0px` },
);

function drawChart(view: ChartView): void {
  view.needsDraw = false;
  const { aligned, runIds } = chartData(view);
  view.aligned = aligned;
  const isSmoothing = state.smoothing > 0;
  const layoutKey = JSON.stringify([runIds, isSmoothing, state.logScale, state.xAxis, themeVersion]);
  const data = [aligned.xs, ...aligned.ys] as unknown as uPlot.AlignedData;
  const perRun = isSmoothing ? 2 : 1;
  const rawSeries = aligned.ys.filter((_, index) => index % perRun === 0);
  view.card.dataset.pointCount = String(countPoints({ ...aligned, ys: rawSeries }));
  view.card.dataset.runCount = String(runIds.length);
  if (!view.plot || view.layoutKey !== layoutKey) {
    view.plot?.destroy();
    view.layoutKey = layoutKey;
    view.runOrder = runIds;
    view.plot = createPlot(view, runIds, data);
  } else {
    view.isSettingScales = true;
    // Keeping the scales keeps the user's zoom while live points arrive; otherwise fit them all.
    view.plot.setData(data, view.zoom === null);
    if (view.zoom) view.plot.setScale('x', view.zoom);
    view.isSettingScales = false;
  }
  applyVisibility(view);
  view.card.dataset.draws = String(Number(view.card.dataset.draws ?? 0) + 1);
}

function applyVisibility(view: ChartView): void {
  const plot = view.plot;
  if (!plot) return;
  const hidden = new Set(state.hidden);
  const perRun = state.smoothing > 0 ? 2 : 1;
  view.runOrder.forEach((runId, runIndex) => {
    for (let part = 0; part < perRun; part++) {
      const seriesIndex = 1 + runIndex * perRun + part;
      if (plot.series[seriesIndex]!.show === hidden.has(runId))
        plot.setSeries(seriesIndex, { show: !hidden.has(runId) });
    }
  });
}

function createPlot(view: ChartView, runIds: readonly string[], data: uPlot.AlignedData): uPlot {
  const foreground = cssVariable('--vscode-foreground', '#cccccc');
  const gridColour = cssVariable('--vscode-charts-lines', 'rgba(128,128,128,0.3)');
  const isSmoothing = state.smoothing > 0;
  const series: uPlot.Series[] = [{ label: X_AXIS_TITLES[state.xAxis] }];
  const dashes = dashesForRuns(runIds);
  runIds.forEach((runId, runIndex) => {
    const run = runs.get(runId)!.info;
    const common = { stroke: runColour(runId), dash: [...dashes[runIndex]!], spanGaps: true, points: { show: false } };
    // With smoothing, the raw line stays faint behind the smoothed one.
    series.push({ ...common, label: run.name, width: 1, alpha: isSmoothing ? 0.25 : 1 });
    if (isSmoothing) series.push({ ...common, label: `${run.name} (smoothed)`, width: 1.5 });
  });
  const axis = { stroke: foreground, grid: { stroke: gridColour, width: 1 }, ticks: { stroke: gridColour, width: 1 } };
  let panStart: { left: number; min: number; max: number } | undefined;
  const options: uPlot.Options = {
    width: chartWidth(view),
    height: CHART_HEIGHT,
    legend: { show: false },
    scales: { x: { time: state.xAxis === 'wallTime' }, y: { distr: state.logScale ? 3 : 1 } },
    axes: [axis, { ...axis, size: 56 }],
    series,
    cursor: {
      drag: { x: true, y: false, setScale: true },
      bind: {
        // Shift+drag pans; a plain drag zooms (uPlot's own selection).
        mousedown: (plot, _target, handler) => (event) => {
          if (!event.shiftKey) return handler(event);
          const scale = plot.scales.x;
          if (scale?.min === undefined || scale.max === undefined || scale.min === null || scale.max === null)
            return null;
          panStart = { left: event.clientX, min: scale.min, max: scale.max };
          const move = (moved: MouseEvent) => {
            if (!panStart) return;
            const perPixel = ((panStart.max - panStart.min) / plot.bbox.width) * devicePixelRatio;
            const shift = (panStart.left - moved.clientX) * perPixel;
            setZoom(view, { min: panStart.min + shift, max: panStart.max + shift });
          };
          const up = () => {
            panStart = undefined;
            window.removeEventListener('mousemove', move);
            window.removeEventListener('mouseup', up);
          };
          window.addEventListener('mousemove', move);
          window.addEventListener('mouseup', up);
          return null;
        },
        dblclick: () => () => {
          resetZoom(view);
          return null;
        },
      },
    },
    hooks: {
      draw: [(plot) => drawAlertMarkers(view, plot)],
      setCursor: [(plot) => showReadout(view, plot)],
      setScale: [
        (plot, scaleKey) => {
          if (scaleKey !== 'x') return;
          const { min, max } = plot.scales.x!;
          if (min === undefined || max === undefined || min === null || max === null) return;
          // The shown x range, for tests (the axes themselves are drawn on the canvas).
          view.card.dataset.xRange = `${min}..${max}`;
          if (view.isSettingScales) return;
          // uPlot also sets the scale when it fits new data (in its own later commit): a range
          // that covers all the data is no zoom.
          const xs = view.aligned?.xs;
          const isWhole = !xs || xs.length === 0 || (min <= xs[0]! && max >= xs[xs.length - 1]!);
          if (isWhole) {
            view.zoom = null;
            return;
          }
          if (view.zoom?.min === min && view.zoom.max === max) return;
          view.zoom = { min, max };
          scheduleRefine(view);
        },
      ],
    },
  };
  view.isSettingScales = true;
  const plot = new uPlot(options, data, view.plotHost);
  if (view.zoom) plot.setScale('x', view.zoom);
  view.isSettingScales = false;
  return plot;
}

/**
 * The alerts that fired on this chart's metric, after each draw: a dashed vertical line on the
 * canvas (so PNG exports keep it) and a label over the plot, both in the run's colour. Labels are
 * text nodes: alert messages carry metric names from the user's files.
 */
function drawAlertMarkers(view: ChartView, plot: uPlot): void {
  const layer =
    plot.over.querySelector<HTMLElement>('.alert-markers') ??
    plot.over.appendChild(buildElement('div', { className: 'alert-markers' }));
  layer.replaceChildren();
  const hidden = new Set(state.hidden);
  const { min, max } = plot.scales.x!;
  const { top, height } = plot.bbox;
  for (const runId of view.runOrder) {
    const entry = runs.get(runId)!;
    const points = entry.series.get(view.metric)?.overview;
    if (hidden.has(runId) || !points) continue;
    for (const alert of entry.info.alerts ?? []) {
      if (alert.metric !== view.metric) continue;
      const x = alertChartX(state.xAxis, alert.step, points, entry.origin);
      if (x === null || min === undefined || max === undefined || x < min || x > max) continue;
      const colour = runColour(runId);
      const left = plot.valToPos(x, 'x', true);
      plot.ctx.save();
      plot.ctx.strokeStyle = colour;
      plot.ctx.lineWidth = devicePixelRatio;
      plot.ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
      plot.ctx.beginPath();
      plot.ctx.moveTo(left, top);
      plot.ctx.lineTo(left, top + height);
      plot.ctx.stroke();
      plot.ctx.restore();
      const label = buildElement('span', {
        className: 'alert-marker',
        text: `⚠ ${alert.message}`,
        attributes: { title: `${entry.info.name}: ${alert.message}`, 'data-run-id': runId },
      });
      label.style.setProperty('left', `${plot.valToPos(x, 'x')}px`);
      label.style.setProperty('top', `${layer.childElementCount * 1.6}em`);
      label.style.setProperty('--alert-colour', colour);
      layer.append(label);
    }
  }
  view.card.dataset.alertMarkers = String(layer.childElementCount);
}

function setZoom(view: ChartView, zoom: { min: number; max: number }): void {
  view.zoom = zoom;
  view.isSettingScales = true;
  view.plot?.setScale('x', zoom);
  view.isSettingScales = false;
  scheduleRefine(view);
}

function resetZoom(view: ChartView): void {
  if (!view.zoom) return;
  view.zoom = null;
  for (const entry of runs.values()) {
    const series = entry.series.get(view.metric);
    if (series?.detail) entry.series.set(view.metric, { overview: series.overview });
  }
  markDirty(view.metric);
  scheduleRender();
}

/** After a zoom settles, asks the worker for the visible range at this chart's width. */
function scheduleRefine(view: ChartView): void {
  clearTimeout(view.refineTimer);
  view.refineTimer = setTimeout(() => {
    const zoom = view.zoom;
    if (!zoom) return;
    const request = refineRequest(
      state.xAxis,
      zoom.min,
      zoom.max,
      chartWidth(view),
      view.runOrder.map((runId) => {
        const entry = runs.get(runId)!;
        return {
          runId,
          downsampled: entry.series.get(view.metric)?.overview.downsampled ?? false,
          origin: entry.origin,
        };
      }),
    );
    if (!request) return;
    const requestId = nextRequestId++;
    pendingRefines.set(view.metric, { requestId, column: request.x, ranges: request.ranges });
    connection.post({ type: 'refineSeries', requestId, metric: view.metric, ...request });
  }, 150);
}

function formatX(value: number): string {
  if (state.xAxis === 'wallTime') return formatTime(value * 1000);
  if (state.xAxis === 'relativeTime') return `${formatMetricValue(value)} s`;
  return formatMetricValue(value);
}

function showReadout(view: ChartView, plot: uPlot): void {
  const index = plot.cursor.idx;
  const aligned = view.aligned;
  if (index === null || index === undefined || !aligned || index >= aligned.xs.length) {
    view.readout.replaceChildren();
    return;
  }
  const hidden = new Set(state.hidden);
  const perRun = state.smoothing > 0 ? 2 : 1;
  const lines = view.runOrder.flatMap((runId, runIndex) => {
    if (hidden.has(runId)) return [];
    const raw = valueNear(aligned.xs, aligned.ys[runIndex * perRun]!, index);
    if (raw === null) return [];
    const smoothed = perRun === 2 ? valueNear(aligned.xs, aligned.ys[runIndex * perRun + 1]!, index) : null;
    return [
      buildElement('span', { className: 'readout-run' }, [
        buildElement('span', { className: `swatch series-${runColourIndex(runId)}` }),
        `${runs.get(runId)!.info.name}: ${formatMetricValue(smoothed ?? raw)}${smoothed !== null ? ` (raw ${formatMetricValue(raw)})` : ''}`,
      ]),
    ];
  });
  view.readout.replaceChildren(
    buildElement('span', {
      className: 'readout-x',
      text: `${X_AXIS_TITLES[state.xAxis]} ${formatX(aligned.xs[index]!)}`,
    }),
    ...lines,
  );
}

function exportPng(view: ChartView): void {
  const plot = view.plot;
  if (!plot) return;
  const source = plot.ctx.canvas;
  // The chart's canvas is transparent: paint the editor's background under it, as it is seen.
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = source.height;
  const context = canvas.getContext('2d')!;
  context.fillStyle = cssVariable('--vscode-editor-background', '#1e1e1e');
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(source, 0, 0);
  connection.post({ type: 'exportPng', metric: view.metric, dataUrl: canvas.toDataURL('image/png') });
}

function exportCsv(view: ChartView): void {
  const aligned = view.aligned;
  if (!aligned) return;
  const perRun = state.smoothing > 0 ? 2 : 1;
  const raw = { ...aligned, ys: aligned.ys.filter((_, index) => index % perRun === 0) };
  const titles = view.runOrder.map((runId) => `${runs.get(runId)!.info.name} (${runId})`);
  const table = chartCsv(X_AXIS_TITLES[state.xAxis], titles, raw);
  connection.post({ type: 'exportCsv', metric: view.metric, header: table.header, rows: table.rows });
}

new ResizeObserver(() => {
  for (const view of charts.values()) {
    const width = chartWidth(view);
    if (view.plot && Math.abs(view.plot.width - width) > 1) view.plot.setSize({ width, height: CHART_HEIGHT });
  }
}).observe(chartsArea);

showTab();
syncControls();
scheduleRender();
