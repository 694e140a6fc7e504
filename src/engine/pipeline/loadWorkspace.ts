import { normalize } from 'pathe';
import type { FileSystem } from '../ports';
import type { Problem } from '../problems';
import type { WalkOptions } from '../workspace/walkWorkspace';
import { checkStageParams } from './checkStageParams';
import { discoverPipelines } from './discoverPipelines';
import { parsePipelineFile, tidyProblems } from './loadPipeline';
import type { Pipeline } from './model';
import { absoluteStagePath, OutputIndex } from './outputIndex';
import { buildStageGraph, type StageGraph } from './stageGraph';

export interface Workspace {
  root: string;
  pipelines: Pipeline[];
  graph: StageGraph;
  problems: Problem[];
}

/**
 * Every pipeline below `root`, parsed (unsaved editor texts from `overrides` win over the disk),
 * joined into one stage graph, and checked across files: outputs claimed twice, cycles, params,
 * and dependencies that are neither on disk nor produced by any stage. Never throws.
 */
export function loadWorkspace(
  fs: FileSystem,
  root: string,
  options: WalkOptions & { overrides?: ReadonlyMap<string, string> } = {},
): Workspace {
  const workspaceRoot = normalize(root);
  const files = new Set(discoverPipelines(fs, workspaceRoot, options));
  // An unsaved new file is a pipeline too.
  for (const file of options.overrides?.keys() ?? []) if (file.startsWith(`${workspaceRoot}/`)) files.add(file);
  const problems: Problem[] = [];
  const pipelines: Pipeline[] = [];
  for (const file of [...files].sort()) {
    const parsed = parsePipelineFile(fs, file, options.overrides?.get(file));
    pipelines.push(parsed.pipeline);
    problems.push(...parsed.problems);
  }
  const { graph, problems: graphProblems } = buildStageGraph(pipelines, workspaceRoot);
  problems.push(...graphProblems);
  const stages = pipelines.flatMap((pipeline) => pipeline.stages);
  const outputs = new OutputIndex(stages);
  problems.push(...checkStageParams(fs, stages, outputs));
  problems.push(...checkDependencies(fs, stages, outputs));
  return { root: workspaceRoot, pipelines, graph, problems: tidyProblems(problems) };
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
