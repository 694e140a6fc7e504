import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../engine/runs/model';
import { loadPlots } from '../../node/plots/loadPlots';
import { nodeFileSystem } from '../../node/nodeFileSystem';
import type { PlotImage, PlotView } from '../../protocol/plotViews';
import type { PlotsSnapshot, PlotsUpdate } from '../../protocol/plots';

/** Where a run's images (read from DVC's cache or its git commit) are put for the webview to load. */
const RUN_IMAGES_FOLDER = join('.mlc', 'cache', 'plots');

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
 * runs the panel shows (src/node/plots/loadPlots), images as webview URIs.
 */
export async function loadPanelPlots(options: {
  readonly webview: vscode.Webview;
  readonly workspaceRoot: string;
  readonly runs: readonly RunSummary[];
  readonly requestId: number;
}): Promise<PlotsUpdate> {
  const { webview, workspaceRoot } = options;
  const loaded = await loadPlots({ fs: nodeFileSystem, workspaceRoot, runs: options.runs, includeWorkspace: true });
  const imageUri = async (image: PlotImage): Promise<string | undefined> => {
    const runFiles = loaded.runFiles.get(image.revision);
    if (!runFiles) return webview.asWebviewUri(vscode.Uri.file(join(workspaceRoot, image.path))).toString();
    const bytes = await runFiles.readBytes(image.path);
    if (!bytes) return undefined;
    const safeRun = image.revision.replace(/[^\w.-]+/g, '_');
    const copy = join(workspaceRoot, RUN_IMAGES_FOLDER, safeRun, image.path);
    if (!copy.startsWith(join(workspaceRoot, RUN_IMAGES_FOLDER))) return undefined;
    nodeFileSystem.writeFileAtomic(copy, bytes);
    return webview.asWebviewUri(vscode.Uri.file(copy)).toString();
  };
  const plots: PlotView[] = [];
  for (const view of loaded.views) {
    if (view.kind !== 'image') {
      plots.push(view);
      continue;
    }
    const images: PlotImage[] = [];
    for (const image of view.images) {
      const uri = await imageUri(image);
      images.push(uri === undefined ? image : { ...image, uri });
    }
    plots.push({ ...view, images });
  }
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
