import { parseCommandArgs, parseCount } from '../argv';
import { type DeployOutcome, deployModelVersion } from '../../engine/deploy/deployModelVersion';
import { type DeclaredTarget, pickModelVersion, resolveDeployTarget } from '../../engine/deploy/deployTargets';
import {
  type ModelVersionRecord,
  readRegisteredModel,
  type RegisteredModel,
} from '../../engine/registry/modelRegistry';
import type { Pipeline, RunnerConfig } from '../../engine/pipeline/model';
import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import { createDeployPorts } from '../../node/deploy/createDeployPorts';
import { createNodeGitClient } from '../../node/deploy/nodeGitClient';
import { type CliCommand, type CliContext, ExitCode, UsageError, workspaceRoot } from '../cliContext';

const usage = `Usage: mlc deploy TARGET [--version N] [--health-timeout SECONDS] [--json]

Deploys a registered model version to a target of mlc.yaml's deploy: section. First the target's
gates (metric thresholds, champion/challenger against an alias); then the version's own immutable
copy starts ({model} in the start command). With {port} in the start command the new version starts
beside the old one on a free port and takes over once its health URL answers (blue-green); with a
fixed port the old one stops first and is started again if the new one is not healthy in time. A
failed deploy leaves the previous version serving and says why. Progress goes to stderr.
  --version N           the version to deploy (default: the newest)
  --health-timeout S    seconds the new version has to answer its health URL (default 30)
  --json                print {"ok","target","version","previousVersion","gates":[{"gate","passed",
                        "value","threshold","message"}],"reason","current"}

Exit: 0 deployed, 1 a gate failed or the new version did not become healthy, 2 bad usage.`;

export const command: CliCommand = {
  summary: 'Deploy a model version to a target (gates, health check, blue-green or fixed port)',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      version: { type: 'string' },
      'health-timeout': { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one TARGET (a name under deploy: in mlc.yaml).');
    const { target, pipeline, runner } = findDeployTarget(context, positionals[0]!);
    const model = readRegisteredModel(context.fs, workspaceRoot(context), target.model);
    const version = pickVersion(model, values.version as string | undefined);
    const healthTimeout = values['health-timeout'] as string | undefined;
    const outcome = await withDeployPorts(
      context,
      (ports) =>
        deployModelVersion(ports, {
          workspaceRoot: workspaceRoot(context),
          commandRoot: pipeline.root,
          target,
          model,
          version,
          action: 'deploy',
          ...(healthTimeout !== undefined
            ? { healthTimeoutMs: parseCount('--health-timeout', healthTimeout) * 1000 }
            : {}),
        }),
      runner,
    );
    printDeployOutcome(context, outcome, values.json === true);
    return outcome.ok ? ExitCode.ok : ExitCode.failed;
  },
};

/** A deploy target by name, with the pipeline declaring it; bad names are usage errors. */
export function findDeployTarget(context: CliContext, name: string): DeclaredTarget {
  const found = resolveDeployTarget(workspacePipelines(context), name);
  if (!found.ok) throw new UsageError(found.message);
  return found.value;
}

/** The pipelines of the workspace the command runs in. */
export function workspacePipelines(context: CliContext): readonly Pipeline[] {
  return loadWorkspace(context.fs, workspaceRoot(context), { signal: context.signal }).pipelines;
}

/** `--version N`, or the newest version; a model without versions is a usage error. */
export function pickVersion(model: RegisteredModel, text: string | undefined): ModelVersionRecord {
  const picked = pickModelVersion(model, text === undefined ? undefined : parseCount('--version', text));
  if (!picked.ok) throw new UsageError(picked.message);
  return picked.value;
}

/**
 * Builds the deploy ports for the current folder, with progress lines on stderr, and disposes them;
 * `runner`: the target's ssh runner, whose host the server runs on.
 */
export async function withDeployPorts<T>(
  context: CliContext,
  body: (ports: ReturnType<typeof createDeployPorts>) => Promise<T>,
  runner?: RunnerConfig,
): Promise<T> {
  const ports = createDeployPorts({
    workspaceRoot: workspaceRoot(context),
    fs: context.fs,
    progress: (message) => context.printDiagnostic(message),
    git: createNodeGitClient(),
    ...(runner ? { runner } : {}),
  });
  try {
    return await body(ports);
  } finally {
    ports.dispose();
  }
}

export function printDeployOutcome(context: CliContext, outcome: DeployOutcome, json: boolean): void {
  if (json) {
    context.print(
      JSON.stringify(
        {
          ok: outcome.ok,
          target: outcome.target,
          version: outcome.version,
          previousVersion: outcome.previousVersion,
          gates: outcome.gates.map((gate) => ({
            gate: gate.gate,
            passed: gate.passed,
            value: gate.value ?? null,
            threshold: gate.threshold ?? null,
            message: gate.message,
          })),
          reason: outcome.reason ?? null,
          current: outcome.current ?? null,
        },
        null,
        2,
      ),
    );
    return;
  }
  const serving = outcome.current
    ? `v${outcome.current.version} serves ${outcome.target}${outcome.current.healthUrl ? ` at ${outcome.current.healthUrl}` : ''} (pid ${outcome.current.pid}).`
    : `nothing serves ${outcome.target}.`;
  if (outcome.ok) context.print(`Deployed v${outcome.version} to ${outcome.target}: ${serving}`);
  else
    context.print(
      `Deploy of v${outcome.version} to ${outcome.target} failed: ${outcome.reason ?? 'unknown reason'}\nNow: ${serving}`,
    );
}
