import type { Problem } from '../problems';
import type { Pipeline, Stage } from './model';
import { absoluteStagePath, OutputIndex } from './outputIndex';
import { fileAddressPrefix } from './stageAddress';

export { findStages, matchTarget } from './findStages';
export { absoluteStagePath } from './outputIndex';
export { stageAddress } from './stageAddress';

/**
 * The stage graph across pipeline files: an edge runs from a stage producing an output to every
 * stage depending on it. Paths are compared after resolving each against its stage's wdir; a dep
 * on a folder depends on the outputs inside it, and a dep inside an output folder depends on that
 * output. Stages are kept in topological order, ties broken by file order.
 */
export interface StageGraph {
  readonly stages: readonly Stage[];
  readonly edges: readonly (readonly [from: string, to: string])[];
  address(stage: Stage): string;
  get(address: string): Stage | undefined;
  upstream(address: string): string[];
  downstream(address: string): string[];
  /** The stages directly above, in topological order (one list per stage, shared by every call). */
  dependencies(address: string): readonly string[];
  components(): string[][];
  /** Stages grouped by depth: the stages of one level never depend on each other, so they can run in parallel. */
  levels(): string[][];
}

export function buildStageGraph(
  pipelines: readonly Pipeline[],
  root: string,
): { graph: StageGraph; problems: Problem[] } {
  const { data, problems } = stageGraphData(pipelines, root);
  return { graph: stageGraphFrom(pipelines, root, data), problems };
}

/**
 * What buildStageGraph computes, as plain data (no closures, no Sets) so that it can be persisted
 * with the pipelines it was computed from (the CLI's parse cache) and turned back into a graph by
 * stageGraphFrom without resolving a single path again.
 */
export interface StageGraphData {
  /** The address of each stage, in file order (the order of `pipelines.flatMap(p => p.stages)`). */
  readonly addresses: readonly string[];
  /** Stage indices in topological order. */
  readonly order: readonly number[];
  /** For each stage index, the indices of the stages depending on it. */
  readonly successors: readonly (readonly number[])[];
}

/** The edges, order and addresses of the stage graph of `pipelines`, with its problems. */
export function stageGraphData(
  pipelines: readonly Pipeline[],
  root: string,
): { data: StageGraphData; problems: Problem[] } {
  const problems: Problem[] = [];
  const files = pipelines.map((pipeline) => pipeline.file);
  const stages = pipelines.flatMap((pipeline) => pipeline.stages);
  const prefixes = new Map(files.map((file) => [file, fileAddressPrefix(file, root, files)]));
  const addresses = stages.map(
    (stage) => `${prefixes.get(stage.pipelineFile) ?? fileAddressPrefix(stage.pipelineFile, root, files)}${stage.name}`,
  );

  const outputs = new OutputIndex(stages);
  reportOutputClaims(stages, addresses, outputs, problems);
  const successors: Array<Set<number>> = stages.map(() => new Set());
  const predecessors: Array<Set<number>> = stages.map(() => new Set());
  const link = (from: number, to: number) => {
    if (from === to) return;
    successors[from]!.add(to);
    predecessors[to]!.add(from);
  };
  for (const [index, stage] of stages.entries()) {
    for (const dep of stage.deps) {
      for (const claim of outputs.producers(absoluteStagePath(stage, dep.path))) link(claim.stage, index);
    }
  }
  const order = topologicalOrder(stages, successors, predecessors, addresses, problems);
  return { data: { addresses, order, successors: successors.map((next) => [...next]) }, problems };
}

/** The graph of `pipelines` from its data (stageGraphData of the same pipelines and root). */
export function stageGraphFrom(pipelines: readonly Pipeline[], root: string, data: StageGraphData): StageGraph {
  const { addresses, order } = data;
  const files = pipelines.map((pipeline) => pipeline.file);
  const stages = pipelines.flatMap((pipeline) => pipeline.stages);
  const successors = data.successors.map((next) => new Set(next));
  const predecessors: Array<Set<number>> = stages.map(() => new Set());
  for (const [from, next] of data.successors.entries()) for (const to of next) predecessors[to]!.add(from);
  const rank = new Array<number>(stages.length);
  for (const [position, index] of order.entries()) rank[index] = position;
  const byAddress = new Map<string, number>();
  for (const [index, address] of addresses.entries()) if (!byAddress.has(address)) byAddress.set(address, index);
  const byStage = new Map(stages.map((stage, index) => [stage, index]));
  const sortByRank = (indices: Iterable<number>) =>
    [...indices].sort((a, b) => rank[a]! - rank[b]!).map((index) => addresses[index]!);
  const dependencyLists: Array<readonly string[] | undefined> = [];
  const reach = (address: string, next: Array<Set<number>>) => {
    const start = byAddress.get(address);
    if (start === undefined) return [];
    const seen = new Set<number>();
    const stack = [start];
    while (stack.length > 0) {
      for (const neighbour of next[stack.pop()!]!) {
        if (neighbour === start || seen.has(neighbour)) continue;
        seen.add(neighbour);
        stack.push(neighbour);
      }
    }
    return sortByRank(seen);
  };

  // Built on first use: a run or a status never asks for the edge list (mlc dag and the graph panel do).
  let edges: Array<readonly [string, string]> | undefined;
  const edgeList = () => {
    if (edges) return edges;
    edges = [];
    for (const from of order) for (const to of sortByRank(successors[from]!)) edges.push([addresses[from]!, to]);
    return edges;
  };

  const graph: StageGraph = {
    stages: order.map((index) => stages[index]!),
    get edges() {
      return edgeList();
    },
    address: (stage) => {
      const index = byStage.get(stage);
      return index === undefined
        ? `${fileAddressPrefix(stage.pipelineFile, root, files)}${stage.name}`
        : addresses[index]!;
    },
    get: (address) => {
      const index = byAddress.get(address);
      return index === undefined ? undefined : stages[index];
    },
    upstream: (address) => reach(address, predecessors),
    downstream: (address) => reach(address, successors),
    dependencies: (address) => {
      const index = byAddress.get(address);
      if (index === undefined) return [];
      // Asked for twice per stage by a run (its scheduler nodes, then status): sorted once.
      return (dependencyLists[index] ??= sortByRank(predecessors[index]!));
    },
    components: () =>
      weakComponents(stages.length, successors)
        .map((members) => sortByRank(members))
        .sort((a, b) => byRank(a, b)),
    levels: () => levelsOf(order, predecessors, addresses),
  };
  function byRank(a: string[], b: string[]): number {
    return rank[byAddress.get(a[0]!)!]! - rank[byAddress.get(b[0]!)!]!;
  }
  return graph;
}

/** Each output path belongs to one stage; a second claim, or an output inside another's output folder, is a problem. */
function reportOutputClaims(
  stages: readonly Stage[],
  addresses: readonly string[],
  outputs: OutputIndex,
  problems: Problem[],
): void {
  for (const { claim, previous } of outputs.duplicates) {
    const stage = stages[claim.stage]!;
    const other =
      previous.stage === claim.stage
        ? 'this stage already lists it'
        : `stage '${addresses[previous.stage]}' already writes it`;
    problems.push({
      file: stage.pipelineFile,
      ...claim.output.position,
      severity: 'error',
      code: 'duplicateOutput',
      message: `The output '${claim.output.path}' is claimed twice: ${other}. Each output must belong to exactly one stage.`,
    });
  }
  for (const [path, claim] of outputs.claims) {
    const outer = outputs.enclosing(path);
    if (!outer || outer.stage === claim.stage) continue;
    const stage = stages[claim.stage]!;
    problems.push({
      file: stage.pipelineFile,
      ...claim.output.position,
      severity: 'error',
      code: 'overlappingOutput',
      message: `The output '${claim.output.path}' is inside '${outer.output.path}', an output of stage '${addresses[outer.stage]}'; outputs of different stages cannot overlap.`,
    });
  }
}

/** Kahn's algorithm taking the ready stage that comes first in the files; stages on a cycle go last. */
function topologicalOrder(
  stages: readonly Stage[],
  successors: ReadonlyArray<Set<number>>,
  predecessors: ReadonlyArray<Set<number>>,
  addresses: readonly string[],
  problems: Problem[],
): number[] {
  const remaining = predecessors.map((set) => set.size);
  const ready = new MinHeap();
  for (const [index, count] of remaining.entries()) if (count === 0) ready.push(index);
  const order: number[] = [];
  while (ready.size > 0) {
    const index = ready.pop();
    order.push(index);
    for (const next of successors[index]!) if (--remaining[next]! === 0) ready.push(next);
  }
  if (order.length === stages.length) return order;
  const placed = new Set(order);
  const reported = new Set<number>();
  for (let index = 0; index < stages.length; index++) {
    if (placed.has(index) || reported.has(index)) continue;
    const cycle = findCycle(index, successors, placed);
    if (!cycle) continue;
    for (const member of cycle) reported.add(member);
    const stage = stages[cycle[0]!]!;
    const path = [...cycle, cycle[0]!].map((member) => addresses[member]).join(' -> ');
    problems.push({
      file: stage.pipelineFile,
      ...stage.position,
      severity: 'error',
      code: 'cycle',
      message: `The stages form a cycle: ${path}. Remove one of these dependencies.`,
    });
  }
  for (let index = 0; index < stages.length; index++) if (!placed.has(index)) order.push(index);
  return order;
}

/** A shortest cycle through `start` among unplaced stages (breadth-first back to start), if any. */
function findCycle(
  start: number,
  successors: ReadonlyArray<Set<number>>,
  placed: ReadonlySet<number>,
): number[] | undefined {
  const parent = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head]!;
    for (const next of successors[current]!) {
      if (placed.has(next)) continue;
      if (next === start) {
        const cycle = [current];
        while (cycle[0] !== start) cycle.unshift(parent.get(cycle[0]!)!);
        return cycle;
      }
      if (parent.has(next)) continue;
      parent.set(next, current);
      queue.push(next);
    }
  }
  return undefined;
}

function weakComponents(count: number, successors: ReadonlyArray<Set<number>>): number[][] {
  const parent = Array.from({ length: count }, (_, index) => index);
  const find = (index: number): number => {
    while (parent[index] !== index) {
      parent[index] = parent[parent[index]!]!;
      index = parent[index]!;
    }
    return index;
  };
  for (const [from, targets] of successors.entries()) for (const to of targets) parent[find(from)] = find(to);
  const groups = new Map<number, number[]>();
  for (let index = 0; index < count; index++) {
    const key = find(index);
    const group = groups.get(key) ?? [];
    group.push(index);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function levelsOf(
  order: readonly number[],
  predecessors: ReadonlyArray<Set<number>>,
  addresses: readonly string[],
): string[][] {
  const depth = new Map<number, number>();
  const levels: string[][] = [];
  for (const index of order) {
    let level = 0;
    for (const before of predecessors[index]!) level = Math.max(level, (depth.get(before) ?? -1) + 1);
    depth.set(index, level);
    (levels[level] ??= []).push(addresses[index]!);
  }
  return levels;
}

/** A binary min-heap of stage indices (file order), so the topological order is stable. */
class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(value: number): void {
    const items = this.items;
    items.push(value);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]! <= value) break;
      items[index] = items[parent]!;
      index = parent;
    }
    items[index] = value;
  }
  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]! < items[left]! ? right : left;
      if (items[child]! >= last) break;
      items[index] = items[child]!;
      index = child;
    }
    items[index] = last;
    return top;
  }
}
