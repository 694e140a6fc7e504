import type { RunOwner } from '../../engine/runStore/runRecord';
import { stopRun } from '../../node/runStore/stopRun';
import { parseCommandArgs } from '../argv';
import { terminalText } from '../terminalText';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';

const usage = `Usage: mlc stop RUN_ID [--json]

Stops a running run of this workspace, whichever terminal or VS Code window started it. mlc stop
writes a stop request into the run's folder (.mlc/runs/RUN_ID/stop-requested); the process
running it notices within a second, kills its stages' processes (TERM, then KILL after a grace
period) and records the run as cancelled. Only an \`mlc run\` process in a terminal that does not
answer within 5 s is sent SIGTERM; a VS Code window is never signalled.
RUN_ID is what \`mlc run\` printed (or \`mlc runs\` lists).

Exit: 0 stopped, 1 the run is not running, did not stop in time, or its owner did not answer and
may not be signalled (a VS Code window), 2 bad usage or unknown run.`;

export const command: CliCommand = {
  summary: 'Stop a running pipeline run',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('give exactly one RUN_ID.');
    const runId = positionals[0]!;
    const root = workspaceRoot(context);
    const outcome = await stopRun(root, runId, { signal: context.signal });
    const say = (status: string, message: string, code: ExitCode) => {
      const how = outcome.kind === 'stopped' ? { how: outcome.how } : {};
      if (values.json === true) context.print(JSON.stringify({ runId, result: outcome.kind, status, ...how, message }));
      // Host names and the run id come from files and argv: escaped for the terminal.
      else if (code === ExitCode.ok) context.print(terminalText(message));
      else context.printDiagnostic(`mlc stop: ${terminalText(message)}`);
      return code;
    };
    switch (outcome.kind) {
      case 'stopped': {
        const how =
          outcome.how === 'request'
            ? `its ${ownerName(outcome.owner)} honoured the stop request`
            : `its ${ownerName(outcome.owner)} did not answer the stop request and was sent SIGTERM`;
        return say(outcome.status, `Stopped run ${runId} (${outcome.status}): ${how}.`, ExitCode.ok);
      }
      case 'unknownRun':
        return say('unknown', `no run '${runId}' in ${root}/.mlc/runs; \`mlc runs\` lists the runs.`, ExitCode.usage);
      case 'notRunning':
        return say(outcome.status, `run ${runId} is not running (it is ${outcome.status}).`, ExitCode.failed);
      case 'otherHost':
        return say(
          'running',
          `run ${runId} runs on host ${outcome.hostname} and did not answer the stop request; stop it there.`,
          ExitCode.failed,
        );
      case 'notResponding':
        return say(
          'running',
          `run ${runId} belongs to ${ownerName(outcome.owner)}, which did not answer the stop request within ${outcome.graceMs / 1000} s. It was not signalled (that could take down more than the run); stop it where it was started (in VS Code: ML: Stop Run). The request stays in place and is honoured when that process next checks.`,
          ExitCode.failed,
        );
      case 'timedOut':
        return say(
          'running',
          `run ${runId} was asked to stop but has not recorded its end yet; check it with \`mlc show ${runId}\`.`,
          ExitCode.failed,
        );
    }
  },
};

function ownerName(owner: RunOwner): string {
  const where = `pid ${owner.pid} on ${owner.hostname}`;
  if (owner.kind === 'cli') return `mlc run process (${where})`;
  if (owner.kind === 'extension') return `VS Code extension host (${where})`;
  return `process ${owner.pid} on ${owner.hostname} (an older mlc that did not record what it is)`;
}
