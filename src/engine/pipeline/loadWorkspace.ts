import { join, normalize } from 'pathe';
import { checkLockFiles } from '../lock/checkLockFiles';
import type { Clock, FileSystem } from '../ports';
import { type Problem, problemAt } from '../problems';
import type { WalkOptions } from '../workspace/walkWorkspace';
import { checkStageParams } from './checkStageParams';
import { discoverPipelines } from './discoverPipelines';
import { parsePipelineFile, tidyProblems } from './loadPipeline';
import type { Pipeline } from './model';
import { checkOutOwnership, outOwnershipRules } from './outOwnership';
import { absoluteStagePath, OutputIndex } from './outputIndex';
import { stageGraphData, stageGraphFrom, type StageGraph, type StageGraphData } from './stageGraph';

/** The most stages mlc loads from one workspace (each file is capped too, see expandStages). */
export const MAX_STAGES_PER_WORKSPACE = 100_000;

export interface Workspace {
  root: string;
  pipelines: Pipeline[];
  graph: StageGraph;
  problems: Problem[];
}

/**
 * Every pipeline below `root`, parsed (unsaved editor texts from `overrides` win over the disk),
 * joined into one stage graph, and checked across files: outputs claimed twice, cycles, params,
 * dependencies that are neither on disk nor produced by any stage, outs that are not the stage's
 * to delete (outside the workspace, the repository's or mlc's files, its own inputs), and the lock
 * files beside the pipelines (a lock file mlc cannot read is an error: nothing may run and
 * overwrite it). Never throws.
 */
export function loadWorkspace(fs: FileSystem, root: string, options: LoadWorkspaceOptions = {}): Workspace {
  return workspaceFrom(fs, checkPipelines(fs, root, options), options.clock);
}

/**
 * loadWorkspace's work but the lock files: plain data (no closures), a function of what it read
 * through `fs` alone, so that the CLI can persist it and reuse it while every file-system answer
 * it depended on still holds (parsedWorkspaceCache.ts).
 */
export interface CheckedPipelines {
  readonly root: string;
  readonly pipelines: Pipeline[];
  readonly graph: StageGraphData;
  /** The problems of the pipelines and of the checks across files (not of the lock files). */
  readonly problems: Problem[];
}

export type LoadWorkspaceOptions = WalkOptions & {
  overrides?: ReadonlyMap<string, string>;
  /** Default MAX_STAGES_PER_WORKSPACE. */
  maxStages?: number;
  /**
   * Parses one pipeline file from the disk (files with an override are parsed here); default
   * parsePipelineFile. The CLI passes one that reuses results persisted under .mlc/cache.
   */
  parsePipeline?: (fs: FileSystem, file: string) => ReturnType<typeof parsePipelineFile>;
  /** Lets an unchanged lock file be checked with a stat alone (readLockFile); else it is read. */
  clock?: Clock;
};

/**
 * The workspace of pipelines checked by checkPipelines: the graph built, the lock files read and
 * checked (`clock` as in LoadWorkspaceOptions).
 */
export function workspaceFrom(fs: FileSystem, checked: CheckedPipelines, clock?: Clock): Workspace {
  const { root, pipelines } = checked;
  return {
    root,
    pipelines,
    graph: stageGraphFrom(pipelines, root, checked.graph),
    problems: tidyProblems([...checked.problems, ...checkLockFiles(fs, pipelines, clock)]),
  };
}

/** Every pipeline below `root` parsed, joined into a stage graph and checked across files (loadWorkspace but the lock files). */
export function checkPipelines(fs: FileSystem, root: string, options: LoadWorkspaceOptions = {}): CheckedPipelines {
  const workspaceRoot = normalize(root);
  const files = new Set(discoverPipelines(fs, workspaceRoot, options));
  // An unsaved new file is a pipeline too.
  for (const file of options.overrides?.keys() ?? []) if (file.startsWith(`${workspaceRoot}/`)) files.add(file);
  const problems: Problem[] = [];
  const pipelines: Pipeline[] = [];
  const maxStages = options.maxStages ?? MAX_STAGES_PER_WORKSPACE;
  let stageCount = 0;
  for (const file of [...files].sort()) {
    const override = options.overrides?.get(file);
    const parsed =
      override === undefined && options.parsePipeline
        ? options.parsePipeline(fs, file)
        : parsePipelineFile(fs, file, override);
    problems.push(...parsed.problems);
    stageCount += parsed.pipeline.stages.length;
    if (stageCount > maxStages) {
      // Each file is capped while it expands; this bounds the whole graph, status and runs.
      const message = `The workspace has more than ${maxStages.toLocaleString('en')} stages with this file; mlc leaves its stages out. Open a smaller folder, or split the workspace.`;
      problems.push(problemAt(file, undefined, 'error', 'expansionTooLarge', message));
      pipelines.push({ ...parsed.pipeline, stages: [] });
      stageCount -= parsed.pipeline.stages.length;
      continue;
    }
    pipelines.push(parsed.pipeline);
  }
  const { data: graph, problems: graphProblems } = stageGraphData(pipelines, workspaceRoot);
  problems.push(...graphProblems);
  const stages = pipelines.flatMap((pipeline) => pipeline.stages);
  const outputs = new OutputIndex(stages);
  problems.push(...checkStageParams(fs, stages, outputs));
  problems.push(...checkDependencies(fs, stages, outputs));
  problems.push(...checkOutsOwned(fs, workspaceRoot, pipelines));
  return { root: workspaceRoot, pipelines, graph, problems };
}

function checkDependencies(fs: FileSystem, stages: Pipeline['stages'], outputs: OutputIndex): Problem[] {
  const problems: Problem[] = [];
  const exists = new Map<string, boolean>();
  for (const stage of stages) {
    for (const dep of stage.deps) {
      const path = absoluteStagePath(stage, dep.path);
      // A produced dependency needs no stat: asking the index first saves one per chained stage.
      if (outputs.producers(path).length > 0) continue;
      let onDisk = exists.get(path);
      if (onDisk === undefined) {
        onDisk = fs.stat(path) !== undefined;
        exists.set(path, onDisk);
      }
      if (onDisk) continue;
      const unusable = fs.unusableReason?.(path);
      const what = unusable === undefined ? 'does not exist' : `cannot be read (${unusable})`;
      problems.push({
        file: stage.pipelineFile,
        ...dep.position,
        severity: 'warning',
        code: 'missingDependency',
        message: `The dependency '${dep.path}' of stage '${stage.group ?? stage.name}' ${what} and no stage produces it; create it, add the stage that writes it, or fix the path.`,
      });
    }
  }
  return problems;
}

function checkOutsOwned(fs: FileSystem, root: string, pipelines: readonly Pipeline[]): Problem[] {
  const templateFiles = pipelines.flatMap((pipeline) =>
    Object.keys(pipeline.templateParams).map((file) => join(pipeline.root, file)),
  );
  const rules = outOwnershipRules(
    fs,
    root,
    pipelines.map((pipeline) => pipeline.file),
    templateFiles,
  );
  const problems: Problem[] = [];
  for (const pipeline of pipelines) {
    for (const stage of pipeline.stages) {
      for (const out of stage.outs) {
        const refusal = checkOutOwnership(fs, rules, stage, out);
        if (!refusal) continue;
        problems.push({
          file: stage.pipelineFile,
          ...out.position,
          severity: 'error',
          code: refusal.code,
          message: `The out '${out.path}' of stage '${stage.name}' ${refusal.reason}; mlc deletes outs before a stage runs, so list only files and folders the stage itself writes inside the workspace.`,
        });
      }
    }
  }
  return problems;
}
