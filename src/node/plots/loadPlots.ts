import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import { collectPlotViews } from '../../engine/plots/collectPlotViews';
import type { PlotRevisionSource } from '../../engine/plots/ports';
import { recordedOutHashes } from '../../engine/plots/recordedOutHashes';
import { resolvePlotSpecs } from '../../engine/plots/resolvePlotSpecs';
import { workspacePlotFiles } from '../../engine/plots/workspacePlotFiles';
import type { FileSystem } from '../../engine/ports';
import type { Problem } from '../../engine/problems';
import type { RunSummary } from '../../engine/runs/model';
import { readRunRecord } from '../../engine/runStore/readRunRecord';
import { WORKSPACE_REVISION, type PlotView } from '../../engine/plots/plotViewTypes';
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
    const record = run.source === 'mlc' ? readRunRecord(fs, run.location).value : undefined;
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
