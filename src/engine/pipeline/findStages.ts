import type { Stage } from './model';
import type { StageGraph } from './stageGraph';

export interface TargetMatch {
  readonly stages: Stage[];
  /** For a bare name found in several pipeline files: their addresses, so the caller can ask which. */
  readonly ambiguous: string[];
}

/**
 * Resolves a target as written on the command line: a stage address (`train`, `dvc.yaml:train`,
 * `sub/dvc.yaml:train@cnn`), a foreach/matrix group (`train` selects every `train@…`), a bare name
 * when it is unique across files, or a pipeline file (all its stages). Graph order is kept.
 */
export function matchTarget(graph: StageGraph, target: string): TargetMatch {
  const trimmed = target.trim().replace(/^\.\//, '');
  const exact = graph.get(trimmed);
  if (exact) return { stages: [exact], ambiguous: [] };
  const byGroupAddress: Stage[] = [];
  const byFileAndName: Stage[] = [];
  const byFile: Stage[] = [];
  const byBareName: Stage[] = [];
  for (const stage of graph.stages) {
    const address = graph.address(stage);
    const prefix = address.slice(0, address.length - stage.name.length);
    if (stage.group !== undefined && `${prefix}${stage.group}` === trimmed) byGroupAddress.push(stage);
    const relativeFile = relativeFileOf(stage, prefix);
    for (const file of [relativeFile, stage.pipelineFile]) {
      if (file === undefined) continue;
      if (trimmed === file) byFile.push(stage);
      else if (
        trimmed === `${file}:${stage.name}` ||
        (stage.group !== undefined && trimmed === `${file}:${stage.group}`)
      )
        byFileAndName.push(stage);
    }
    if (trimmed === stage.name || trimmed === stage.group) byBareName.push(stage);
  }
  for (const found of [byGroupAddress, byFileAndName, byFile])
    if (found.length > 0) return { stages: unique(found), ambiguous: [] };
  const files = new Set(byBareName.map((stage) => stage.pipelineFile));
  if (files.size === 1) return { stages: byBareName, ambiguous: [] };
  const ambiguous = [...files].map((file) => {
    const first = byBareName.find((stage) => stage.pipelineFile === file)!;
    const address = graph.address(first);
    return `${address.slice(0, address.length - first.name.length)}${trimmed}`;
  });
  return { stages: [], ambiguous };
}

/** The stages a target selects; [] when nothing (or more than one file's stages by a bare name) matches. */
export function findStages(graph: StageGraph, target: string): Stage[] {
  return matchTarget(graph, target).stages;
}

/** The pipeline file relative to the workspace root, read back from the address prefix (`sub/dvc.yaml:`). */
function relativeFileOf(stage: Stage, prefix: string): string | undefined {
  if (prefix.endsWith(':')) return prefix.slice(0, -1);
  const slash = stage.pipelineFile.lastIndexOf('/');
  return stage.pipelineFile.slice(slash + 1);
}

function unique(stages: Stage[]): Stage[] {
  return [...new Set(stages)];
}
