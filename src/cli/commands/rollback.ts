import { parseCommandArgs } from '../argv';
import { deployModelVersion, liveDeployment } from '../../engine/deploy/deployModelVersion';
import {
  previousHealthyVersion,
  readCurrentDeployment,
  readDeploymentHistory,
} from '../../engine/deploy/deploymentState';
import { readRegisteredModel } from '../../engine/registry/modelRegistry';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { findDeployTarget, printDeployOutcome, withDeployPorts } from './deploy';
import { parseCount } from './runs';

const usage = `Usage: mlc rollback TARGET [--health-timeout SECONDS] [--json]

Redeploys the previous healthy version of TARGET (the last version that deployed successfully
before the one serving now), in one step, the way mlc deploy switches versions; metric gates are
not asked again (that version already served). Recorded in the deployment history and the audit log.
  --json   print the mlc deploy --json document

Exit: 0 rolled back, 1 no previous healthy version or it did not become healthy, 2 bad usage.`;

export const command: CliCommand = {
  summary: 'Redeploy the previous healthy version of a target',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      'health-timeout': { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one TARGET (a name under deploy: in mlc.yaml).');
    const { target, pipeline } = findDeployTarget(context, positionals[0]!);
    const model = readRegisteredModel(context.fs, workspaceRoot(context), target.model);
    const healthTimeout = values['health-timeout'] as string | undefined;
    return withDeployPorts(context, async (ports) => {
      const current =
        liveDeployment(ports, workspaceRoot(context), target.name) ??
        readCurrentDeployment(context.fs, workspaceRoot(context), target.name);
      const history = readDeploymentHistory(context.fs, workspaceRoot(context), target.name);
      const previous = previousHealthyVersion(history, current?.version);
      const record = model.versions.find((version) => version.version === previous);
      if (previous === undefined || !record) {
        process.stderr.write(
          `mlc rollback: ${target.name} has no earlier healthy version to return to${previous !== undefined ? ` (v${previous} is no longer registered)` : ''}; deploy a version with mlc deploy ${target.name} --version N.\n`,
        );
        return ExitCode.failed;
      }
      ports.progress(`Rolling ${target.name} back to v${previous}${current ? ` from v${current.version}` : ''}`);
      const outcome = await deployModelVersion(ports, {
        workspaceRoot: workspaceRoot(context),
        commandRoot: pipeline.root,
        target,
        model,
        version: record,
        action: 'rollback',
        skipMetricGates: true,
        ...(healthTimeout !== undefined
          ? { healthTimeoutMs: parseCount('--health-timeout', healthTimeout) * 1000 }
          : {}),
      });
      printDeployOutcome(context, outcome, values.json === true);
      return outcome.ok ? ExitCode.ok : ExitCode.failed;
    });
  },
};
