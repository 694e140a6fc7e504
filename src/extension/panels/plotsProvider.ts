import { relative } from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../engine/runs/model';
import { loadPlotsInWorker } from '../../node/plots/plotsWorkerClient';
import type { PlotImage, PlotView } from '../../protocol/plotViews';
import type { PlotsSnapshot, PlotsUpdate } from '../../protocol/plots';

/**
 * Lets the panel's webview load images from the workspace folders (plot images and the run images
 * copied under .mlc/cache/plots): the extension's own webview files stay the only other root, and
 * the CSP's img-src is the webview's own origin, so nothing remote is ever loaded.
 */
export function allowWorkspaceImages(webview: vscode.Webview): void {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri);
  webview.options = {
    ...webview.options,
    localResourceRoots: [...(webview.options.localResourceRoots ?? []), ...folders],
  };
}

/**
 * The Plots tab's data: every plot of the workspace's pipelines for the workspace and for the
 * runs the panel shows, read in the plots worker (src/node/plots/loadPlotsWithImages); images as
 * webview URIs of the files the worker names.
 */
export async function loadPanelPlots(options: {
  readonly webview: vscode.Webview;
  readonly workspaceRoot: string;
  readonly runs: readonly RunSummary[];
  readonly requestId: number;
}): Promise<PlotsUpdate> {
  const { webview, workspaceRoot } = options;
  const loaded = await loadPlotsInWorker({ workspaceRoot, runs: options.runs });
  const plots: PlotView[] = loaded.views.map((view) => {
    if (view.kind !== 'image') return view;
    const images: PlotImage[] = view.images.map((image) => {
      const file = loaded.imageFiles[`${image.revision}\0${image.path}`];
      return file === undefined ? image : { ...image, uri: webview.asWebviewUri(vscode.Uri.file(file)).toString() };
    });
    return { ...view, images };
  });
  const snapshot: PlotsSnapshot = {
    revisions: loaded.revisions,
    plots,
    problems: loaded.problems.map(({ file, line, column, severity, code, message }) => ({
      file: relative(workspaceRoot, file) || file,
      line,
      column,
      severity,
      code,
      message,
    })),
  };
  return { type: 'plotsLoaded', requestId: options.requestId, snapshot };
}
