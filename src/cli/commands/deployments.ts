import { parseCommandArgs } from '../argv';
import { declaredDeployTargets, readDeploymentOverview } from '../../engine/deploy/deployTargets';
import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import { deployHostFor } from '../../node/deploy/createDeployPorts';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { formatTable } from '../tableOutput';

const usage = `Usage: mlc deployments [--json]

Lists every deploy target of mlc.yaml with the version serving it, its process, and its health now
(one probe of the health URL: up or down; unreachable when its ssh runner's host does not answer),
plus the last deployment attempt.
  --json   print {"deployments":[{"target","model","version","pid","running","health","healthUrl",
           "port","startedAt","last":{"action","version","result","when","reason"}}]}

Exit: 0 listed, 2 bad usage.`;

export const command: CliCommand = {
  summary: 'List deploy targets with their version and health',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'.`);
    const workspace = loadWorkspace(context.fs, workspaceRoot(context), { signal: context.signal });
    const rows = [];
    for (const { target, runner } of declaredDeployTargets(workspace.pipelines)) {
      // Each target's server is asked on its own host (an ssh runner's, or this machine).
      const host = deployHostFor(runner);
      const overview = await readDeploymentOverview({ fs: context.fs, host }, workspaceRoot(context), target);
      const { recorded, running, history } = overview;
      const answer = running && recorded?.healthUrl ? await host.probe(recorded.healthUrl) : undefined;
      const health =
        // The host did not answer: its server's state is unknown, not "down".
        overview.unreachable !== undefined
          ? 'unreachable'
          : !running
            ? 'down'
            : answer === undefined
              ? 'unknown'
              : answer.ok
                ? 'up'
                : 'down';
      const last = history.at(-1);
      rows.push({
        target: target.name,
        model: target.model,
        version: recorded?.version ?? null,
        pid: recorded?.pid ?? null,
        running,
        health: recorded ? health : 'not deployed',
        healthUrl: recorded?.healthUrl ?? null,
        port: recorded?.port ?? null,
        startedAt: recorded?.startedAt ?? null,
        last: last
          ? {
              action: last.action,
              version: last.version,
              result: last.result,
              when: last.when,
              reason: last.reason ?? null,
            }
          : null,
      });
    }
    if (values.json) {
      context.print(JSON.stringify({ deployments: rows }, null, 2));
    } else if (rows.length === 0) {
      context.print('No deploy targets: add a deploy: section to mlc.yaml.');
    } else {
      context.print(
        formatTable(
          ['TARGET', 'MODEL', 'VERSION', 'HEALTH', 'PID', 'LAST'],
          rows.map((row) => [
            row.target,
            row.model,
            row.version === null ? '-' : `v${row.version}`,
            row.health,
            row.pid === null ? '-' : String(row.pid),
            row.last ? `${row.last.action} v${row.last.version ?? '-'} ${row.last.result}` : '-',
          ]),
        ),
      );
    }
    return ExitCode.ok;
  },
};
