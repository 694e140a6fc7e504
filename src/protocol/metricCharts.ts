/**
 * Metric Charts panel (`mlc.showMetrics`): one chart per metric, any number of runs overlaid.
 * Host -> panel: a snapshot on `ready` (runs and their series, already downsampled to about the
 * panel's pixel width by the run index worker), `seriesAppended` while a followed run writes (with
 * the alerts that fired since, so a marker appears as the alert fires, not at the next snapshot), and
 * `seriesRefined` answering a zoom (the visible range again at full resolution for its width).
 * Series travel as plain number arrays (webview messages are JSON); a NaN value or a missing
 * timestamp arrives as null.
 */
import { type PanelCommonAction, panelCommonValidators } from './panelCommon';
import { type PlotsAction, plotsActionValidators, type PlotsUpdate } from './plots';
import type { RunRowSource, RunRowStatus } from './runRow';
import {
  isOneOf,
  isText,
  isTextList,
  isTextTable,
  type MessageRecord,
  type MessageValidators,
} from './validateMessage';

export const METRIC_CHARTS_VIEW_TYPE = 'mlc.metricCharts';

/** The x axes a chart can use: step, wall-clock time, or time since the run's first point. */
export type ChartXAxis = 'step' | 'wallTime' | 'relativeTime';

/** Which recorded column a downsampling or refinement is laid over. */
export type SeriesXColumn = 'step' | 'timestamp';

export interface SeriesPoints {
  readonly steps: readonly number[];
  readonly values: readonly (number | null)[];
  /** Epoch ms; null when the source recorded no time for the point. */
  readonly timestamps: readonly (number | null)[];
}

export interface ChartSeries extends SeriesPoints {
  /** True when the worker reduced the series (a zoom then asks for the visible range again). */
  readonly downsampled: boolean;
}

export interface ChartRun {
  readonly id: string;
  readonly name: string;
  readonly source: RunRowSource;
  readonly status: RunRowStatus;
  /** Epoch ms; relative time counts from here (else from the run's first point). */
  readonly startedAt: number | null;
  /** Metric name -> points. */
  readonly series: Readonly<Record<string, ChartSeries>>;
  /** Alerts that fired at a step of one of its metrics (a marker on that chart); absent when none. */
  readonly alerts?: readonly ChartAlert[];
}

/** An alert of mlc.yaml's `alerts:` that fired at `step` of `metric`. */
export interface ChartAlert {
  readonly metric: string;
  readonly step: number;
  readonly message: string;
}

export interface MetricChartsSnapshot {
  readonly runs: readonly ChartRun[];
  /** Runs the host follows (their new points arrive as `seriesAppended`). */
  readonly live: readonly string[];
  /** Runs asked for that no source knows (deleted, or the id was mistyped). */
  readonly missing: readonly string[];
}

export type MetricChartsUpdate =
  | PlotsUpdate
  | { readonly type: 'snapshotted'; readonly snapshot: MetricChartsSnapshot }
  | {
      readonly type: 'seriesAppended';
      readonly runId: string;
      /** Earlier points are void (a file was replaced or truncated): `series` holds everything. */
      readonly reset: boolean;
      readonly series: Readonly<Record<string, SeriesPoints>>;
      /** Whether the run is still followed after this batch (false once it ended). */
      readonly live: boolean;
      /** Alerts that fired in the run while it is followed; added to those the page holds (duplicates ignored). */
      readonly alerts?: readonly ChartAlert[];
    }
  | {
      readonly type: 'seriesRefined';
      /** The `requestId` of the `refineSeries` this answers (older answers are dropped). */
      readonly requestId: number;
      readonly metric: string;
      readonly series: Readonly<Record<string, ChartSeries>>;
    };

/** One run's part of a refinement: the visible range in that run's own recorded x column. */
export interface RefineRange {
  readonly runId: string;
  readonly min: number;
  readonly max: number;
}

export type MetricChartsAction =
  | PanelCommonAction
  | PlotsAction
  | {
      readonly type: 'refineSeries';
      readonly requestId: number;
      readonly metric: string;
      readonly x: SeriesXColumn;
      readonly ranges: readonly RefineRange[];
      /** About four points per pixel of the chart (first, min, max, last per bucket). */
      readonly maxPoints: number;
    }
  /** Adds runs to the overlay: the host asks which with a quick pick. */
  | { readonly type: 'addRuns' }
  | { readonly type: 'removeRun'; readonly runId: string }
  | { readonly type: 'exportPng'; readonly metric: string; readonly dataUrl: string }
  | {
      readonly type: 'exportCsv';
      readonly metric: string;
      readonly header: readonly string[];
      readonly rows: readonly (readonly string[])[];
    };

/** The webview state a Metric Charts panel keeps, so a restored panel shows the same runs. */
export interface MetricChartsPersistedState {
  readonly runIds: readonly string[];
}

export function isMetricChartsPersistedState(value: unknown): value is MetricChartsPersistedState {
  return isTextList((value as { runIds?: unknown } | undefined)?.runIds, 100_000, 4096);
}

const isRunId = (value: unknown) => isText(value, 4096) && value.length > 0;
const isMetric = (value: unknown) => isText(value, 4096) && value.length > 0;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isRange = (value: unknown) => {
  const range = value as MessageRecord | null;
  return (
    typeof range === 'object' &&
    range !== null &&
    isRunId(range.runId) &&
    isFiniteNumber(range.min) &&
    isFiniteNumber(range.max) &&
    range.min <= range.max
  );
};
/** PNG data URLs only, below 32 MB (a 4K canvas is a few MB). */
const isPngDataUrl = (value: unknown) =>
  isText(value, 32_000_000) && /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/.test(value);

export const metricChartsActionValidators: MessageValidators<MetricChartsAction> = {
  ...panelCommonValidators,
  ...plotsActionValidators,
  refineSeries: (message) =>
    Number.isSafeInteger(message.requestId) &&
    isMetric(message.metric) &&
    isOneOf(message.x, ['step', 'timestamp'] as const) &&
    Array.isArray(message.ranges) &&
    message.ranges.length <= 100_000 &&
    message.ranges.every(isRange) &&
    Number.isSafeInteger(message.maxPoints) &&
    (message.maxPoints as number) >= 4 &&
    (message.maxPoints as number) <= 100_000,
  addRuns: () => true,
  removeRun: (message) => isRunId(message.runId),
  exportPng: (message) => isMetric(message.metric) && isPngDataUrl(message.dataUrl),
  exportCsv: (message) => isMetric(message.metric) && isTextList(message.header, 100_000) && isTextTable(message.rows),
};
