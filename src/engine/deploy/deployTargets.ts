import type { DeployTargetConfig, ModelConfig, Pipeline, RunnerConfig } from '../pipeline/model';
import type { FileSystem } from '../ports';
import { isSafeName, type ModelVersionRecord, type Outcome, type RegisteredModel } from '../registry/modelRegistry';
import {
  type CurrentDeployment,
  type DeploymentHistoryEntry,
  previousHealthyVersion,
  readCurrentDeployment,
  readDeploymentHistory,
} from './deploymentState';
import { type DeployHost, DeployHostError } from './ports';

/** A deploy target with the pipeline file declaring it (its folder is where the start command runs). */
export interface DeclaredTarget {
  readonly target: DeployTargetConfig;
  readonly pipeline: Pipeline;
  /** The ssh runner the target names; undefined for the local machine. */
  readonly runner?: RunnerConfig;
}

export function declaredDeployTargets(pipelines: readonly Pipeline[]): DeclaredTarget[] {
  return pipelines.flatMap((pipeline) =>
    pipeline.deploy.map((target) => {
      const runner = pipeline.runners.find((entry) => entry.name === target.runner);
      return { target, pipeline, ...(runner && runner.type !== 'local' ? { runner } : {}) };
    }),
  );
}

/** The declared target `name` with its pipeline and runner, undefined when none declares it. */
export function findDeclaredTarget(pipelines: readonly Pipeline[], name: string): DeclaredTarget | undefined {
  return declaredDeployTargets(pipelines).find((entry) => entry.target.name === name);
}

/**
 * The target `name`, when it can be deployed from here: declared, a safe name, a runner that can
 * host a server (the local machine or an ssh runner) and a start command. The CLI and the
 * extension say the same thing.
 */
export function resolveDeployTarget(pipelines: readonly Pipeline[], name: string): Outcome<DeclaredTarget> {
  const found = findDeclaredTarget(pipelines, name);
  if (!found) {
    const known = declaredDeployTargets(pipelines).map((entry) => entry.target.name);
    return {
      ok: false,
      message:
        known.length > 0
          ? `no deploy target '${name}'; mlc.yaml declares ${known.join(', ')}.`
          : `no deploy target '${name}': no mlc.yaml here declares a deploy: section.`,
    };
  }
  if (!isSafeName(found.target.name))
    return { ok: false, message: `'${name}' cannot be a deploy target name: use letters, digits, '.', '_' and '-'.` };
  const runner = found.runner;
  if (runner === undefined && found.target.runner !== 'local') {
    return {
      ok: false,
      message: `the target '${name}' uses the runner '${found.target.runner}', which runners: in ${found.pipeline.file} does not declare.`,
    };
  }
  if (runner?.type === 'slurm') {
    return {
      ok: false,
      message: `the target '${name}' uses the slurm runner '${runner.name}': a model server runs until it is stopped, not as a batch job with a time limit; deploy on the local machine or an ssh runner.`,
    };
  }
  if (found.target.start === '')
    return {
      ok: false,
      message: `the target '${name}' has no start command; add start: to it in ${found.pipeline.file}.`,
    };
  return { ok: true, value: found };
}

/** A model declared under `models:` by name, with its pipeline; refuses unsafe and undeclared names. */
export function resolveDeclaredModel(
  pipelines: readonly Pipeline[],
  name: string,
): Outcome<{ readonly model: ModelConfig; readonly pipeline: Pipeline }> {
  if (!isSafeName(name))
    return { ok: false, message: `'${name}' cannot be a model name: use letters, digits, '.', '_' and '-'.` };
  for (const pipeline of pipelines) {
    const model = pipeline.models.find((entry) => entry.name === name);
    if (model) return { ok: true, value: { model, pipeline } };
  }
  return { ok: false, message: `no model '${name}' under models: in mlc.yaml; declare it with its path.` };
}

/** Version `number` of a model, or its newest when undefined. */
export function pickModelVersion(model: RegisteredModel, number: number | undefined): Outcome<ModelVersionRecord> {
  if (model.versions.length === 0) {
    return {
      ok: false,
      message: `${model.name} has no registered versions; register one with mlc register ${model.name} --run RUN_ID.`,
    };
  }
  if (number === undefined) return { ok: true, value: model.versions.at(-1)! };
  const found = model.versions.find((record) => record.version === number);
  if (!found) {
    return {
      ok: false,
      message: `${model.name} has no version ${number}; its versions are ${model.versions.map((record) => record.version).join(', ')}.`,
    };
  }
  return { ok: true, value: found };
}

/** What a target looks like now: its recorded deployment, whether that process still runs, its history. */
export interface DeploymentOverview {
  readonly target: DeployTargetConfig;
  /** current.json, whether or not its process still runs. */
  readonly recorded?: CurrentDeployment;
  /** The recorded process still runs its recorded command line. */
  readonly running: boolean;
  /** Why the host could not be asked (a remote host not answering): `running` is then unknown (false). */
  readonly unreachable?: string;
  /** Oldest first. */
  readonly history: readonly DeploymentHistoryEntry[];
  /** The version `mlc rollback` would return to. */
  readonly rollbackVersion?: number;
}

export async function readDeploymentOverview(
  ports: { readonly fs: FileSystem; readonly host: DeployHost },
  workspaceRoot: string,
  target: DeployTargetConfig,
): Promise<DeploymentOverview> {
  const recorded = readCurrentDeployment(ports.fs, workspaceRoot, target.name);
  let running = false;
  let unreachable: string | undefined;
  // A pid means something only on the host that started it.
  if (recorded !== undefined && recorded.host === ports.host.name) {
    try {
      running = (await ports.host.commandLineOf(recorded.pid)) === recorded.commandLine;
    } catch (error) {
      if (!(error instanceof DeployHostError)) throw error;
      unreachable = error.message;
    }
  }
  const history = readDeploymentHistory(ports.fs, workspaceRoot, target.name);
  const rollbackVersion = previousHealthyVersion(history, recorded?.version);
  return {
    target,
    ...(recorded ? { recorded } : {}),
    running,
    ...(unreachable !== undefined ? { unreachable } : {}),
    history,
    ...(rollbackVersion !== undefined ? { rollbackVersion } : {}),
  };
}
