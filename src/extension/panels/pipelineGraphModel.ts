/**
 * The Pipeline Graph's model, built on the host from the engine's stage graph (the same edges
 * `mlc run` plans with): nodes in topological order with their live state, edges, the foreach/
 * matrix groups they were expanded from, and the files they live in. Pure (no `vscode`), so it
 * is unit-tested; the layout happens in the webview.
 */
import { relative } from 'pathe';
import type { Pipeline } from '../../engine/pipeline/model';
import { buildStageGraph } from '../../engine/pipeline/stageGraph';
import type { GraphGroup, GraphNode, GraphNodeState, PipelineGraph } from '../../protocol/pipelineGraph';
import type { StageState } from '../presentation';

/** One workspace root's pipelines, as the workspace state holds them (`WorkspaceView`). */
export interface GraphSource {
  readonly root: string;
  readonly pipelines: readonly Pipeline[];
}

export interface StageStateOf {
  readonly state: StageState;
  readonly reasons: readonly string[];
}

/** The Pipelines view's state is the node's state: the two sets are the same (a test checks it). */
export const graphNodeState = (state: StageState): GraphNodeState => state;

/**
 * The graph of every root's pipelines. `stateOf(root, address)` gives the state the Pipelines
 * view shows; a stage it does not know yet is `unknown` ("checking…"). With several roots, a file
 * is named `<root folder>/<file>`; a stage address that two roots share is kept once (the first
 * root's), since addresses are what the run and open actions name.
 */
export function buildPipelineGraph(
  sources: readonly GraphSource[],
  stateOf: (root: string, address: string) => StageStateOf | undefined,
): PipelineGraph {
  const files: string[] = [];
  const nodes: GraphNode[] = [];
  const edges: Array<readonly [string, string]> = [];
  const groups = new Map<string, { id: string; label: string; file: number; members: string[] }>();
  const seen = new Set<string>();
  for (const source of sources) {
    const fileIndex = new Map<string, number>();
    for (const pipeline of source.pipelines) {
      const path = relative(source.root, pipeline.file);
      fileIndex.set(pipeline.file, files.length);
      files.push(sources.length > 1 ? `${source.root.split('/').at(-1)}/${path}` : path);
    }
    const { graph } = buildStageGraph(source.pipelines, source.root);
    const kept = new Set<string>();
    for (const stage of graph.stages) {
      const address = graph.address(stage);
      if (seen.has(address)) continue;
      seen.add(address);
      kept.add(address);
      const file = fileIndex.get(stage.pipelineFile) ?? 0;
      const known = stateOf(source.root, address);
      const groupId = stage.group === undefined ? undefined : `${file}:${stage.group}`;
      if (groupId !== undefined) {
        const group = groups.get(groupId) ?? { id: groupId, label: stage.group!, file, members: [] };
        group.members.push(address);
        groups.set(groupId, group);
      }
      nodes.push({
        id: address,
        label: stage.name,
        file,
        line: stage.position.line,
        state: graphNodeState(known?.state ?? 'unknown'),
        reasons: known?.reasons ?? [],
        ...(groupId === undefined ? {} : { group: groupId }),
        ...(stage.desc ? { desc: stage.desc } : {}),
      });
    }
    for (const [from, to] of graph.edges) if (kept.has(from) && kept.has(to)) edges.push([from, to]);
  }
  return { files, nodes, edges, groups: [...groups.values()] satisfies GraphGroup[] };
}

/** The stage and every stage downstream of it (what "Run downstream" runs), from the engine's graph. */
export function downstreamTargets(source: GraphSource, address: string): string[] {
  const { graph } = buildStageGraph(source.pipelines, source.root);
  return graph.get(address) ? [address, ...graph.downstream(address)] : [];
}
