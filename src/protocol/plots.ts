/**
 * The DVC plots part of the Metric Charts panel (its Plots tab). The page asks for plots when the
 * tab is shown or refreshed (`requestPlots`, numbered so an older answer is dropped); the host
 * answers `plotsLoaded` with the plots of the workspace and of the runs the panel shows, image
 * references already turned into webview URIs.
 */
import type { PlotView } from './plotViews';
import type { MessageValidators } from './validateMessage';

/** A problem in a plot definition or file, its file relative to the workspace folder. */
export interface PlotProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning' | 'info';
  readonly code: string;
  readonly message: string;
}

export interface PlotsSnapshot {
  /** `workspace` and the run ids, in the order they are shown side by side. */
  readonly revisions: readonly string[];
  readonly plots: readonly PlotView[];
  readonly problems: readonly PlotProblem[];
}

export type PlotsUpdate = {
  readonly type: 'plotsLoaded';
  readonly requestId: number;
  readonly snapshot: PlotsSnapshot;
};

export type PlotsAction = { readonly type: 'requestPlots'; readonly requestId: number };

export const plotsActionValidators: MessageValidators<PlotsAction> = {
  requestPlots: (message) => Number.isSafeInteger(message.requestId) && (message.requestId as number) >= 0,
};
