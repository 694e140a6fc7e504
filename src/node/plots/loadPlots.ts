import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import { collectPlotViews } from '../../engine/plots/collectPlotViews';
import type { PlotRevisionSource } from '../../engine/plots/ports';
import { recordedOutHashes } from '../../engine/plots/recordedOutHashes';
import { resolvePlotSpecs } from '../../engine/plots/resolvePlotSpecs';
import { workspacePlotFiles } from '../../engine/plots/workspacePlotFiles';
import type { FileSystem } from '../../engine/ports';
import type { Problem } from '../../engine/problems';
import type { RunSummary } from '../../engine/runs/model';
import { isOwnerAlive } from '../runStore/isOwnerAlive';
import { readRunRecord } from '../../engine/runStore/readRunRecord';
import { WORKSPACE_REVISION, type PlotView } from '../../engine/plots/plotViewTypes';
import { join, relative } from 'node:path';
import { nodeFileSystem } from '../nodeFileSystem';
import type { PlotsRequest, PlotsResult } from './plotsWorkerClient';
import { openRunPlotFiles, type RunPlotFiles } from './runPlotFiles';

export interface LoadedPlots {
  readonly revisions: readonly string[];
  readonly views: PlotView[];
  readonly problems: Problem[];
  /** The bytes of an image at a revision (the panel shows a run's image from them). */
  readonly runFiles: ReadonlyMap<string, RunPlotFiles>;
}

/**
 * Every plot of the workspace's pipelines at the workspace and at each given run (`mlc plots
 * show`/`diff` and the Plots tab): the pipelines as they are now define the plots; each run's
 * files come from `openRunPlotFiles`.
 */
export async function loadPlots(options: {
  readonly fs: FileSystem;
  readonly workspaceRoot: string;
  readonly runs: readonly RunSummary[];
  readonly includeWorkspace: boolean;
  readonly signal?: AbortSignal;
}): Promise<LoadedPlots> {
  const { fs, workspaceRoot } = options;
  const workspace = loadWorkspace(fs, workspaceRoot, options.signal ? { signal: options.signal } : {});
  const specs = resolvePlotSpecs(workspace.pipelines, workspaceRoot);
  const revisions: PlotRevisionSource[] = [];
  if (options.includeWorkspace) {
    revisions.push({ name: WORKSPACE_REVISION, files: workspacePlotFiles(fs, workspaceRoot) });
  }
  const runFiles = new Map<string, RunPlotFiles>();
  for (const run of options.runs) {
    const record = run.source === 'mlc' ? readRunRecord(fs, run.location, isOwnerAlive).value : undefined;
    const files = await openRunPlotFiles({
      fs,
      workspaceRoot,
      runId: run.id,
      commit: run.git?.commit,
      recordedHashes: record ? recordedOutHashes(record, workspace.pipelines, workspaceRoot) : new Map(),
    });
    runFiles.set(run.id, files);
    revisions.push({ name: run.id, files });
  }
  const collected = await collectPlotViews(specs.value, revisions);
  return {
    revisions: revisions.map((revision) => revision.name),
    views: collected.value,
    problems: [...specs.problems, ...collected.problems],
    runFiles,
  };
}

/** Where a run's images (found in DVC's cache or its git commit) are copied for the panel to show. */
const RUN_IMAGES_FOLDER = join('.mlc', 'cache', 'plots');

/**
 * loadPlots for the Plots tab (in the plots worker): the plots of the workspace and the runs, and
 * for every image shown the file the panel loads: the workspace's own, or a copy of the run's
 * version under `.mlc/cache/plots/<run>/` (a run's image may exist only in a cache or a commit).
 */
export async function loadPlotsWithImages(request: PlotsRequest): Promise<PlotsResult> {
  const { workspaceRoot } = request;
  const loaded = await loadPlots({ fs: nodeFileSystem, workspaceRoot, runs: request.runs, includeWorkspace: true });
  const imageFiles: Record<string, string> = {};
  const copiesRoot = join(workspaceRoot, RUN_IMAGES_FOLDER);
  for (const view of loaded.views) {
    if (view.kind !== 'image') continue;
    for (const image of view.images) {
      const key = `${image.revision}\0${image.path}`;
      const runFiles = loaded.runFiles.get(image.revision);
      if (!runFiles) {
        imageFiles[key] = join(workspaceRoot, image.path);
        continue;
      }
      const bytes = await runFiles.readBytes(image.path);
      const copy = join(copiesRoot, image.revision.replace(/[^\w.-]+/g, '_'), image.path);
      if (!bytes || relative(copiesRoot, copy).startsWith('..')) continue;
      nodeFileSystem.writeFileAtomic(copy, bytes);
      imageFiles[key] = copy;
    }
  }
  return { revisions: loaded.revisions, views: loaded.views, problems: loaded.problems, imageFiles };
}
