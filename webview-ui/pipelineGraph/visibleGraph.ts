/**
 * What the Pipeline Graph draws, from the host's graph and the page's choices: one file or all,
 * and which foreach/matrix groups are collapsed into one node. Pure, so it is unit-tested.
 */
import type { GraphGroup, GraphNode, GraphNodeState, PipelineGraph } from '../../src/protocol/pipelineGraph';

export interface VisibleNode {
  /** A stage address, or a group id for a collapsed group. */
  readonly id: string;
  readonly label: string;
  readonly state: GraphNodeState;
  /** The stage this node stands for; undefined for a collapsed group. */
  readonly stage?: GraphNode;
  /** The group this node is (collapsed) or belongs to (expanded). */
  readonly group?: GraphGroup;
  readonly collapsed: boolean;
}

export interface VisibleGraph {
  readonly nodes: readonly VisibleNode[];
  readonly edges: readonly (readonly [from: string, to: string])[];
}

/**
 * The state a collapsed group shows: the one that most needs attention among its stages, so a
 * failed or changed member is never hidden by the collapse.
 */
const ATTENTION: readonly GraphNodeState[] = [
  'running',
  'queued',
  'failed',
  'changed',
  'never-run',
  'unknown',
  'up-to-date',
  'frozen',
];

export function groupState(states: readonly GraphNodeState[]): GraphNodeState {
  let best = ATTENTION.length - 1;
  for (const state of states) best = Math.min(best, ATTENTION.indexOf(state));
  return states.length === 0 ? 'unknown' : ATTENTION[best]!;
}

/**
 * The nodes and edges to lay out: stages of `file` (undefined = every file), each collapsed group
 * as one node in place of its members, edges redirected to the group node and deduplicated (an
 * edge inside a group disappears), edges to stages of other files left out.
 */
export function visibleGraph(
  graph: PipelineGraph,
  collapsed: ReadonlySet<string>,
  file: number | undefined,
): VisibleGraph {
  const groups = new Map(graph.groups.map((group) => [group.id, group]));
  const representative = new Map<string, string>();
  const nodes: VisibleNode[] = [];
  const groupStates = new Map<string, GraphNodeState[]>();
  for (const stage of graph.nodes) {
    if (file !== undefined && stage.file !== file) continue;
    const group = stage.group === undefined ? undefined : groups.get(stage.group);
    if (group && collapsed.has(group.id)) {
      representative.set(stage.id, group.id);
      const states = groupStates.get(group.id);
      if (states) {
        states.push(stage.state);
        continue;
      }
      groupStates.set(group.id, [stage.state]);
      // Placed where its first stage is, so the topological order holds.
      nodes.push({ id: group.id, label: group.label, state: stage.state, group, collapsed: true });
      continue;
    }
    representative.set(stage.id, stage.id);
    nodes.push({
      id: stage.id,
      label: stage.label,
      state: stage.state,
      stage,
      ...(group ? { group } : {}),
      collapsed: false,
    });
  }
  const shown = nodes.map((node) =>
    node.collapsed ? { ...node, state: groupState(groupStates.get(node.id) ?? []) } : node,
  );
  const edges: Array<readonly [string, string]> = [];
  const seen = new Set<string>();
  for (const [from, to] of graph.edges) {
    const source = representative.get(from);
    const target = representative.get(to);
    if (source === undefined || target === undefined || source === target) continue;
    const key = `${source}\n${target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push([source, target]);
  }
  return { nodes: shown, edges };
}
