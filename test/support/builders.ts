import { dirname } from 'pathe';
import type { Output, ParamDependency, Stage } from '../../src/engine/pipeline/model';

/**
 * Test-data builders (ARCHITECTURE-GUIDE.md, "Tests"): `aStage({ name: 'train', deps: ['data.csv'] })`
 * gives a complete, already-expanded Stage with sensible defaults. Paths are relative to the
 * stage's wdir, which defaults to the pipeline file's folder.
 */
export interface StageSpec {
  readonly name?: string;
  readonly pipelineFile?: string;
  readonly cmd?: string | readonly string[];
  readonly wdir?: string;
  readonly deps?: readonly string[];
  /** `['lr', 'train.epochs']` for params.yaml keys, or `{ 'conf.json': ['batch'] }` / `{ 'x.toml': 'all' }`. */
  readonly params?: ReadonlyArray<string | Readonly<Record<string, readonly string[] | 'all'>>>;
  readonly outs?: ReadonlyArray<string | (Partial<Output> & { path: string })>;
  readonly frozen?: boolean;
  readonly alwaysChanged?: boolean;
}

const position = { line: 1, column: 1 };

export function aStage(spec: StageSpec = {}): Stage {
  const pipelineFile = spec.pipelineFile ?? '/ws/dvc.yaml';
  const params: ParamDependency[] = [];
  const defaultKeys = (spec.params ?? []).filter((item): item is string => typeof item === 'string');
  if (defaultKeys.length > 0) params.push({ file: 'params.yaml', keys: defaultKeys, position });
  for (const item of spec.params ?? []) {
    if (typeof item === 'string') continue;
    for (const [file, keys] of Object.entries(item)) params.push({ file, keys, position });
  }
  return {
    name: spec.name ?? 'train',
    pipelineFile,
    cmd: spec.cmd ?? `python ${spec.name ?? 'train'}.py`,
    wdir: spec.wdir ?? dirname(pipelineFile),
    deps: (spec.deps ?? []).map((path) => ({ path, position })),
    params,
    outs: (spec.outs ?? []).map((out) =>
      typeof out === 'string'
        ? { path: out, position, kind: 'out', cache: true, persist: false }
        : { position, kind: 'out', cache: true, persist: false, ...out },
    ),
    frozen: spec.frozen ?? false,
    alwaysChanged: spec.alwaysChanged ?? false,
    retries: 0,
    env: {},
    position,
  };
}

/**
 * A minimal stage graph for status tests: stages in the given (topological) order, addressed by
 * name, with an edge wherever a stage's dep path equals an earlier stage's out path.
 */
export function aStageGraph(stages: readonly Stage[]) {
  const byAddress = new Map(stages.map((stage) => [stage.name, stage]));
  const dependencies = (address: string): string[] => {
    const stage = byAddress.get(address);
    if (!stage) return [];
    const producers = stages.filter(
      (other) => other !== stage && other.outs.some((out) => stage.deps.some((dep) => dep.path === out.path)),
    );
    return producers.map((producer) => producer.name);
  };
  const upstream = (address: string): string[] => {
    const seen = new Set<string>();
    const pending = dependencies(address);
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      pending.push(...dependencies(next));
    }
    return stages.map((stage) => stage.name).filter((name) => seen.has(name));
  };
  return {
    stages,
    address: (stage: Stage) => stage.name,
    get: (address: string) => byAddress.get(address),
    dependencies,
    upstream,
  };
}
