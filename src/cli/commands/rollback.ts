import { parseCommandArgs, parseCount } from '../argv';
import { rollbackDeployment } from '../../engine/deploy/rollbackDeployment';
import { readRegisteredModel } from '../../engine/registry/modelRegistry';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { findDeployTarget, printDeployOutcome, withDeployPorts } from './deploy';

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
    const { target, pipeline, runner } = findDeployTarget(context, positionals[0]!);
    const model = readRegisteredModel(context.fs, workspaceRoot(context), target.model);
    const healthTimeout = values['health-timeout'] as string | undefined;
    return withDeployPorts(
      context,
      async (ports) => {
        const rollback = await rollbackDeployment(ports, {
          workspaceRoot: workspaceRoot(context),
          commandRoot: pipeline.root,
          target,
          model,
          ...(healthTimeout !== undefined
            ? { healthTimeoutMs: parseCount('--health-timeout', healthTimeout) * 1000 }
            : {}),
        });
        if (rollback.kind === 'noPreviousVersion') {
          context.printDiagnostic(`mlc rollback: ${rollback.message}`);
          return ExitCode.failed;
        }
        printDeployOutcome(context, rollback.outcome, values.json === true);
        return rollback.outcome.ok ? ExitCode.ok : ExitCode.failed;
      },
      runner,
    );
  },
};
