import type { Stage } from '../pipeline/model';

/** The states `mlc status` reports (PRODUCT.md). */
export type StageState = 'up-to-date' | 'changed' | 'never-run' | 'frozen' | 'running';

export interface StageStatusView {
  readonly state: StageState;
  /** Human reasons (`changed deps: data.csv modified`, `never run`). */
  readonly reasons: readonly string[];
}

/** One stage of the workspace as the scheduler sees it; nodes come in topological order. */
export interface SchedulerNode {
  readonly address: string;
  readonly stage: Stage;
  /** Addresses of the stages whose outs this stage depends on. */
  readonly upstream: readonly string[];
}

export interface PlannedStage {
  readonly address: string;
  readonly stage: Stage;
  /** Planned stages this one waits for. */
  readonly upstream: readonly string[];
  readonly reasons: readonly string[];
  /**
   * True when the stage runs whatever happens upstream (it changed, never ran, or is forced).
   * False when it is planned only because an upstream stage runs: its status is checked again
   * when its turn comes, so an upstream that rewrote identical outs does not cascade (as DVC).
   */
  readonly definite: boolean;
}

export interface RunPlan {
  /** In topological order. */
  readonly stages: readonly PlannedStage[];
  readonly upToDate: readonly string[];
  /** Frozen stages that were selected but do not run. */
  readonly frozen: readonly string[];
}

export interface PlanOptions {
  /** Addresses to bring up to date with their upstream; empty = every stage. */
  readonly targets: readonly string[];
  /**
   * Run the selected stages even when up to date. As `dvc repro -f`: every stage of the selection
   * (the targets and everything upstream of them) is forced, frozen ones included.
   */
  readonly force: boolean;
}

/**
 * Decides which stages a run executes and why: the targets and their upstream closure, in
 * topological order, keeping those that changed, never ran, are forced, or sit below one that runs.
 */
export function planRun(
  nodes: readonly SchedulerNode[],
  statuses: ReadonlyMap<string, StageStatusView>,
  options: PlanOptions,
): RunPlan {
  const selected = options.targets.length > 0 ? new Set(upstreamClosure(nodes, options.targets)) : undefined;
  const planned = new Set<string>();
  const stages: PlannedStage[] = [];
  const upToDate: string[] = [];
  const frozen: string[] = [];
  for (const node of nodes) {
    if (selected && !selected.has(node.address)) continue;
    const status = statuses.get(node.address);
    const upstream = node.upstream.filter((address) => planned.has(address));
    const add = (reasons: readonly string[], definite: boolean) => {
      planned.add(node.address);
      stages.push({ address: node.address, stage: node.stage, upstream, reasons, definite });
    };
    if (options.force) {
      add(['forced (--force)'], true);
    } else if (node.stage.frozen || status?.state === 'frozen') {
      frozen.push(node.address);
    } else if (!status || status.state !== 'up-to-date') {
      add(status && status.reasons.length > 0 ? status.reasons : [status?.state ?? 'status unknown'], true);
    } else if (upstream.length > 0) {
      add(
        upstream.map((address) => `upstream stage ${address} runs first`),
        false,
      );
    } else {
      upToDate.push(node.address);
    }
  }
  return { stages, upToDate, frozen };
}

/** The targets and every stage they depend on, directly or not. */
export function upstreamClosure(nodes: readonly SchedulerNode[], targets: readonly string[]): string[] {
  const byAddress = new Map(nodes.map((node) => [node.address, node]));
  const selected = new Set<string>();
  const pending = [...targets];
  while (pending.length > 0) {
    const address = pending.pop()!;
    if (selected.has(address)) continue;
    selected.add(address);
    pending.push(...(byAddress.get(address)?.upstream ?? []));
  }
  return [...selected];
}
