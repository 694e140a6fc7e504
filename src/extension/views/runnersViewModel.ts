/**
 * The Runners group of the Pipelines view, without `vscode`: the ssh and slurm runners declared
 * in the workspace's pipeline files, each with what its last reachability check said, and which
 * of them a run's stages use (those are checked when the run starts).
 */
import type { Pipeline, RunnerConfig } from '../../engine/pipeline/model';
import { chooseRunner, placeRunner, type RunnerChoice } from '../../engine/runners/chooseRunner';
import type { RunnerReachability } from '../../node/runners/checkRunner';
import type { StageEntry } from '../engineServices';
import { TreeItemContext } from '../ids';
import type { TreeRow } from '../lifecycle/lifecycleViewModels';

export interface DeclaredRunner {
  /** `pipelineFile#name`: runners are declared per pipeline file, two files may reuse a name. */
  readonly key: string;
  readonly pipelineFile: string;
  readonly runner: RunnerConfig;
  /** The runner and, for a Slurm cluster reached over SSH, that SSH runner (or why not). */
  readonly placement: RunnerChoice;
}

export type RunnerCheckState =
  | { readonly state: 'checking' }
  | { readonly state: 'checked'; readonly result: RunnerReachability; readonly checkedAt: number };

const runnerKey = (pipelineFile: string, name: string) => `${pipelineFile}#${name}`;

/** The ssh and slurm runners of these pipeline files (`local` needs no check and is not listed). */
export function declaredRunners(pipelines: readonly Pipeline[]): DeclaredRunner[] {
  return pipelines.flatMap((pipeline) =>
    pipeline.runners
      .filter((runner) => runner.type !== 'local')
      .map((runner) => ({
        key: runnerKey(pipeline.file, runner.name),
        pipelineFile: pipeline.file,
        runner,
        placement: placeRunner(runner.name, pipeline.runners, pipeline.file),
      })),
  );
}

/**
 * The declared runners the `planned` stages run on, by the same rule as the run itself
 * (chooseRunner: the stage's `runner:`, else the default runner setting).
 */
export function runnersUsedBy(
  pipelines: readonly Pipeline[],
  stages: readonly StageEntry[],
  planned: readonly string[],
  defaultRunner: string,
): DeclaredRunner[] {
  const declared = declaredRunners(pipelines);
  const used = new Set<string>();
  for (const entry of stages) {
    if (!planned.includes(entry.address)) continue;
    const runners = pipelines.find((pipeline) => pipeline.file === entry.stage.pipelineFile)?.runners ?? [];
    const choice = chooseRunner(entry.stage, runners, { fallback: defaultRunner });
    if (choice.ok) used.add(runnerKey(entry.stage.pipelineFile, choice.runner.name));
  }
  return declared.filter((runner) => used.has(runner.key));
}

/** Where a runner points: `me@gpu-box:2222`, `partition gpu via login`. */
function runnerTarget(runner: RunnerConfig): string {
  const { host, user, port, partition, via } = runner.options;
  if (runner.type === 'ssh') {
    return `${user === undefined ? '' : `${String(user)}@`}${String(host ?? '?')}${port === undefined ? '' : `:${String(port)}`}`;
  }
  const parts = [
    partition === undefined ? 'default partition' : `partition ${String(partition)}`,
    via === undefined ? 'sbatch here' : `via ${String(via)}`,
  ];
  return parts.join(' ');
}

/** One runner's row: icon and description from its last check, the error text in the tooltip. */
export function runnerRow(
  declared: DeclaredRunner,
  check: RunnerCheckState | undefined,
  relativeFile: string,
): TreeRow {
  const { runner, placement } = declared;
  const base = { id: `runner:${declared.key}`, label: runner.name, contextValue: TreeItemContext.runner };
  const where = `${runner.type} · ${runnerTarget(runner)}`;
  const heading = `${runner.name} (${runner.type} runner, ${relativeFile})`;
  if (!placement.ok) {
    return {
      ...base,
      description: `${where} · misconfigured`,
      tooltip: `${heading}\n\n${placement.message}`,
      icon: 'warning',
      color: 'list.warningForeground',
    };
  }
  if (check === undefined) {
    return {
      ...base,
      description: `${where} · not checked`,
      tooltip: `${heading}\n\nNot checked yet: run "ML: Check Runners".`,
      icon: 'circle-large-outline',
    };
  }
  if (check.state === 'checking') {
    return { ...base, description: `${where} · checking…`, tooltip: `${heading}\n\nChecking…`, icon: 'loading~spin' };
  }
  const checkedAt = new Date(check.checkedAt).toLocaleTimeString();
  if (check.result.reachable) {
    return {
      ...base,
      description: `${where} · reachable`,
      tooltip: `${heading}\n\nReachable at ${checkedAt}: ${check.result.detail}`,
      icon: 'pass-filled',
      color: 'testing.iconPassed',
    };
  }
  return {
    ...base,
    description: `${where} · unreachable`,
    tooltip: `${heading}\n\nUnreachable at ${checkedAt}: ${check.result.message}`,
    icon: 'error',
    color: 'testing.iconFailed',
  };
}
