/**
 * The renderer inputs of DVC plots: what `src/engine/plots` makes from plot definitions and plot
 * files, what `mlc plots --json` prints and what the Plots webview draws. JSON only (no NaN:
 * a value that is not finite is null). Like formatRunValues.ts, the engine and the CLI may import
 * this one file of the protocol.
 */

/** DVC's built-in templates mlc draws; any other template (a Vega-Lite file) is drawn as `linear`. */
export const PLOT_TEMPLATES = [
  'linear',
  'simple',
  'scatter',
  'smooth',
  'confusion',
  'confusion_normalized',
  'bar_horizontal',
  'bar_horizontal_sorted',
] as const;
export type PlotTemplate = (typeof PLOT_TEMPLATES)[number];

/** The workspace as it is now, or a run id (the plot files as that run left them). */
export type PlotRevision = string;
export const WORKSPACE_REVISION = 'workspace';

export interface PlotViewBase {
  /** DVC's id: the data file's path (workspace-relative) or the top-level definition's name. */
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Revisions that had no data for this plot, and why (`not in commit 1a2b3c4`). */
  readonly missing: readonly { readonly revision: PlotRevision; readonly file: string; readonly reason: string }[];
}

/** One line (or point cloud) of `linear`, `simple`, `scatter` and `smooth`. */
export interface PlotSeries {
  readonly revision: PlotRevision;
  readonly file: string;
  /** The y column. */
  readonly field: string;
  readonly x: readonly (number | null)[];
  readonly y: readonly (number | null)[];
  /** `smooth` only: a centred moving average of y (window: a tenth of the points, at least 1). */
  readonly smoothed?: readonly (number | null)[];
}

export interface LinePlotView extends PlotViewBase {
  readonly kind: 'line';
  readonly template: 'linear' | 'simple' | 'scatter' | 'smooth';
  readonly series: readonly PlotSeries[];
}

/** Counts of (actual = x column, predicted = y column) pairs, rows by actual class. */
export interface ConfusionMatrix {
  readonly revision: PlotRevision;
  readonly file: string;
  readonly classes: readonly string[];
  /** counts[actual][predicted], indices into `classes`. */
  readonly counts: readonly (readonly number[])[];
  /** `confusion_normalized`: each count divided by its actual class's total (0 for an empty row). */
  readonly normalized?: readonly (readonly number[])[];
}

export interface ConfusionPlotView extends PlotViewBase {
  readonly kind: 'confusion';
  readonly template: 'confusion' | 'confusion_normalized';
  readonly matrices: readonly ConfusionMatrix[];
}

export interface BarGroup {
  readonly revision: PlotRevision;
  readonly file: string;
  /** One bar per row: the y column names the bar, the x column is its length. */
  readonly bars: readonly { readonly category: string; readonly value: number | null }[];
}

export interface BarPlotView extends PlotViewBase {
  readonly kind: 'bar';
  readonly template: 'bar_horizontal' | 'bar_horizontal_sorted';
  readonly groups: readonly BarGroup[];
}

export interface PlotImage {
  readonly revision: PlotRevision;
  /** Workspace-relative path of the image. */
  readonly path: string;
  readonly mime: 'image/png' | 'image/svg+xml' | 'image/jpeg' | 'image/gif';
  /** Set by the extension host: the webview URI of the image (never remote). */
  readonly uri?: string;
}

export interface ImagePlotView extends PlotViewBase {
  readonly kind: 'image';
  readonly images: readonly PlotImage[];
}

export type PlotView = LinePlotView | ConfusionPlotView | BarPlotView | ImagePlotView;
