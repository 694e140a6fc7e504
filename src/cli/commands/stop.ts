import { parseArgs } from 'node:util';
import { stopRun } from '../../node/runStore/stopRun';
import { type CliCommand, ExitCode, UsageError } from '../cliContext';

const usage = `Usage: mlc stop RUN_ID [--json]

Stops a running \`mlc run\` of this workspace, whichever terminal or window started it: its
stages' processes are killed (TERM, then KILL after a grace period) and the run is recorded as
cancelled. RUN_ID is what \`mlc run\` printed (or \`mlc runs\` lists).

Exit: 0 stopped, 1 the run is not running (or did not stop in time), 2 bad usage or unknown run.`;

export const command: CliCommand = {
  summary: 'Stop a running pipeline run',
  usage,
  async run(args, context) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { json: { type: 'boolean' }, verbose: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one RUN_ID.');
    const runId = positionals[0]!;
    const outcome = await stopRun(context.cwd, runId, { signal: context.signal });
    const say = (status: string, message: string, code: ExitCode) => {
      if (values.json === true) context.print(JSON.stringify({ runId, result: outcome.kind, status, message }));
      else if (code === ExitCode.ok) context.print(message);
      else process.stderr.write(`mlc stop: ${message}\n`);
      return code;
    };
    switch (outcome.kind) {
      case 'stopped':
        return say(outcome.status, `Stopped run ${runId} (${outcome.status}).`, ExitCode.ok);
      case 'unknownRun':
        return say(
          'unknown',
          `no run '${runId}' in ${context.cwd}/.mlc/runs; \`mlc runs\` lists the runs.`,
          ExitCode.usage,
        );
      case 'notRunning':
        return say(outcome.status, `run ${runId} is not running (it is ${outcome.status}).`, ExitCode.failed);
      case 'otherHost':
        return say('running', `run ${runId} runs on host ${outcome.hostname}; stop it there.`, ExitCode.failed);
      case 'timedOut':
        return say(
          'running',
          `run ${runId} was asked to stop but has not recorded its end yet; check it with \`mlc show ${runId}\`.`,
          ExitCode.failed,
        );
    }
  },
};
