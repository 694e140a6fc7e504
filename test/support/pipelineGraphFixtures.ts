import {
  GRAPH_NODE_STATES,
  type GraphGroup,
  type GraphNode,
  type PipelineGraph,
} from '../../src/protocol/pipelineGraph';

/** A seeded PRNG (mulberry32), so a generated graph is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A pipeline-shaped DAG of `stageCount` stages for tests and benchmarks: stages in layers (about
 * as deep as real pipelines get wide), each depending on one to three stages of the previous two
 * layers, every eighth stage a foreach group of four, spread over `fileCount` files, states and
 * reasons mixed. Deterministic for a given seed.
 */
export function generatePipelineGraph(
  stageCount: number,
  options: { fileCount?: number; seed?: number } = {},
): PipelineGraph {
  const random = seededRandom(options.seed ?? 12);
  const fileCount = options.fileCount ?? Math.max(1, Math.round(stageCount / 100));
  const files = Array.from({ length: fileCount }, (_, index) => (index === 0 ? 'mlc.yaml' : `part${index}/dvc.yaml`));
  const layerWidth = Math.max(2, Math.round(Math.sqrt(stageCount) / 1.5));
  const nodes: GraphNode[] = [];
  const edges: Array<readonly [string, string]> = [];
  const groups: GraphGroup[] = [];
  const layers: string[][] = [];
  let created = 0;
  let stageNumber = 0;
  while (created < stageCount) {
    const layer: string[] = [];
    const previous = [...(layers.at(-1) ?? []), ...(layers.at(-2) ?? [])];
    for (let slot = 0; slot < layerWidth && created < stageCount; slot++) {
      const name = `stage${stageNumber++}`;
      const file = Math.floor((layers.length * layerWidth + slot) / Math.ceil(stageCount / fileCount)) % fileCount;
      const prefix = file === 0 ? '' : `${files[file]}:`;
      const isGroup = stageNumber % 8 === 0 && created + 4 <= stageCount;
      const names = isGroup ? ['a', 'b', 'c', 'd'].map((key) => `${name}@${key}`) : [name];
      const deps =
        previous.length === 0
          ? []
          : [
              ...new Set(
                Array.from(
                  { length: 1 + Math.floor(random() * 3) },
                  () => previous[Math.floor(random() * previous.length)]!,
                ),
              ),
            ];
      const members = names.map((label, index) => {
        const state = GRAPH_NODE_STATES[Math.floor(random() * (GRAPH_NODE_STATES.length - 1))]!;
        const id = `${prefix}${label}`;
        nodes.push({
          id,
          label,
          file,
          line: 1 + created * 6 + index,
          state,
          reasons: state === 'changed' ? [`dep data/${label}.csv modified`] : [],
          ...(isGroup ? { group: `${file}:${name}` } : {}),
        });
        for (const dep of deps) edges.push([dep, id]);
        return id;
      });
      if (isGroup) groups.push({ id: `${file}:${name}`, label: name, file, members });
      layer.push(...members);
      created += members.length;
    }
    layers.push(layer);
  }
  return { files, nodes, edges, groups };
}
