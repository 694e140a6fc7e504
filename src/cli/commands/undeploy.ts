import { parseCommandArgs } from '../argv';
import { undeployTarget } from '../../engine/deploy/deployModelVersion';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { findDeployTarget, withDeployPorts } from './deploy';

const usage = `Usage: mlc undeploy TARGET

Stops the process serving TARGET: exactly the one mlc deploy recorded (its pid, checked against its
recorded command line, so a reused pid is never signalled), then forgets the deployment.

Exit: 0 stopped or nothing was running, 2 bad usage.`;

export const command: CliCommand = {
  summary: 'Stop the deployment of a target',
  usage,
  async run(args, context) {
    const { positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('give exactly one TARGET (a name under deploy: in mlc.yaml).');
    const { target, runner } = findDeployTarget(context, positionals[0]!);
    const outcome = await withDeployPorts(
      context,
      (ports) => undeployTarget(ports, { workspaceRoot: workspaceRoot(context), target }),
      runner,
    );
    context.print(outcome.message);
    return ExitCode.ok;
  },
};
