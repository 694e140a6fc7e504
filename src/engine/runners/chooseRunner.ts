import type { RunnerConfig, Stage } from '../pipeline/model';

/** The built-in runner: this machine, whether or not mlc.yaml declares `local`. */
export const LOCAL_RUNNER: RunnerConfig = {
  name: 'local',
  type: 'local',
  options: {},
  position: { line: 0, column: 0 },
};

/** Where one stage runs: the runner, and for a Slurm cluster reached over SSH, that SSH runner. */
export interface RunnerPlacement {
  readonly runner: RunnerConfig;
  readonly via?: RunnerConfig;
}

export type RunnerChoice = ({ readonly ok: true } & RunnerPlacement) | { readonly ok: false; readonly message: string };

export interface RunnerSelection {
  /** `mlc run --runner NAME`: every selected stage runs there. */
  readonly override?: string;
  /** The setting `mlc.run.defaultRunner`: for stages without a `runner:` key. */
  readonly fallback?: string;
}

/**
 * The one rule for where a stage runs, shared by the CLI and the extension: `--runner` first, then
 * the stage's `runner:`, then the default runner setting, then this machine. A name is looked up
 * among the runners declared in the stage's own pipeline file; `local` always exists.
 */
export function chooseRunner(
  stage: Stage,
  declared: readonly RunnerConfig[],
  selection: RunnerSelection = {},
): RunnerChoice {
  const name = selection.override ?? stage.runner ?? selection.fallback ?? 'local';
  return placeRunner(name, declared, stage.pipelineFile);
}

/**
 * The runner called `name` among those declared in `pipelineFile` and, for a Slurm cluster
 * reached over SSH, that SSH runner (the Runners list checks each declared runner this way).
 */
export function placeRunner(name: string, declared: readonly RunnerConfig[], pipelineFile: string): RunnerChoice {
  const runner = findRunner(declared, name);
  if (!runner) {
    const known = ['local', ...declared.map((candidate) => candidate.name)];
    return {
      ok: false,
      message: `the runner '${name}' is not declared under runners in ${pipelineFile} (known: ${[...new Set(known)].join(', ')})`,
    };
  }
  if (runner.type !== 'slurm' || runner.options.via === undefined) return { ok: true, runner };
  const via = findRunner(declared, String(runner.options.via));
  if (via?.type === 'local') return { ok: true, runner };
  if (via?.type !== 'ssh') {
    return {
      ok: false,
      message: `the slurm runner '${runner.name}' is reached via '${String(runner.options.via)}', which must be an ssh runner declared under runners`,
    };
  }
  return { ok: true, runner, via };
}

function findRunner(declared: readonly RunnerConfig[], name: string): RunnerConfig | undefined {
  return declared.find((runner) => runner.name === name) ?? (name === 'local' ? LOCAL_RUNNER : undefined);
}
